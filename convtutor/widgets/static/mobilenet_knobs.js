// MobileNetKnobs: MobileNet v1's cost at a width multiplier and an input side.
// Python mirror: convtutor/widgets/mobilenet_knobs.py (MobileNetKnobs.view, bars_picture).
// Python computed every state of the grid (meta.states: the table, the texts, the bar
// lengths); the page looks the state up and paints the bars. It computes nothing else.
import { widgetModule } from "./common.js";

/** Where a state sits in meta.states (Python's state_index). */
export function stateIndex(state, grid) {
  const [a0, , da] = grid.alpha;
  const [s0, , ds] = grid.resolution;
  const i = Math.round((state.alpha - a0) / da);
  const j = Math.round((state.resolution - s0) / ds);
  return i * grid.sides + j;
}

function fill(rgba, width, x0, y0, w, h, palette, index) {
  const [r, g, b] = [palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const j = (y * width + x) * 4;
      rgba[j] = r;
      rgba[j + 1] = g;
      rgba[j + 2] = b;
      rgba[j + 3] = 255;
    }
  }
}

/** The bars' pixels (Python's bars_picture). */
export function barsPicture(lengths, palette, bar) {
  const { width, height } = bar;
  const rgba = new Uint8ClampedArray(width * height * 4);
  fill(rgba, width, 0, 0, width, height, palette, 0);
  fill(rgba, width, bar.length, 0, 1, height, palette, 2);
  fill(rgba, width, 0, 0, 1, height, palette, 1);
  lengths.forEach((length, i) => {
    const y = bar.pad + i * (bar.bar_height + bar.gap);
    fill(rgba, width, 1, y, length, bar.bar_height, palette, 3 + i);
  });
  return rgba;
}

export function view(data, state) {
  const meta = data.meta;
  const d = meta.states[stateIndex(state, meta.grid)];
  const { width, height } = meta.bar;
  return {
    panels: [
      { name: "table", kind: "table", title: meta.titles.table, cells: d.cells },
      {
        name: "bars",
        row: 1,
        scale: 1,
        title: meta.titles.bars,
        width,
        height,
        rgba: barsPicture(d.lengths, data.palette, meta.bar),
      },
    ],
    texts: { ...d.texts },
  };
}

export default widgetModule(view);
