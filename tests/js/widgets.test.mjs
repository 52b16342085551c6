// Every widget module against the fixtures convtutor wrote (tests/widgets/test_modules_node.py).
// Run by that test with CONVTUTOR_FIXTURES set; by hand: write the fixtures, then
//   CONVTUTOR_FIXTURES=DIR node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const STATIC = join(here, "..", "..", "convtutor", "widgets", "static");
const folder = process.env.CONVTUTOR_FIXTURES;

function dataOf(saved) {
  const { unpack } = commonModule;
  const arrays = {};
  for (const { path, data } of saved.buffers) {
    const bytes = Buffer.from(data, "base64");
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    arrays[path[path.length - 1]] = new DataView(copy.buffer);
  }
  const out = unpack(arrays, saved.state._meta);
  out.meta = saved.state._meta;
  return out;
}

const commonModule = await import(pathToFileURL(join(STATIC, "common.js")));

function shown(view) {
  return {
    panels: view.panels.map((p) => {
      const q = { ...p };
      delete q.rgba;
      if (p.rgba && !p.hidden) {
        q.sha256 = createHash("sha256").update(p.rgba).digest("hex");
        q.width = p.width;
        q.height = p.height;
      }
      return q;
    }),
    texts: view.texts,
  };
}

function pick(panel, keys) {
  return Object.fromEntries(keys.filter((k) => k in panel).map((k) => [k, panel[k]]));
}

const files = folder ? readdirSync(folder).filter((f) => f.endsWith(".json")) : [];

test("fixtures were written", () => {
  assert.ok(folder, "CONVTUTOR_FIXTURES is not set");
  assert.ok(files.length > 0, `no fixtures in ${folder}`);
});

for (const file of files) {
  const fixture = JSON.parse(readFileSync(join(folder, file), "utf8"));
  test(`${fixture.widget}: ${fixture.moves.length} moves equal Python`, async () => {
    const mod = await import(pathToFileURL(join(STATIC, `${fixture.module}.js`)));
    const data = dataOf(fixture.saved);
    const keys = ["name", "title", "hidden", "kind", "cells", "sha256", "width", "height", "mark", "row"];
    for (const [i, move] of fixture.moves.entries()) {
      const where = `move ${i}: ${move.name} = ${JSON.stringify(move.value)}`;
      let state = { ...move.start, [move.name]: move.value };
      if (mod.normalise) state = mod.normalise(state, data, move.name);
      assert.deepEqual(state, move.end, `${where}: state`);
      const got = shown(mod.view(data, state));
      assert.deepEqual(got.texts, move.view.texts, `${where}: texts`);
      assert.equal(got.panels.length, move.view.panels.length, `${where}: panel count`);
      got.panels.forEach((p, j) => {
        const want = move.view.panels[j];
        const k = keys.filter((key) => key in want || key in p);
        assert.deepEqual(pick(p, k), pick(want, k), `${where}: panel ${want.name}`);
      });
    }
  });
}
