// SobelSeparability's module against a fixture tests/widgets/test_sobel_separability.py
// writes: every state's view (pictures by SHA-256, tables, titles, texts), the size and
// sigma sliders' disabled state, and the number formatter on random values.
// Skipped unless SOBEL_SEPARABILITY_FIXTURE names that fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, shown, widgetModule } from "./fixture.mjs";

const path = process.env.SOBEL_SEPARABILITY_FIXTURE;
const fixture = path ? readFixture(path) : null;
const skip = fixture ? false : "SOBEL_SEPARABILITY_FIXTURE is not set";

const mod = await widgetModule("sobel_separability");

test("every state: the module's view equals Python's", { skip }, () => {
  const data = loadData(fixture.saved);
  assert.ok(fixture.states.length >= 903);
  for (const { state, view } of fixture.states) {
    const got = shown(mod.view(data, state));
    assert.deepEqual(got, view, JSON.stringify(state));
  }
});

test("size and sigma are disabled unless the kernel is the Gaussian", { skip }, () => {
  const data = loadData(fixture.saved);
  for (const { state, disabled } of fixture.limits) {
    const lims = mod.limits(state, data);
    assert.equal(lims.size.disabled, disabled, state.kernel);
    assert.equal(lims.sigma.disabled, disabled, state.kernel);
  }
});

test("formatSignificant equals Python's format_significant", { skip }, async () => {
  const { formatSignificant } = await widgetModule("common");
  assert.ok(fixture.format.length >= 10000);
  for (const [value, digits, text] of fixture.format) {
    assert.equal(formatSignificant(value, digits), text, `${value} to ${digits} digits`);
  }
});
