// SobelSeparability: a kernel as column × row; the 2-D filter against two 1-D passes.
// Python mirror: convtutor/widgets/sobel_separability.py (SobelSeparability.shown, .view, .texts).
//
// Python shipped, once: the kernels before noise (`base`), the noise directions
// (`noise`), for every kernel and every perturb value the things that are not linear
// in it (`product` = column × row, `factors`, `singular`, `scalars` = rank, error,
// relative error, largest difference), and `shifts`: the photo filtered with each
// one-hot 7x7 kernel. Here: look-ups, and sums of those arrays.
import {
  fillTemplate,
  formatCount,
  formatNumber,
  mapValues,
  plane,
  symmetricLimit,
  tableCells,
  widgetModule,
  formatSignificant,
} from "./common.js";

const SUBSCRIPTS = "₁₂₃₄₅₆₇";

/** Which kernel before noise the state shows: its row in the shipped tables. */
export function configIndex(state, meta) {
  const named = meta.named.indexOf(state.kernel);
  if (named >= 0) return named;
  // the Gaussian: the one kernel not named, which follows the size and sigma sliders
  const size = meta.sizes.indexOf(state.size);
  const sigma = Math.floor((state.sigma - meta.sigma.min) / meta.sigma.step + 0.5);
  return meta.named.length + size * meta.sigma.count + sigma;
}

/** The size and sigma sliders work for the Gaussian only (the one kernel not in meta.named). */
export function limits(state, data) {
  const off = data.meta.named.includes(state.kernel);
  return { size: { disabled: off }, sigma: { disabled: off } };
}

/** A k x k block of a flat array of 7 x 7 blocks, starting at block `block`. */
function square(arr, block, k, window) {
  const out = [];
  for (let i = 0; i < k; i++) {
    const row = [];
    for (let j = 0; j < k; j++) row.push(arr[(block * window + i) * window + j]);
    out.push(row);
  }
  return out;
}

/** The numbers the page paints (Python: SobelSeparability.shown). */
export function shown(data, state) {
  const meta = data.meta;
  const c = configIndex(state, meta);
  const cfg = meta.configs[c];
  const k = cfg.size;
  const window = meta.window;
  const half = Math.floor(window / 2);
  const steps = meta.perturb.count;
  const ti = Math.floor((state.perturb - meta.perturb.min) / meta.perturb.step + 0.5);
  const t = state.perturb;
  const b = square(data.base, c, k, window);
  const n = square(data.noise, meta.sizes.indexOf(k), k, window);
  const kernel = b.map((row, i) => row.map((x, j) => x + t * cfg.norm * n[i][j]));
  const record = c * steps + ti;
  const product = square(data.product, record, k, window);
  const column = [];
  const row = [];
  const singular = [];
  for (let i = 0; i < k; i++) {
    column.push(data.factors[(record * 2) * window + i]);
    row.push(data.factors[(record * 2 + 1) * window + i]);
    singular.push(data.singular[record * window + i]);
  }
  const scalars = data.scalars.subarray(record * 4, record * 4 + 4);
  const shifts = data.shifts;
  const [, h, w] = shifts.shape;
  const size = h * w;
  const direct = new Float64Array(size);
  const passes = new Float64Array(size);
  const offset = half - Math.floor(k / 2); // kernel entry (i, j) -> shift (i + offset, j + offset)
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const shift = plane(shifts, (i + offset) * window + (j + offset));
      const a = kernel[i][j];
      const p = product[i][j];
      for (let q = 0; q < size; q++) {
        direct[q] += a * shift[q];
        passes[q] += p * shift[q];
      }
    }
  }
  const difference = new Float64Array(size);
  for (let q = 0; q < size; q++) difference[q] = direct[q] - passes[q];
  return {
    config: c,
    step: ti,
    size: k,
    width: w,
    height: h,
    kernel,
    column,
    row,
    product,
    residual: kernel.map((r, i) => r.map((x, j) => x - product[i][j])),
    singular,
    rank: Math.round(scalars[0]),
    error: scalars[1],
    relative: scalars[2],
    difference: scalars[3],
    direct,
    passes,
    pictureDifference: difference,
  };
}

/** meta.text[entry] filled with `slots` (Python: _say). */
const say = (data, entry, slots = {}) => fillTemplate(data.meta.text[entry], slots);

const num = formatCount;

