// PixelProvenance's module on EVERY state (mode x output channel x row x col) of each
// widget tests/widgets/test_pixel_provenance.py wrote, against Python's view: state,
// control limits, pictures (SHA-256), tables and texts; and the click mapping (cellAt)
// on every pixel of every output cell as Python draws it.
// Run with CONVTUTOR_PROVENANCE_FIXTURES set to that folder; skipped when it is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadData, readFixture, shown, widgetModule } from "./fixture.mjs";

const folder = process.env.CONVTUTOR_PROVENANCE_FIXTURES;

test("pixel_provenance: every state and every output pixel's click equal Python", async (t) => {
  if (!folder) {
    t.skip("CONVTUTOR_PROVENANCE_FIXTURES is not set");
    return;
  }
  const mod = await widgetModule("pixel_provenance");
  const files = readdirSync(folder).filter((f) => f.endsWith(".json"));
  assert.ok(files.length > 0, `no fixtures in ${folder}`);
  let states = 0;
  let clicks = 0;
  for (const file of files) {
    const fixture = readFixture(join(folder, file));
    const data = loadData(fixture.saved);
    for (const c of fixture.states) {
      const where = `${file}: ${JSON.stringify(c.state)}`;
      // arrive from a state with too large an output channel, as after a mode switch
      const state = mod.normalise({ ...c.state, out_channel: c.from_channel }, data, "mode");
      assert.deepEqual(state, c.state, `${where}: normalise`);
      assert.equal(mod.limits(state, data).out_channel.max, c.out_max, `${where}: limits`);
      const got = shown(mod.view(data, state));
      assert.deepEqual(got.texts, c.view.texts, `${where}: texts`);
      assert.equal(got.panels.length, c.view.panels.length, `${where}: panel count`);
      got.panels.forEach((p, j) => {
        const want = c.view.panels[j];
        for (const key of new Set([...Object.keys(want), ...Object.keys(p)])) {
          assert.deepEqual(p[key], want[key], `${where}: panel ${want.name}, ${key}`);
        }
      });
      states++;
    }
    for (const [px, py, row, col] of fixture.clicks) {
      assert.deepEqual(mod.cellAt(data.meta, px, py), { row, col }, `${file}: click ${px}, ${py}`);
      clicks++;
    }
  }
  assert.ok(states >= 250, `only ${states} states`);
  assert.ok(clicks >= 36 * 300, `only ${clicks} clicks`);
});
