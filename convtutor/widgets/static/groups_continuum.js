// GroupsContinuum: a convolution with g groups, from standard (g = 1) to depth-wise (g = C).
// Python mirror: convtutor/widgets/groups_continuum.py (GroupsContinuum.view, .normalise, counts,
// grid_picture, bars_picture). The page computes only products and rectangles; the
// PyTorch checks come from Python (meta.checks).
import { fillTemplate, formatCount, keptGroup, widgetModule } from "./common.js";

/** The state after control `changed` moved (null: the first state). */
export function normalise(state, data, changed) {
  const s = { ...state };
  // a <select> gives text: the menus hold numbers
  s.channels = Number(s.channels);
  s.size = Number(s.size);
  const options = data.meta.divisors[String(s.channels)];
  if (changed === "channels") s.g_index = keptGroup(s.groups ?? 1, options);
  s.g_index = Math.min(s.g_index, options.length - 1);
  s.groups = options[s.g_index];
  return s;
}

/** The g slider runs over the divisors of C. */
export function limits(state, data) {
  const options = data.meta.divisors[String(state.channels)];
  return { g_index: { max: options.length - 1 } };
}

/** [weights, macs, standard]: C·C·k²/g, that times size², and the g = 1 weights. */
export function counts(c, g, k, size) {
  const standard = c * c * k * k;
  const weights = standard / g; // g divides C: a whole number
  return [weights, weights * size * size, standard];
}

