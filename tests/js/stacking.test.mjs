// Stacking's module against a fixture tests/widgets/test_stacking.py writes
// (CONVTUTOR_STACKING = its path): the page multiplies C·M and counts which slices come
// from which channel; over the whole control grid its titles, outlines and texts must
// say what convtutor and PyTorch say. Skips when the variable is not set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, widgetModule } from "./fixture.mjs";

const path = process.env.CONVTUTOR_STACKING;

test("stacking: titles and texts equal convtutor's numbers on every state", async (t) => {
  if (!path) return t.skip("CONVTUTOR_STACKING is not set");
  const mod = await widgetModule("stacking");
  const fixture = readFixture(path);
  const data = loadData(fixture.saved);
  assert.equal(fixture.cases.length, 9);
  for (const c of fixture.cases) {
    const where = JSON.stringify(c.state);
    const view = mod.view(data, c.state);
    assert.deepEqual(view.texts, c.texts, `${where}: texts`);
    const byName = Object.fromEntries(view.panels.map((p) => [p.name, p]));
    assert.equal(byName.picture.title, c.title, `${where}: picture title`);
    for (let o = 0; o < 9; o++) {
      const p = byName[`slice_${o}`];
      if (o < c.slice_titles.length) {
        assert.equal(p.title, c.slice_titles[o], `${where}: slice ${o}`);
        assert.equal(p.mark, c.marks[o], `${where}: slice ${o} outline`);
        assert.deepEqual([p.height, p.width], c.size, `${where}: slice ${o} size`);
      } else {
        assert.ok(p.hidden, `${where}: slice ${o} hidden`);
      }
    }
  }
});
