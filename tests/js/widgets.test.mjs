// Every widget module against the fixtures convtutor wrote (tests/widgets/test_modules_node.py).
// Run by that test with CONVTUTOR_FIXTURES set; by hand: write the fixtures, then
//   CONVTUTOR_FIXTURES=DIR node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadData, readFixture, shown, widgetModule } from "./fixture.mjs";

const folder = process.env.CONVTUTOR_FIXTURES;

function pick(panel, keys) {
  return Object.fromEntries(keys.filter((k) => k in panel).map((k) => [k, panel[k]]));
}

const files = folder ? readdirSync(folder).filter((f) => f.endsWith(".json")) : [];

test("fixtures were written", () => {
  assert.ok(folder, "CONVTUTOR_FIXTURES is not set");
  assert.ok(files.length > 0, `no fixtures in ${folder}`);
});

for (const file of files) {
  const fixture = readFixture(join(folder, file));
  test(`${fixture.widget}: ${fixture.moves.length} moves equal Python`, async () => {
    const mod = await widgetModule(fixture.module);
    const data = loadData(fixture.saved);
    const keys = ["name", "title", "hidden", "kind", "cells", "sha256", "width", "height", "mark", "row"];
    for (const [i, move] of fixture.moves.entries()) {
      const where = `move ${i}: ${move.name} = ${JSON.stringify(move.value)}`;
      let state = { ...move.start, [move.name]: move.value };
      if (mod.normalise) state = mod.normalise(state, data, move.name);
      assert.deepEqual(state, move.end, `${where}: state`);
      const got = shown(mod.view(data, state));
      assert.deepEqual(got.texts, move.view.texts, `${where}: texts`);
      assert.equal(got.panels.length, move.view.panels.length, `${where}: panel count`);
      got.panels.forEach((p, j) => {
        const want = move.view.panels[j];
        const k = keys.filter((key) => key in want || key in p);
        assert.deepEqual(pick(p, k), pick(want, k), `${where}: panel ${want.name}`);
      });
    }
  });
}
