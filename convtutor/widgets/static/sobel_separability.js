// SobelSeparability: a kernel as column × row; the 2-D filter against two 1-D passes.
// Python mirror: convtutor/widgets/sobel_separability.py (SobelSeparability.shown, .view, .texts).
//
// Python shipped, once: the kernels before noise (`base`), the noise directions
// (`noise`), for every kernel and every perturb value the things that are not linear
// in it (`product` = column × row, `factors`, `singular`, `scalars` = rank, error,
// relative error, largest difference), and `shifts`: the photo filtered with each
// one-hot 7x7 kernel. Here: look-ups, and sums of those arrays.
import {
  formatNumber,
  mapValues,
  plane,
  symmetricLimit,
  tableCells,
  widgetModule,
} from "./common.js";

const SUBSCRIPTS = "₁₂₃₄₅₆₇";

/** `v` to `digits` significant digits, no trailing zeros (Python: format_significant). */
export function formatSignificant(v, digits = 3) {
  if (v === 0 || !Number.isFinite(v)) return "0";
  const [m, e] = v.toPrecision(digits).split("e");
  const mantissa = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
  return e === undefined ? mantissa : `${mantissa}e${e}`;
}

/** Which kernel before noise the state shows: its row in the shipped tables. */
export function configIndex(state, meta) {
  if (state.kernel !== "Gaussian") return meta.named.indexOf(state.kernel);
  const size = meta.sizes.indexOf(state.size);
  const sigma = Math.floor((state.sigma - meta.sigma.min) / meta.sigma.step + 0.5);
  return meta.named.length + size * meta.sigma.count + sigma;
}

/** The size and sigma sliders work for the Gaussian only. */
export function limits(state) {
  const off = state.kernel !== "Gaussian";
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

/** The lines under the pictures (Python: SobelSeparability.texts). */
export function texts(v) {
  const { size: k, rank } = v;
  const verdict =
    rank === 1
      ? "Separable (rank 1): the kernel is exactly column × row, so two 1-D passes " +
        "give the 2-D filter's picture."
      : `Not separable (rank ${rank}): no column × row equals this kernel.`;
  const error =
    rank === 1
      ? ""
      : "The closest column × row (the rank-1 approximation) is off by " +
        `‖K − column × row‖ = ${formatSignificant(v.error)}, ` +
        `${formatNumber(100 * v.relative, 1)} % of ‖K‖.`;
  const d = v.difference;
  let difference;
  if (d === 0) difference = "The two pictures are identical: max |2-D − two passes| = 0.";
  else if (d < 1e-12)
    difference =
      `The two pictures agree: max |2-D − two passes| = ${formatSignificant(d, 2)}, ` +
      "which is 0 up to rounding.";
  else difference = `The two pictures differ: max |2-D − two passes| = ${formatSignificant(d)}.`;
  let cost =
    `Multiplies per pixel: 2-D filter ${k}² = ${k * k}; two 1-D passes ${k} + ${k} = ` +
    `${2 * k}.`;
  if (rank > 1)
    cost += ` Exact with passes: ${rank} column-row pairs, ${rank} × ${2 * k} = ${2 * rank * k}.`;
  return { verdict, error, difference, cost };
}

export function view(data, state) {
  const meta = data.meta;
  const v = shown(data, state);
  const cfg = meta.configs[v.config];
  const { size: k, rank, width: w, height: h } = v;
  const separable = rank === 1;
  const diverging = data.lut_diverging;
  const grey = data.lut_grey;
  const limit = symmetricLimit(v.kernel.flat());
  const singularCells = tableCells([v.singular], 0, v.singular[0], data.lut_singular)[0].map(
    (cell, i) => ({
      ...cell,
      text: i < rank ? formatSignificant(v.singular[i]) : "0",
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
      title: `kernel K (${k}×${k})`,
      cells: tableCells(v.kernel, -limit, limit, diverging),
    },
    {
      name: "column",
      kind: "table",
      row: 0,
      title: separable ? "column" : "best\ncolumn",
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
      title: separable ? "row" : "best row",
      cells: tableCells([v.row], -rowLimit, rowLimit, diverging),
    },
    {
      name: "product",
      kind: "table",
      row: 1,
      title: separable
        ? "column × row = kernel"
        : "column × row ≈ kernel\n(the rank-1 approximation)",
      cells: tableCells(v.product, -limit, limit, diverging),
    },
    {
      name: "residual",
      kind: "table",
      row: 1,
      title: "kernel − column × row",
      cells: tableCells(v.residual, -limit, limit, diverging),
    },
    {
      name: "singular",
      kind: "table",
      row: 1,
      title: `singular values of K\nrank ${rank} = how many are not 0`,
      cells: [labels, singularCells],
    },
  ];
  const { lo, hi } = cfg;
  const [table, key] =
    cfg.kind === "grey"
      ? [grey, `black ${formatNumber(lo)} → white ${formatNumber(hi)}`]
      : [diverging, `blue < 0 < red, ±${formatNumber(hi)}`];
  const n = w * h;
  const top = meta.top;
  const pictures = [
    [
      "photo",
      `the photo, in grey\nblack 0 → white ${formatNumber(top)}`,
      mapValues(plane(data.shifts, Math.floor((meta.window * meta.window) / 2)), 0, top, grey, n),
    ],
    ["direct", `2-D filter, ${k * k} multiplies\n${key}`, mapValues(v.direct, lo, hi, table, n)],
    [
      "passes",
      separable
        ? `two 1-D passes, ${2 * k} multiplies\n${key}`
        : `two passes: rank-1 part only\n${key}`,
      mapValues(v.passes, lo, hi, table, n),
    ],
    [
      "difference",
      `2-D − two passes\nblue < 0 < red, ±${formatSignificant(cfg.diff)}`,
      mapValues(v.pictureDifference, -cfg.diff, cfg.diff, diverging, n),
    ],
  ];
  for (const [name, title, rgba] of pictures) {
    panels.push({ name, row: 2, title, rgba, width: w, height: h, scale: 2 });
  }
  return { panels, texts: texts(v) };
}

export default widgetModule(view, { limits });
