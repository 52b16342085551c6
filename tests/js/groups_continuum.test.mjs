// groups_continuum.js against Python over the WHOLE control grid.
// tests/widgets/test_groups_continuum.py writes the fixture and runs this with
// CONVTUTOR_GROUPS_FIXTURE set; without it (as under test_modules_node.py) it skips.
// The fixture holds: the saved widget (its shipped arrays and meta), every state of the
// grid (4 channel counts x their divisors x 4 kernel sizes x 6 input sizes) with the counts
// convtutor.conv_cost gives and the view Python's mirror gives, and the moves of
// tests/widgets/cases.py with the state Python reaches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, sha256, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_GROUPS_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_GROUPS_FIXTURE is not set (tests/widgets/test_groups_continuum.py sets it)";

// read and parsed once, for the three tests
let loaded;
async function load() {
  if (!loaded) {
    const mod = await widgetModule("groups_continuum");
    const fixture = readFixture(file);
    loaded = { mod, fixture, data: loadData(fixture.saved) };
  }
  return loaded;
}

function shown(view) {
  return {
    panels: view.panels.map((p) => {
      const q = { name: p.name, title: p.title };
      for (const key of ["kind", "cells", "row", "hidden", "mark"]) if (key in p) q[key] = p[key];
      if (p.rgba) {
        q.sha256 = sha256(p.rgba);
        q.width = p.width;
        q.height = p.height;
      }
      return q;
    }),
    texts: view.texts,
  };
}

test("counts equal convtutor's on every state of the grid", { skip }, async () => {
  const { mod, fixture } = await load();
  assert.equal(fixture.grid.length, 19 * 4 * 6);
  for (const row of fixture.grid) {
    const { channels: c, groups: g, kernel_size: k, size } = row.state;
    const [weights, macs, standard] = mod.counts(c, g, k, size);
    const where = JSON.stringify(row.state);
    assert.equal(weights, row.conv_cost.weights, `${where}: weights`);
    assert.equal(macs, row.conv_cost.macs, `${where}: MACs`);
    assert.equal(standard, row.conv_cost.standard, `${where}: the standard layer's weights`);
    assert.ok(Number.isSafeInteger(macs), `${where}: ${macs} is exact in a double`);
  }
});

test("view equals Python's on every state of the grid", { skip }, async () => {
  const { mod, fixture, data } = await load();
  for (const row of fixture.grid) {
    const where = JSON.stringify(row.state);
    const got = shown(mod.view(data, row.state));
    assert.deepEqual(got.texts, row.view.texts, `${where}: texts`);
    assert.deepEqual(got.panels, row.view.panels, `${where}: panels`);
  }
});

test("normalise and limits reach Python's state on every move", { skip }, async () => {
  const { mod, fixture, data } = await load();
  assert.ok(fixture.moves.length > 50);
  for (const [i, move] of fixture.moves.entries()) {
    const where = `move ${i}: ${move.name} = ${JSON.stringify(move.value)}`;
    // a <select> hands the module text; the module makes it a number again
    const menu = move.name === "channels" || move.name === "size";
    const value = menu ? String(move.value) : move.value;
    const state = mod.normalise({ ...move.start, [move.name]: value }, data, move.name);
    assert.deepEqual(state, move.end, `${where}: state`);
    assert.equal(mod.limits(state, data).g_index.max, move.g_max, `${where}: g's range`);
    assert.deepEqual(shown(mod.view(data, state)), move.view, `${where}: view`);
  }
});
