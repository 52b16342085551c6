// What the tests/js/*.test.mjs files share: loading a widget's module, reading the fixture
// a Python test wrote, turning a saved widget's buffers into the data its module draws
// from, and a view with its pictures as SHA-256 digests. Not a test itself (node --test
// runs only *.test.mjs here).
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
