// cost_calculator.js against Python over the WHOLE control grid
// (tests/widgets/test_cost_calculator.py writes the fixture and runs this with
// CONVTUTOR_COST_FIXTURE set; without it, as under test_modules_node.py, it skips).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFixture, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_COST_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_COST_FIXTURE is not set (tests/widgets/test_cost_calculator.py sets it)";

test("describe equals Python for every state of the grid", { skip }, async () => {
  const mod = await widgetModule("cost_calculator");
  const fixture = readFixture(file);
  assert.equal(fixture.rows.length, 13 * 13 * 7 * 6 * 4);
  let largest = 0;
  let full = 0;
  for (const { state, describe } of fixture.rows) {
    const got = mod.describe(state, fixture.meta);
    // most rows carry the table's texts only (its colours are checked in every 97th)
    if (typeof describe.cells[0][0] === "string") {
      got.cells = got.cells.map((r) => r.map((c) => c.text));
    } else full += 1;
    assert.deepEqual(got, describe, `state ${JSON.stringify(state)}`);
    for (const v of got.macs) largest = Math.max(largest, v);
  }
  assert.ok(full > 250, `only ${full} rows with colours`);
  assert.ok(largest < Number.MAX_SAFE_INTEGER);
});

test("normalise, formatSig and the bar picture", { skip }, async () => {
  const mod = await widgetModule("cost_calculator");
  const fixture = readFixture(file);
  const first = fixture.rows[0].state;
  const state = { ...first, in_channels: "64", input_size: "224", log_scale: "false" };
  const s = mod.normalise(state);
  assert.equal(s.in_channels, 64);
  assert.equal(s.input_size, 224);
  assert.equal(s.log_scale, false);
  assert.equal(mod.normalise({ ...state, log_scale: "true" }).log_scale, true);
  assert.equal(mod.formatSig(1.0625), "1.063"); // a tie rounds up, as Python's significant
  assert.equal(mod.formatSig(9.99996), "10");
  assert.equal(mod.formatSig(690 / 9800), "0.07041");
  // a bar picture: white, the axis at x = 0, bar i from x = 1 for its length
  const bar = fixture.meta.bar;
  const palette = Uint8Array.from(fixture.palette.flat());
  const rgba = mod.barsPicture([bar.length, 1, 50, 200], palette, bar);
  assert.equal(rgba.length, bar.width * bar.height * 4);
  const at = (x, y) => Array.from(rgba.slice((y * bar.width + x) * 4, (y * bar.width + x) * 4 + 4));
  const y3 = bar.pad + 3 * (bar.bar_height + bar.gap);
  assert.deepEqual(at(0, 0), [...fixture.palette[1], 255]);
  assert.deepEqual(at(200, y3), [...fixture.palette[5], 255]);
  assert.deepEqual(at(201, y3), [255, 255, 255, 255]);
});
