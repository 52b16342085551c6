// Every widget module against the fixtures convtutor wrote (tests/widgets/test_modules_node.py).
// Run by that test with CONVTUTOR_FIXTURES set; by hand: write the fixtures, then
//   CONVTUTOR_FIXTURES=DIR node --test tests/js/
//
// Everything the page shows is compared: every key of every panel (the union of both
// sides' keys, so a key one side sets and the other does not fails), the pictures by
// SHA-256, and every text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadData, readFixture, sameView, shown, widgetModule } from "./fixture.mjs";

const folder = process.env.CONVTUTOR_FIXTURES;

const files = folder ? readdirSync(folder).filter((f) => f.endsWith(".json")) : [];

test("fixtures were written", () => {
  assert.ok(folder, "CONVTUTOR_FIXTURES is not set");
  assert.ok(files.length > 0, `no fixtures in ${folder}`);
});

for (const file of files) {
  const fixture = readFixture(join(folder, file));
  test(`${fixture.widget}: ${fixture.moves.length} moves equal Python`, async () => {
    const mod = await widgetModule(fixture.module);
    const data = loadData(fixture.saved);
    for (const [i, move] of fixture.moves.entries()) {
      const where = `move ${i}: ${move.name} = ${JSON.stringify(move.value)}`;
      let state = { ...move.start, [move.name]: move.value };
      if (mod.normalise) state = mod.normalise(state, data, move.name);
      assert.deepEqual(state, move.end, `${where}: state`);
      sameView(shown(mod.view(data, state)), move.view, where);
    }
  });
}