/** The lines under the pictures (Python: SobelSeparability.texts). */
export function texts(data, v) {
  const { size: k, rank } = v;
  let verdict;
  let error;
  if (rank === 1) {
    verdict = say(data, "verdict_separable");
    error = "";
  } else {
    verdict = say(data, "verdict_not_separable", { rank: num(rank) });
    error = say(data, "error", {
      error: formatSignificant(v.error, 3),
      percent: formatNumber(100 * v.relative, 1),
    });
  }
  const d = v.difference;
  let difference;
  if (d === 0) difference = say(data, "difference_zero");
  else if (d < 1e-12) {
    difference = say(data, "difference_rounding", { difference: formatSignificant(d, 2) });
  } else difference = say(data, "difference", { difference: formatSignificant(d, 3) });
  let cost = say(data, "cost", { k: num(k), square: num(k * k), passes: num(2 * k) });
  if (rank > 1) {
    const exact = say(data, "cost_exact",
      { rank: num(rank), passes: num(2 * k), pairs: num(2 * rank * k) }); // prettier-ignore
    cost = `${cost} ${exact}`;
  }
  return { verdict, error, difference, cost };
}

export function view(data, state) {
  const meta = data.meta;
  const v = shown(data, state);
  const cfg = meta.configs[v.config];
  const { size: k, rank, width: w, height: h } = v;
  const separable = rank === 1;
  const best = separable ? "" : "_best"; // the titles' form for a rank-1 approximation
  const diverging = data.lut_diverging;
  const grey = data.lut_grey;
  const limit = symmetricLimit(v.kernel.flat());
  const singularCells = tableCells([v.singular], 0, v.singular[0], data.lut_singular)[0].map(
    (cell, i) => ({
      ...cell,
      text: i < rank ? formatSignificant(v.singular[i], 3) : "0",
      em: i < rank,
    }),
  );
  const labels = v.singular.map((_, i) => ({
    text: `σ${SUBSCRIPTS[i]}`,
    bg: "#ffffff",
    fg: "#000000",
    em: false,
  }));
  const columnLimit = symmetricLimit(v.column);
  const rowLimit = symmetricLimit(v.row);
  const panels = [
    {
      name: "kernel",
      kind: "table",
      row: 0,
      title: say(data, "kernel_title", { k: num(k) }),
      cells: tableCells(v.kernel, -limit, limit, diverging),
    },
    {
      name: "column",
      kind: "table",
      row: 0,
      title: say(data, `column_title${best}`),
      cells: tableCells(
        v.column.map((x) => [x]),
        -columnLimit,
        columnLimit,
        diverging,
      ),
    },
    {
      name: "row",
      kind: "table",
      row: 0,
      title: say(data, `row_title${best}`),
      cells: tableCells([v.row], -rowLimit, rowLimit, diverging),
    },
    {
      name: "product",
      kind: "table",
      row: 1,
      title: say(data, `product_title${best}`),
      cells: tableCells(v.product, -limit, limit, diverging),
    },
    {
      name: "residual",
      kind: "table",
      row: 1,
      title: say(data, "residual_title"),
      cells: tableCells(v.residual, -limit, limit, diverging),
    },
    {
      name: "singular",
      kind: "table",
      row: 1,
      title: say(data, "singular_title", { rank: num(rank) }),
      cells: [labels, singularCells],
    },
  ];
  const { lo, hi } = cfg;
  const [table, key] =
    cfg.kind === "grey"
      ? [grey, say(data, "grey_key", { lo: formatNumber(lo), hi: formatNumber(hi) })]
      : [diverging, say(data, "signed_key", { limit: formatNumber(hi) })];
  const n = w * h;
  const top = meta.top;
  const photoKey = say(data, "grey_key", { lo: formatNumber(0), hi: formatNumber(top) });
  const differenceKey = say(data, "signed_key", { limit: formatSignificant(cfg.diff, 3) });
  const pictures = [
    [
      "photo",
      say(data, "photo_title", { key: photoKey }),
      mapValues(plane(data.shifts, Math.floor((meta.window * meta.window) / 2)), 0, top, grey, n),
    ],
    [
      "direct",
      say(data, "direct_title", { n: num(k * k), key }),
      mapValues(v.direct, lo, hi, table, n),
    ],
    [
      "passes",
      say(data, `passes_title${best}`, { n: num(2 * k), key }),
      mapValues(v.passes, lo, hi, table, n),
    ],
    [
      "difference",
      say(data, "difference_title", { key: differenceKey }),
      mapValues(v.pictureDifference, -cfg.diff, cfg.diff, diverging, n),
    ],
  ];
  for (const [name, title, rgba] of pictures) {
    panels.push({ name, row: 2, title, rgba, width: w, height: h, scale: 2 });
  }
  return { panels, texts: texts(data, v) };
}

export default widgetModule(view, { limits });
