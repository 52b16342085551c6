// ConvArithmetic: the window on a padded input, the output cell it makes, and the
// output-size formula with the numbers put in.
// Python mirror: convtutor/widgets/conv_arithmetic.py (describe, input_picture, output_picture).
// The output size and the window are a few additions, so the page evaluates them; the
// tests hold them equal to convtutor.conv_cost and to PyTorch's unfold for every
// setting of the sliders.
import { fillRect, fillTemplate, widgetModule } from "./common.js";

/** H_out = (H + 2p − d(k − 1) − 1) // s + 1; below 1 the kernel does not fit. */
export function outputSize(n, k, p, s, d) {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function lastPosition(state) {
  const { input_size: n, kernel_size: k, padding: p, stride: s, dilation: d } = state;
  const h = outputSize(n, k, p, s, d);
  return h >= 1 ? h * h - 1 : 0;
}

/** The position stays on the output (Python's ConvArithmetic.normalise). */
export function normalise(state) {
  return { ...state, position: Math.min(state.position, lastPosition(state)) };
}

/** The position slider's range follows the output size. */
export function limits(state) {
  const last = lastPosition(state);
  return { position: { max: last, disabled: last === 0 } };
}

/** The controls as slots, with the formula's numbers put in (Python's _numbers). */
function numbers(words, n, k, p, s, d) {
  const slots = { n: String(n), k: String(k), p: String(p), s: String(s), d: String(d) };
  return fillTemplate(words.numbers, slots);
}

export function formulaText(words, n, k, p, s, d) {
  const h = outputSize(n, k, p, s, d);
  let text = fillTemplate(words.formula, { h: String(h), numbers: numbers(words, n, k, p, s, d) });
  if (h < 1) {
    const span = String(d * (k - 1) + 1);
    text += fillTemplate(words.no_fit, { span, padded: String(n + 2 * p) });
  }
  return text;
}

export function outputTitle(words, n, k, p, s, d) {
  const h = outputSize(n, k, p, s, d);
  const key = h >= 1 ? "output_title" : "no_output_title";
  return fillTemplate(words[key], { h: String(h), numbers: numbers(words, n, k, p, s, d) });
}

export function inputTitle(words, n, p) {
  return fillTemplate(words.input_title, { n: String(n), p: String(p) });
}

export function positionText(words, n, k, p, s, d, position) {
  const h = outputSize(n, k, p, s, d);
  if (h < 1) return words.no_position;
  const q = Math.min(position, h * h - 1);
  const i = Math.floor(q / h);
  const j = q % h;
  const row = i * s - p;
  const col = j * s - p;
  return fillTemplate(words.position, {
    i: String(i),
    j: String(j),
    k: String(k),
    kk: String(k * k),
    s: String(s),
    p: String(p),
    products: words[k > 1 ? "products" : "product"],
    row: String(row),
    col: String(col),
    where: row < 0 || col < 0 ? words.in_padding : "",
  });
}

export function keyText(words, n, k, p, s, d) {
  if (outputSize(n, k, p, s, d) < 1) return words.key + words.no_window;
  return (
    words.key +
    fillTemplate(words.window, {
      d: String(d),
      k: String(k),
      span: String(d * (k - 1) + 1),
      cells: words[d * (k - 1) ? "cells" : "cell"],
      kk: String(k * k),
      taps: words[k > 1 ? "taps" : "tap"],
    })
  );
}

/** The taps of output cell `position`, [row, column] of the PADDED input, row by row. */
export function windowTaps(n, k, p, s, d, position) {
  const h = outputSize(n, k, p, s, d);
  if (h < 1) return [];
  const i = Math.floor(position / h);
  const j = position % h;
  const taps = [];
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) taps.push([i * s + d * a, j * s + d * b]);
  return taps;
}

