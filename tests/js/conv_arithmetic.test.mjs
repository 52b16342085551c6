// conv_arithmetic.js against Python over the WHOLE control grid
// (tests/widgets/test_conv_arithmetic.py writes the fixture and runs this with
// CONVTUTOR_ARITHMETIC_FIXTURE set; without it, as under test_modules_node.py, it skips).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFixture, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_ARITHMETIC_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_ARITHMETIC_FIXTURE is not set (tests/widgets/test_conv_arithmetic.py sets it)";

test("describe, normalise and limits equal Python on the whole grid", { skip }, async () => {
  const mod = await widgetModule("conv_arithmetic");
  const { rows } = readFixture(file);
  assert.equal(rows.length, 34973);
  for (const { state, describe, last } of rows) {
    const where = `state ${JSON.stringify(state)}`;
    assert.deepEqual(mod.describe(state), describe, where);
    // the position stays on the output; the slider's range is the output's cells
    assert.deepEqual(mod.normalise(state), state, where);
    assert.equal(mod.normalise({ ...state, position: 255 }).position, last, where);
    const limits = mod.limits(state).position;
    assert.equal(limits.max, last, where);
    assert.equal(limits.disabled, last === 0, where);
  }
});