function rgbaOf(idx, palette) {
  const rgba = new Uint8ClampedArray(idx.length * 4);
  for (let i = 0; i < idx.length; i++) {
    rgba[i * 4] = palette[idx[i] * 3];
    rgba[i * 4 + 1] = palette[idx[i] * 3 + 1];
    rgba[i * 4 + 2] = palette[idx[i] * 3 + 2];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** The C_out x C_in grid of kernels: group blocks blue / orange, zeros white. */
export function gridPicture(c, g, palette, meta) {
  const col = meta.colours;
  const cell = Math.floor(meta.grid_side / c);
  const side = c * cell + 1;
  const idx = new Uint8Array(side * side).fill(col.white);
  const hline = (y, v) => idx.fill(v, y * side, (y + 1) * side);
  const vline = (x, v) => {
    for (let y = 0; y < side; y++) idx[y * side + x] = v;
  };
  for (let j = 0; j <= c; j++) {
    hline(j * cell, col.line);
    vline(j * cell, col.line);
  }
  for (const j of [0, c]) {
    hline(j * cell, col.frame);
    vline(j * cell, col.frame);
  }
  const per = c / g;
  for (let o = 0; o < c; o++) {
    for (let i = 0; i < c; i++) {
      const group = Math.floor(o / per);
      if (group !== Math.floor(i / per)) continue;
      const v = group % 2 === 0 ? col.blue : col.orange;
      for (let y = o * cell + 1; y < (o + 1) * cell; y++) {
        idx.fill(v, y * side + i * cell + 1, y * side + (i + 1) * cell);
      }
    }
  }
  return { rgba: rgbaOf(idx, palette), width: side, height: side };
}

/** One bar per value, the largest meta.bars.max pixels tall; bar `current` blue. */
export function barsPicture(values, current, palette, meta) {
  const col = meta.colours;
  const { pad, slot, width: barWidth, max } = meta.bars;
  const n = values.length;
  const width = 2 * pad + (n - 1) * slot + barWidth;
  const height = 2 * pad + max + 1;
  const axis = pad + max;
  const top = Math.max(...values);
  const idx = new Uint8Array(width * height).fill(col.white);
  idx.fill(col.frame, axis * width, (axis + 1) * width);
  values.forEach((v, j) => {
    const h = Math.max(1, Math.floor((max * v) / top));
    const x0 = pad + j * slot;
    const colour = j === current ? col.current : col.bar;
    for (let y = axis - h; y < axis; y++) {
      idx.fill(colour, y * width + x0, y * width + x0 + barWidth);
    }
  });
  return { rgba: rgbaOf(idx, palette), width, height };
}

function kindText(words, c, g) {
  if (g === 1) return fillTemplate(words.kind_standard, { c: String(c) });
  if (g === c) return fillTemplate(words.kind_depthwise, { c: String(c) });
  return fillTemplate(words.kind_grouped, { c: String(c), g: String(g), per: String(c / g) });
}

export function view(data, state) {
  const meta = data.meta;
  const words = meta.text;
  const palette = data.palette;
  const c = state.channels;
  const g = state.groups;
  const k = state.kernel_size;
  const size = state.size;
  const options = meta.divisors[String(c)];
  const [weights, macs, standard] = counts(c, g, k, size);
  const per = c / g;
  const [c_, g_, k_, size_] = [String(c), String(g), String(k), String(size)];
  const blocks = fillTemplate(words[g > 1 ? "blocks" : "block"], { g: g_, per: String(per) });
  const panels = [];
  const grid = gridPicture(c, g, palette, meta);
  panels.push({
    name: "grid",
    title: fillTemplate(words.grid_title, { c: c_, k: k_, blocks }),
    ...grid,
    scale: 1,
  });
  const allWeights = options.map((d) => counts(c, d, k, size)[0]);
  panels.push({
    name: "bars",
    title: fillTemplate(words.bars_title, { options: options.join(", "), g: g_ }),
    ...barsPicture(allWeights, state.g_index, palette, meta),
    scale: 1,
  });
  const bg = meta.table_bg;
  const header = { bg: bg.header, fg: "#000000" };
  const rows = ["row_g", "row_shape", "row_weights", "row_macs"].map((key) => [
    { text: words[key], ...header },
  ]);
  options.forEach((d, j) => {
    const [wd, md] = counts(c, d, k, size);
    const cell = { bg: j === state.g_index ? bg.current : bg.plain, fg: "#000000" };
    if (j === state.g_index) cell.em = true;
    const texts = [String(d), `(${c}, ${c / d}, ${k}, ${k})`, formatCount(wd), formatCount(md)];
    rows.forEach((row, r) => row.push({ text: texts[r], ...cell }));
  });
  panels.push({
    name: "table",
    kind: "table",
    row: 1,
    title: fillTemplate(words.table_title, { c: c_, k: k_, size: size_, g: g_ }),
    cells: rows,
  });
  const check = meta.checks[`${c}/${g}/${k}`];
  const diff = check.diff_text;
  const texts = {
    kind: kindText(words, c, g),
    shape: fillTemplate(words.shape, { c: c_, per: String(per), k: k_ }),
    weights: fillTemplate(words[g === 1 ? "weights" : "weights_grouped"], {
      c: c_,
      kk: String(k * k),
      g: g_,
      weights: formatCount(weights),
      standard: formatCount(standard),
    }),
    macs: fillTemplate(words.macs, {
      size: size_,
      c: c_,
      weights: formatCount(weights),
      macs: formatCount(macs),
    }),
    check: fillTemplate(words.check, {
      c: c_,
      k: k_,
      g: g_,
      params: formatCount(check.torch_params),
      agree: words[check.torch_params === weights ? "agree" : "disagree"],
      n: String(meta.check_size),
      same: diff === "0" ? words.same : fillTemplate(words.differ, { diff }),
    }),
  };
  return { panels, texts };
}

/** The g slider's readout and aria-valuetext say g, not its position among the divisors. */
function sayGroups(el, state, words) {
  const input = el.querySelector('input[data-name="g_index"]');
  if (!input) return;
  const text = String(state.groups);
  const readout = input.parentElement.querySelector("output");
  if (readout && readout.textContent !== text) readout.textContent = text;
  const say = words[state.groups > 1 ? "say_groups" : "say_group"];
  input.setAttribute("aria-valuetext", fillTemplate(say, { g: text }));
}

export default {
  render({ model, el }) {
    // common.js sets each control's readout, then calls view: say g right after.
    const shown = (data, state) => {
      const v = view(data, state);
      sayGroups(el, state, data.meta.text);
      return v;
    };
    return widgetModule(shown, { normalise, limits }).render({ model, el });
  },
};
