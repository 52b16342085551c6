// SeparablePipeline's page formulas on EVERY choice of kernels, P and o, against convtutor.
// Run by tests/widgets/test_separable_pipeline.py with CONVTUTOR_SEPARABLE_FIXTURE set to
// the file it wrote: for each choice, W[o] from ct.separable_to_standard (float64) and the
// check text from ct.separable_conv2d and ct.conv2d. Skipped when that variable is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_SEPARABLE_FIXTURE;

test("separable_pipeline: W[o], the check text and o's range on every choice", async (t) => {
  if (!file) {
    t.skip("CONVTUTOR_SEPARABLE_FIXTURE is not set");
    return;
  }
  const fixture = readFixture(file);
  const mod = await widgetModule("separable_pipeline");
  const data = loadData(fixture.saved);
  let checked = 0;
  for (const c of fixture.choices) {
    const state = {
      kernel_0: c.kernels[0],
      kernel_1: c.kernels[1],
      kernel_2: c.kernels[2],
      pointwise: c.pointwise,
      out_channel: c.out_channel,
    };
    const where = JSON.stringify(state);
    // equal as numbers (===: the page's 0 · -1 is -0 where numpy's sum gives 0)
    const got = mod.standardKernel(state, data).flat(2);
    const want = c.weight.flat(2);
    assert.equal(got.length, 27, `${where}: W[o] has 3 x 3 x 3 numbers`);
    assert.ok(got.every((v, j) => v === want[j]), `${where}: W[o] ${got} != ${want}`);
    assert.equal(mod.differenceText(state, data), c.check, `${where}: check`);
    assert.equal(mod.limits(state, data).out_channel.max, c.outputs - 1, `${where}: o's range`);
    // o pulled back into range when P has fewer outputs
    const big = mod.normalise({ ...state, out_channel: 3 }, data, "pointwise");
    assert.equal(big.out_channel, Math.min(3, c.outputs - 1), `${where}: normalise`);
    checked++;
  }
  assert.equal(checked, fixture.count);
  assert.ok(checked >= 11000, `only ${checked} choices`);
});