/** Everything shown but the pixels (Python's describe). */
export function describe(state, meta) {
  const { input_size: n, kernel_size: k, padding: p, stride: s, dilation: d, position } = state;
  const words = meta.text;
  const h = outputSize(n, k, p, s, d);
  const fits = h >= 1;
  const cell = fits ? [Math.floor(position / h), position % h] : null;
  return {
    h_out: h,
    cell,
    window: fits ? [cell[0] * s, cell[1] * s, d * (k - 1) + 1] : null,
    taps: windowTaps(n, k, p, s, d, position),
    titles: { input: inputTitle(words, n, p), output: outputTitle(words, n, k, p, s, d) },
    texts: {
      formula: formulaText(words, n, k, p, s, d),
      position: positionText(words, n, k, p, s, d, position),
      key: keyText(words, n, k, p, s, d),
    },
  };
}

// ---- the pixels -------------------------------------------------------------------
function fill(pic, x0, y0, w, h, palette, index) {
  fillRect(pic.rgba, pic.width, x0, y0, w, h, palette, index);
}

function frame(pic, x0, y0, w, h, t, palette, index) {
  fill(pic, x0, y0, w, t, palette, index);
  fill(pic, x0, y0 + h - t, w, t, palette, index);
  fill(pic, x0, y0, t, h, palette, index);
  fill(pic, x0 + w - t, y0, t, h, palette, index);
}

/** codes (rows of palette indices) as CELL x CELL squares with grid lines. */
function paintCells(codes, palette, meta) {
  const cell = meta.cell;
  const grid = meta.codes.grid;
  const rows = codes.length;
  const cols = codes[0].length;
  const pic = { width: cols * cell, height: rows * cell };
  pic.rgba = new Uint8ClampedArray(pic.width * pic.height * 4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) fill(pic, c * cell, r * cell, cell, cell, palette, codes[r][c]);
  }
  for (let r = 0; r < rows; r++) fill(pic, 0, r * cell, pic.width, 1, palette, grid);
  fill(pic, 0, pic.height - 1, pic.width, 1, palette, grid);
  for (let c = 0; c < cols; c++) fill(pic, c * cell, 0, 1, pic.height, palette, grid);
  fill(pic, pic.width - 1, 0, 1, pic.height, palette, grid);
  return pic;
}

export function inputPicture(state, d, palette, meta) {
  const { input_size: n, padding: p } = state;
  const cell = meta.cell;
  const full = n + 2 * p;
  const codes = Array.from({ length: full }, (_, r) =>
    Array.from({ length: full }, (_, c) => (r >= p && r < p + n && c >= p && c < p + n ? 1 : 2)),
  );
  for (const [r, c] of d.taps) codes[r][c] += 2;
  const pic = paintCells(codes, palette, meta);
  frame(pic, p * cell, p * cell, n * cell, n * cell, 2, palette, meta.codes.black);
  if (d.window) {
    const [top, left, extent] = d.window;
    frame(pic, left * cell, top * cell, extent * cell, extent * cell, 3, palette, meta.codes.blue);
  }
  const [at, size] = meta.dot;
  for (const [r, c] of d.taps) {
    fill(pic, c * cell + at, r * cell + at, size, size, palette, meta.codes.black);
  }
  return pic;
}

export function outputPicture(d, palette, meta) {
  const cell = meta.cell;
  if (!d.cell) {
    const pic = { width: cell, height: cell, rgba: new Uint8ClampedArray(cell * cell * 4) };
    fill(pic, 0, 0, cell, cell, palette, 0);
    return pic;
  }
  const h = d.h_out;
  const [i, j] = d.cell;
  const codes = Array.from({ length: h }, (_, r) =>
    Array.from({ length: h }, (_, c) => (r === i && c === j ? 6 : 5)),
  );
  const pic = paintCells(codes, palette, meta);
  frame(pic, j * cell, i * cell, cell, cell, 3, palette, meta.codes.blue);
  return pic;
}

export function view(data, state) {
  const meta = data.meta;
  const d = describe(state, meta);
  const input = inputPicture(state, d, data.palette, meta);
  const output = outputPicture(d, data.palette, meta);
  return {
    panels: [
      { name: "input", scale: 1, title: d.titles.input, ...input },
      { name: "output", scale: 1, title: d.titles.output, ...output },
    ],
    texts: d.texts,
  };
}

export default widgetModule(view, { normalise, limits });
