// volume_view.js against Python (tests/widgets/test_volume_view.py writes the fixture and
// runs this with CONVTUTOR_VOLUME_FIXTURE set; without it, as under
// test_modules_node.py, it skips). The fixture holds: the saved widget (its shipped
// arrays and meta); every setting of the layer controls (kind, C_in, C_out, M, g, k)
// with the counts convtutor.conv_cost gives; states with Python's view (pictures as
// SHA-256) and the input cells Python lights; and the moves of tests/support/cases.py
// with the state and view Python reaches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, shown, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_VOLUME_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_VOLUME_FIXTURE is not set (tests/widgets/test_volume_view.py sets it)";

let loaded;
async function load() {
  if (!loaded) {
    const mod = await widgetModule("volume_view");
    const fixture = readFixture(file);
    loaded = { mod, fixture, data: loadData(fixture.saved) };
  }
  return loaded;
}

test("counts equal convtutor.conv_cost on every setting of the grid", { skip }, async () => {
  const { mod, fixture, data } = await load();
  assert.ok(fixture.grid.length > 900, `only ${fixture.grid.length} settings`);
  for (const row of fixture.grid) {
    const [params, macs, stages] = mod.counts(row.state, data.meta.side);
    const where = JSON.stringify(row.state);
    assert.equal(params, row.params, `${where}: parameters`);
    assert.equal(macs, row.macs, `${where}: MACs`);
    assert.deepEqual(stages, row.stages, `${where}: stages`);
  }
});

test("view and lit cells equal Python's on every sampled state", { skip }, async () => {
  const { mod, fixture, data } = await load();
  assert.ok(fixture.views.length > 900);
  for (const row of fixture.views) {
    const where = JSON.stringify(row.state);
    assert.deepEqual(shown(mod.view(data, row.state)), row.view, `${where}: view`);
    const lit = mod.receptiveField(row.state, data.meta.side);
    assert.deepEqual([...lit], row.lit, `${where}: lit cells`);
  }
});

test("normalise and limits reach Python's state on every move", { skip }, async () => {
  const { mod, fixture, data } = await load();
  assert.ok(fixture.moves.length > 50);
  for (const [i, move] of fixture.moves.entries()) {
    const where = `move ${i}: ${move.name} = ${JSON.stringify(move.value)}`;
    const state = mod.normalise({ ...move.start, [move.name]: move.value }, data, move.name);
    assert.deepEqual(state, move.end, `${where}: state`);
    const lims = mod.limits(state, data);
    for (const [name, max] of Object.entries(move.limits)) {
      assert.equal(lims[name].max, max, `${where}: ${name}'s range`);
    }
    assert.deepEqual(shown(mod.view(data, state)), move.view, `${where}: view`);
  }
});
