// conv_arithmetic.js against Python over the WHOLE control grid
// (tests/widgets/test_conv_arithmetic.py writes the fixture and runs this with
// CONVTUTOR_ARITHMETIC_FIXTURE set; without it, as under test_modules_node.py, it skips).
// The fixture is JSON lines: first the controls and each setting's last output position
// (Python's), then Python's describe of every state, in the order the controls give them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { widgetModule, writesAs } from "./fixture.mjs";

const file = process.env.CONVTUTOR_ARITHMETIC_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_ARITHMETIC_FIXTURE is not set (tests/widgets/test_conv_arithmetic.py sets it)";

/** Every setting: each slider's steps, the controls in `order`. */
function grid(controls, order) {
  let settings = [{}];
  for (const name of order) {
    const { min, max, step } = controls[name];
    const values = [];
    for (let v = min; v <= max; v += step) values.push(v);
    settings = settings.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return settings;
}

test("describe, normalise and limits equal Python on the whole grid", { skip }, async () => {
  const mod = await widgetModule("conv_arithmetic");
  const lines = readFileSync(file, "utf8").split("\n");
  const head = JSON.parse(lines[0]);
  const settings = grid(head.controls, head.order);
  assert.equal(settings.length, 8 * 5 * 4 * 3 * 3);
  assert.equal(head.last.length, settings.length);
  let row = 0;
  settings.forEach((setting, i) => {
    const last = head.last[i];
    for (let position = 0; position <= last; position++) {
      const state = { ...setting, position };
      const where = `state ${JSON.stringify(state)}`;
      // the same text is the same data; else compare the data, and show the difference
      const got = mod.describe(state, head.meta);
      const line = lines[++row];
      if (!writesAs(got, line)) assert.deepEqual(got, JSON.parse(line), where);
      // the position stays on the output; the slider's range is the output's cells
      assert.deepEqual(mod.normalise(state), state, where);
      assert.equal(mod.normalise({ ...state, position: 255 }).position, last, where);
      const limits = mod.limits(state).position;
      assert.equal(limits.max, last, where);
      assert.equal(limits.disabled, last === 0, where);
    }
  });
  assert.equal(row, 34973);
  assert.equal(lines.length, 1 + row);
});
