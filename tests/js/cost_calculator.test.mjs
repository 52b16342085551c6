// cost_calculator.js against Python over the WHOLE control grid
// (tests/widgets/test_cost_calculator.py writes the fixture and runs this with
// CONVTUTOR_COST_FIXTURE set; without it, as under test_modules_node.py, it skips).
// The fixture is JSON lines: first the widget's meta, palette and controls, then
// Python's describe of every state of the grid, in the order the controls give them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { widgetModule, writesAs } from "./fixture.mjs";

const file = process.env.CONVTUTOR_COST_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_COST_FIXTURE is not set (tests/widgets/test_cost_calculator.py sets it)";
const lines = file ? readFileSync(file, "utf8").split("\n") : [];
const head = file ? JSON.parse(lines[0]) : null;

/** Every state: each control's values (a menu's options, a slider's steps) in `order`. */
function grid(controls, order) {
  let states = [{}];
  for (const name of order) {
    const spec = controls[name];
    const values = spec.options ?? [];
    if (!spec.options) for (let v = spec.min; v <= spec.max; v += spec.step) values.push(v);
    states = states.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return states;
}

test("describe equals Python for every state of the grid", { skip }, async () => {
  const mod = await widgetModule("cost_calculator");
  const states = grid(head.controls, head.order);
  assert.equal(states.length, 13 * 13 * 7 * 6 * 4);
  assert.equal(lines.length, 1 + states.length);
  let largest = 0;
  let full = 0;
  states.forEach((s, i) => {
    const state = { ...s, log_scale: true };
    const got = mod.describe(state, head.meta);
    // most rows carry the table's texts only (its colours are checked in every 97th)
    if (i % head.colours_every) got.cells = got.cells.map((r) => r.map((c) => c.text));
    else full += 1;
    // the same text is the same data; else compare the data, and show the difference
    const line = lines[i + 1];
    if (!writesAs(got, line)) {
      assert.deepEqual(got, JSON.parse(line), `state ${JSON.stringify(state)}`);
    }
    for (const v of got.macs) largest = Math.max(largest, v);
  });
  assert.ok(full > 250, `only ${full} rows with colours`);
  assert.ok(largest < Number.MAX_SAFE_INTEGER);
});

test("normalise and the bar picture", { skip }, async () => {
  const mod = await widgetModule("cost_calculator");
  const first = { ...grid(head.controls, head.order)[0], log_scale: true };
  const state = { ...first, in_channels: "64", input_size: "224", log_scale: "false" };
  const s = mod.normalise(state);
  assert.equal(s.in_channels, 64);
  assert.equal(s.input_size, 224);
  assert.equal(s.log_scale, false);
  assert.equal(mod.normalise({ ...state, log_scale: "true" }).log_scale, true);
  // a bar picture: white, the axis at x = 0, bar i from x = 1 for its length
  const bar = head.meta.bar;
  const palette = Uint8Array.from(head.palette.flat());
  const rgba = mod.barsPicture([bar.length, 1, 50, 200], palette, bar);
  assert.equal(rgba.length, bar.width * bar.height * 4);
  const at = (x, y) => Array.from(rgba.slice((y * bar.width + x) * 4, (y * bar.width + x) * 4 + 4));
  const y3 = bar.pad + 3 * (bar.bar_height + bar.gap);
  assert.deepEqual(at(0, 0), [...head.palette[1], 255]);
  assert.deepEqual(at(200, y3), [...head.palette[5], 255]);
  assert.deepEqual(at(201, y3), [255, 255, 255, 255]);
});
