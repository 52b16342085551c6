// conv_arithmetic.js against Python over the WHOLE control grid
// (tests/widgets/test_conv_arithmetic.py writes the fixture and runs this with
// CONVTUTOR_ARITHMETIC_FIXTURE set; without it, as under test_modules_node.py, it skips).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const STATIC = join(here, "..", "..", "convtutor", "widgets", "static");
const file = process.env.CONVTUTOR_ARITHMETIC_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_ARITHMETIC_FIXTURE is not set (tests/widgets/test_conv_arithmetic.py sets it)";

test("describe, normalise and limits equal Python on the whole grid", { skip }, async () => {
  const mod = await import(pathToFileURL(join(STATIC, "conv_arithmetic.js")));
  const { rows } = JSON.parse(readFileSync(file, "utf8"));
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
