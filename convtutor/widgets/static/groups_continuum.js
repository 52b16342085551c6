// GroupsContinuum: a convolution with g groups, from standard (g = 1) to depth-wise (g = C).
// Python mirror: convtutor/widgets/groups_continuum.py (GroupsContinuum.view, .normalise, counts,
// grid_picture, bars_picture). The page computes only products and rectangles; the
// PyTorch checks come from Python (meta.checks).
import { formatCount, widgetModule } from "./common.js";

/** The state after control `changed` moved (null: the first state). */
export function normalise(state, data, changed) {
  const s = { ...state };
  // a <select> gives text: the menus hold numbers
  s.channels = Number(s.channels);
  s.size = Number(s.size);
  const options = data.meta.divisors[String(s.channels)];
  if (changed === "channels") {
    const old = s.groups ?? 1;
    let j = 0;
    options.forEach((d, i) => {
      if (d <= old) j = i;
    });
    s.g_index = j;
  }
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

function kindText(c, g) {
  if (g === 1) {
    return `g = 1: a standard convolution. Each of the ${c} filters sees all ${c} input channels.`;
  }
  if (g === c) {
    return `g = C = ${c}: a depth-wise convolution. Each filter sees only its own input channel.`;
  }
  const per = c / g;
  return (
    `g = ${g}: a grouped convolution, between the two. The ${c} channels split into ` +
    `${g} groups of ${per}; each filter sees only the ${per} input channels of its group.`
  );
}

export function view(data, state) {
  const meta = data.meta;
  const palette = data.palette;
  const c = state.channels;
  const g = state.groups;
  const k = state.kernel_size;
  const size = state.size;
  const options = meta.divisors[String(c)];
  const [weights, macs, standard] = counts(c, g, k, size);
  const per = c / g;
  const blocks = `${g} block${g > 1 ? "s" : ""} of ${per} × ${per}`;
  const panels = [];
  const grid = gridPicture(c, g, palette, meta);
  panels.push({
    name: "grid",
    title:
      `the weight as a ${c} × ${c} grid: row = output channel, column = input channel\n` +
      `coloured: a ${k}×${k} kernel (${blocks}); white: always 0`,
    ...grid,
    scale: 1,
  });
  const allWeights = options.map((d) => counts(c, d, k, size)[0]);
  panels.push({
    name: "bars",
    title: `weights for g = ${options.join(", ")}\n(left to right; g = ${g} in blue)`,
    ...barsPicture(allWeights, state.g_index, palette, meta),
    scale: 1,
  });
  const bg = meta.table_bg;
  const header = { bg: bg.header, fg: "#000000" };
  const rows = [
    [{ text: "g", ...header }],
    [{ text: "weight shape", ...header }],
    [{ text: "weights", ...header }],
    [{ text: "MACs", ...header }],
  ];
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
    title: `every g for C = ${c}, k = ${k}, a ${size}×${size} input (g = ${g} outlined)`,
    cells: rows,
  });
  const check = meta.checks[`${c}/${g}/${k}`];
  const weightsText =
    g === 1
      ? `Weights: C_in·C_out·k²/g = ${c}·${c}·${k * k}/1 = ${formatCount(weights)}.`
      : `Weights: C_in·C_out·k²/g = ${c}·${c}·${k * k}/${g} = ${formatCount(weights)}, ` +
        `1/${g} of the standard layer's ${formatCount(standard)}.`;
  const agree =
    check.torch_params === weights ? "the number counted above" : "NOT the number counted above";
  const diff = check.diff_text;
  const same = diff === "0" ? "agree exactly" : `differ by at most ${diff} (float64 rounding)`;
  const texts = {
    kind: kindText(c, g),
    shape: `PyTorch's weight shape: (C_out, C_in/g, k, k) = (${c}, ${c / g}, ${k}, ${k}).`,
    weights: weightsText,
    macs:
      `MACs for a ${size}×${size} input (padding "same", stride 1, so a ${c}×${size}×` +
      `${size} output): ${formatCount(weights)} × ${size}·${size} = ${formatCount(macs)}.`,
    check:
      `Checked in Python: torch.nn.Conv2d(${c}, ${c}, ${k}, groups=${g}, bias=False) has ` +
      `${formatCount(check.torch_params)} parameters, ${agree}; on a seeded ` +
      `1×${c}×${meta.check_size}×${meta.check_size} input, ct.conv2d and ` +
      `torch.nn.functional.conv2d (groups=${g}, padding "same") ${same}.`,
  };
  return { panels, texts };
}

/** The g slider's readout and aria-valuetext say g, not its position among the divisors. */
function sayGroups(el, state) {
  const input = el.querySelector('input[data-name="g_index"]');
  if (!input) return;
  const text = String(state.groups);
  const readout = input.parentElement.querySelector("output");
  if (readout && readout.textContent !== text) readout.textContent = text;
  input.setAttribute("aria-valuetext", `${text} group${state.groups > 1 ? "s" : ""}`);
}

export default {
  render({ model, el }) {
    // common.js sets each control's readout, then calls view: say g right after.
    const shown = (data, state) => {
      const v = view(data, state);
      sayGroups(el, state);
      return v;
    };
    return widgetModule(shown, { normalise, limits }).render({ model, el });
  },
};
