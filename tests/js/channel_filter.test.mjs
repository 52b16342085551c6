// ChannelFilter's module against a fixture tests/widgets/test_channel_filter.py writes
// (CONVTUTOR_CHANNEL_FILTER = its path): Python's view in every (channel, kernel
// followed) state and in random ones; and, in the page's own view, a kernel menu
// changes only its own channel's row. Skips when the variable is not set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, sha256, widgetModule } from "./fixture.mjs";

const path = process.env.CONVTUTOR_CHANNEL_FILTER;

async function load() {
  const mod = await widgetModule("channel_filter");
  const fixture = readFixture(path);
  return { mod, data: loadData(fixture.saved), fixture };
}

function shown(view) {
  return view.panels.map((p) => {
    const q = { ...p };
    delete q.rgba;
    delete q.scale;
    if (p.rgba) q.sha256 = sha256(p.rgba);
    return q;
  });
}

test("channel_filter: every (channel, kernel) state equals Python", async (t) => {
  if (!path) return t.skip("CONVTUTOR_CHANNEL_FILTER is not set");
  const { mod, data, fixture } = await load();
  assert.ok(fixture.cases.length >= 33);
  for (const [i, { state, view }] of fixture.cases.entries()) {
    const got = mod.view(data, state);
    assert.deepEqual(got.texts, view.texts, `case ${i}: texts`);
    const want = view.panels.map((p) => {
      const q = { ...p };
      delete q.scale;
      return q;
    });
    assert.deepEqual(shown(got), want, `case ${i}: panels`);
  }
});

test("channel_filter: a kernel menu changes only its own channel's row", async (t) => {
  if (!path) return t.skip("CONVTUTOR_CHANNEL_FILTER is not set");
  const { mod, data, fixture } = await load();
  for (const { state } of fixture.cases.slice(0, 12)) {
    const before = shown(mod.view(data, state));
    for (let c = 0; c < 3; c++) {
      for (const name of fixture.names) {
        if (name === state[`kernel_${c}`]) continue;
        const after = shown(mod.view(data, { ...state, [`kernel_${c}`]: name }));
        const changed = before
          .filter((p, j) => JSON.stringify(p) !== JSON.stringify(after[j]))
          .map((p) => p.name)
          .sort();
        assert.deepEqual(changed, [`kernel_${c}`, `output_${c}`], `${c} -> ${name}`);
      }
    }
  }
});
