// mobilenet_knobs.js against Python over the WHOLE control grid
// (tests/widgets/test_mobilenet_knobs.py writes the fixture and runs this with
// CONVTUTOR_KNOBS_FIXTURE set; without it, as under test_modules_node.py, it skips).
// The fixture: the saved widget, and Python's view of every state (pictures as SHA-256).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadData, readFixture, shown, widgetModule } from "./fixture.mjs";

const file = process.env.CONVTUTOR_KNOBS_FIXTURE;
const skip = file
  ? false
  : "CONVTUTOR_KNOBS_FIXTURE is not set (tests/widgets/test_mobilenet_knobs.py sets it)";

test("view equals Python for every state of the grid", { skip }, async () => {
  const fixture = readFixture(file);
  const mod = await widgetModule("mobilenet_knobs");
  const data = loadData(fixture.saved);
  const { alpha, resolution } = fixture.controls;
  let count = 0;
  for (let i = 0; alpha.min + i * alpha.step <= alpha.max + 1e-9; i++) {
    // the value the page's slider gives (common.js snap: six digits)
    const a = Number((alpha.min + i * alpha.step).toFixed(6));
    for (let side = resolution.min; side <= resolution.max; side += resolution.step) {
      const state = { alpha: a, resolution: side };
      const want = fixture.views[count];
      assert.deepEqual(want.state, state, `state ${count}`);
      assert.deepEqual(shown(mod.view(data, state)), want.view, JSON.stringify(state));
      count += 1;
    }
  }
  assert.equal(count, fixture.views.length);
  assert.equal(count, 16 * 9);
});
