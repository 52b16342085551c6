// What the tests/js/*.test.mjs files share: loading a widget's module, reading the fixture
// a Python test wrote, turning a saved widget's buffers into the data its module draws
// from, and a view with its pictures as SHA-256 digests. Not a test itself (node --test
// runs only *.test.mjs here).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const STATIC = join(here, "..", "..", "convtutor", "widgets", "static");

/** The module convtutor/widgets/static/<name>.js. */
export function widgetModule(name) {
  return import(pathToFileURL(join(STATIC, `${name}.js`)));
}

/** The JSON file a Python test wrote. */
export function readFixture(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

const common = await widgetModule("common");

/** A saved widget's data as its module sees it: its buffers unpacked, and its meta. */
export function loadData(saved) {
  const arrays = {};
  for (const { path, data } of saved.buffers) {
    const bytes = Buffer.from(data, "base64");
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    arrays[path[path.length - 1]] = new DataView(copy.buffer);
  }
  const out = common.unpack(arrays, saved.state._meta);
  out.meta = saved.state._meta;
  return out;
}

/** The SHA-256 of a picture's bytes, in hex. */
export function sha256(rgba) {
  return createHash("sha256").update(rgba).digest("hex");
}

/** A view as Python's tests write it: each shown picture as its digest, not its bytes. */
export function shown(view) {
  return {
    panels: view.panels.map((p) => {
      const q = { ...p };
      delete q.rgba;
      if (p.rgba && !p.hidden) q.sha256 = sha256(p.rgba);
      return q;
    }),
    texts: view.texts,
  };
}

/**
 * Assert that a view `got` (as `shown` gives it) is the view `want` Python wrote: the
 * same texts (every key), the same panels in the same order, and in each panel every
 * key of either side, with equal values. The keys come from the two panels themselves,
 * never from a list: a key one side sets and the other does not fails, by name.
 */
export function sameView(got, want, where = "") {
  const textKeys = [...new Set([...Object.keys(got.texts), ...Object.keys(want.texts)])];
  for (const key of textKeys) {
    assert.ok(key in got.texts, `${where}: text ${key} only in Python`);
    assert.ok(key in want.texts, `${where}: text ${key} only in the module`);
    assert.equal(got.texts[key], want.texts[key], `${where}: text ${key}`);
  }
  assert.equal(got.panels.length, want.panels.length, `${where}: panel count`);
  got.panels.forEach((p, j) => {
    const w = want.panels[j];
    const label = `${where}: panel ${j} (${w.name})`;
    for (const key of new Set([...Object.keys(p), ...Object.keys(w)])) {
      assert.ok(key in p, `${label}: key ${key} only in Python`);
      assert.ok(key in w, `${label}: key ${key} only in the module`);
      assert.deepEqual(p[key], w[key], `${label}: ${key}`);
    }
  });
}

/** Whether `value`, as JSON.stringify writes it, is the text `json`. A value JSON
 * cannot hold (undefined, NaN, ±Infinity, -0, anything but plain objects and arrays)
 * would vanish or change in the text, so it makes the texts differ. */
export function writesAs(value, json) {
  const plain = (k, v) => {
    const odd =
      v === undefined ||
      (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) ||
      (typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.getPrototypeOf(v) !== Object.prototype);
    return odd ? "\u0000 not JSON" : v;
  };
  return JSON.stringify(value, plain) === json;
}
