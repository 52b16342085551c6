// SobelSeparability's module against a fixture tests/widgets/test_sobel_separability.py
// writes: every state's view (pictures by SHA-256, tables, titles, texts), the size and
// sigma sliders' disabled state, and the number formatter on random values.
// Skipped unless SOBEL_SEPARABILITY_FIXTURE names that fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const STATIC = join(here, "..", "..", "convtutor", "widgets", "static");
const path = process.env.SOBEL_SEPARABILITY_FIXTURE;
const fixture = path ? JSON.parse(readFileSync(path, "utf8")) : null;
const skip = fixture ? false : "SOBEL_SEPARABILITY_FIXTURE is not set";

const common = await import(pathToFileURL(join(STATIC, "common.js")));
const mod = await import(pathToFileURL(join(STATIC, "sobel_separability.js")));

function dataOf(saved) {
  const arrays = {};
  for (const { path: where, data } of saved.buffers) {
    const bytes = Buffer.from(data, "base64");
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    arrays[where[where.length - 1]] = new DataView(copy.buffer);
  }
  const out = common.unpack(arrays, saved.state._meta);
  out.meta = saved.state._meta;
  return out;
}

function shown(view) {
  return {
    panels: view.panels.map((p) => {
      const q = { ...p };
      delete q.rgba;
      if (p.rgba) q.sha256 = createHash("sha256").update(p.rgba).digest("hex");
      return q;
    }),
    texts: view.texts,
  };
}

test("every state: the module's view equals Python's", { skip }, () => {
  const data = dataOf(fixture.saved);
  assert.ok(fixture.states.length >= 903);
  for (const { state, view } of fixture.states) {
    const got = shown(mod.view(data, state));
    assert.deepEqual(got, view, JSON.stringify(state));
  }
});

test("size and sigma are disabled unless the kernel is the Gaussian", { skip }, () => {
  for (const { state, disabled } of fixture.limits) {
    const lims = mod.limits(state);
    assert.equal(lims.size.disabled, disabled, state.kernel);
    assert.equal(lims.sigma.disabled, disabled, state.kernel);
  }
});

test("formatSignificant equals Python's format_significant", { skip }, () => {
  assert.ok(fixture.format.length >= 10000);
  for (const [value, digits, text] of fixture.format) {
    assert.equal(mod.formatSignificant(value, digits), text, `${value} to ${digits} digits`);
  }
});
