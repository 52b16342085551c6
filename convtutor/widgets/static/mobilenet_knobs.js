// MobileNetKnobs: MobileNet v1's cost at a width multiplier and an input side.
// Python mirror: convtutor/widgets/mobilenet_knobs.py (MobileNetKnobs.view, bars_picture).
// Python computed every state of the grid (meta.states: the table, the texts, the bar
// lengths); the page looks the state up and paints the bars. It computes nothing else.
import { barChart, widgetModule } from "./common.js";

/** Where a state sits in meta.states (Python's state_index). */
export function stateIndex(state, grid) {
  const [a0, , da] = grid.alpha;
  const [s0, , ds] = grid.resolution;
  const i = Math.round((state.alpha - a0) / da);
  const j = Math.round((state.resolution - s0) / ds);
  return i * grid.sides + j;
}

/** The bars' pixels (Python's bars_picture). */
export function barsPicture(lengths, palette, bar) {
  return barChart(lengths, palette, bar, 3, 2);
}

export function view(data, state) {
  const meta = data.meta;
  const d = meta.states[stateIndex(state, meta.grid)];
  const { width, height } = meta.bar;
  return {
    panels: [
      { name: "table", kind: "table", title: meta.text.table_title, cells: d.cells },
      {
        name: "bars",
        row: 1,
        scale: 1,
        title: meta.text.bars_title,
        width,
        height,
        rgba: barsPicture(d.lengths, data.palette, meta.bar),
      },
    ],
    texts: { ...d.texts },
  };
}

export default widgetModule(view);
