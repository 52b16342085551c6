// SeparablePipeline: depth-wise, then point-wise, beside the one equivalent standard conv.
// Python mirror: convtutor/widgets/separable_pipeline.py (SeparablePipeline.view, .normalise).
//
// Python shipped every depth-wise map z = D[k] ⋆ x[i] (each 3x3 kernel k on each channel i)
// and the float64 check of every choice. The page picks three maps, mixes them with a row
// of P, multiplies P[o, i] · D[i] for the tables of W[o], and paints. Its words are
// Python's (SeparablePipeline.TEXT, in meta.text), filled with fillTemplate.
import {
  fillTemplate,
  formatNumber,
  mapValues,
  plane,
  rgbPlanes,
  symmetricLimit,
  tableCells,
  widgetModule,
} from "./common.js";

/** Width (CSS px) of every panel, so that the four columns line up row under row. */
const COLUMN_PX = 190;

/** How many outputs the chosen P has. */
function outputs(state, data) {
  return data.meta.presets[state.pointwise].length;
}

/** The state after control `changed` moved (null: the first state): o stays below C_out. */
export function normalise(state, data, changed) {
  return { ...state, out_channel: Math.min(state.out_channel, outputs(state, data) - 1) };
}

/** Dynamic control ranges: output o runs over P's rows. */
export function limits(state, data) {
  const n = outputs(state, data);
  return { out_channel: { max: n - 1, disabled: n === 1 } };
}

/** Kernel indices of the three channels' choices. */
function kernelIndices(state, data) {
  return [0, 1, 2].map((i) => data.meta.kernel_names.indexOf(state[`kernel_${i}`]));
}

/** Map z[i] = D[k] ⋆ x[i] from the shipped (K, 3, h, w) stack, as a view. */
function depthwiseMap(data, k, i) {
  const [, , h, w] = data.depthwise.shape;
  const n = h * w;
  return data.depthwise.subarray((k * 3 + i) * n, (k * 3 + i + 1) * n);
}

/** Output o: P[o,0] z[0] + P[o,1] z[1] + P[o,2] z[2], in that order (float64). */
export function mix(z, row) {
  const out = new Float64Array(z[0].length);
  for (let j = 0; j < out.length; j++) {
    out[j] = row[0] * z[0][j] + row[1] * z[1][j] + row[2] * z[2][j];
  }
  return out;
}

/** W[o, i] = P[o, i] · D[i] for i = 0, 1, 2: three 3x3 kernels (float64). */
export function standardKernel(state, data) {
  const meta = data.meta;
  const row = meta.presets[state.pointwise][state.out_channel];
  return kernelIndices(state, data).map((k, i) =>
    meta.kernels[k].map((r) => r.map((v) => row[i] * v)),
  );
}

/** The float64 check Python computed for this choice of kernels and P (a text). */
export function differenceText(state, data) {
  const meta = data.meta;
  const n = meta.kernel_names.length;
  const [k0, k1, k2] = kernelIndices(state, data);
  return meta.differences[state.pointwise][(k0 * n + k1) * n + k2];
}

function largestAbs(rows) {
  return symmetricLimit(rows.flat(2));
}

export function view(data, state) {
  const meta = data.meta;
  const scale = meta.scale;
  const channels = meta.channels;
  const x = data.photo;
  const [, height, width] = x.shape;
  const [, , h, w] = data.depthwise.shape;
  const diverging = data.lut_diverging;
  const grey = data.lut_grey;
  const ks = kernelIndices(state, data);
  const names = ks.map((k) => meta.kernel_names[k]);
  const D = ks.map((k) => meta.kernels[k]);
  const P = meta.presets[state.pointwise];
  const nOut = P.length;
  const o = state.out_channel;
  const z = ks.map((k, i) => depthwiseMap(data, k, i));
  const y = mix(z, P[o]);
  const W = standardKernel(state, data);
  const text = meta.text;
  const panels = [];
  // row 0: the input, one column per channel, then the photo itself
  for (let i = 0; i < 3; i++) {
    panels.push({
      name: `x_${i}`,
      row: 0,
      scale,
      title: fillTemplate(text.x, { i: String(i), channel: channels[i] }),
      width,
      height,
      rgba: mapValues(plane(x, i), 0, 1, grey, width * height),
    });
  }
  panels.push({
    name: "photo",
    row: 0,
    scale,
    title: text.photo,
    width,
    height,
    rgba: rgbPlanes(plane(x, 0), plane(x, 1), plane(x, 2), width * height),
  });
  // row 1: the depth-wise kernels, then the point-wise matrix
  for (let i = 0; i < 3; i++) {
    const limit = largestAbs(D[i]);
    panels.push({
      name: `D_${i}`,
      row: 1,
      kind: "table",
      title: fillTemplate(text.D, { i: String(i), kernel: names[i], channel: channels[i] }),
      cells: tableCells(D[i], -limit, limit, diverging),
    });
  }
  const pLimit = largestAbs(P);
  const cells = tableCells(P, -pLimit, pLimit, diverging);
  cells[o].forEach((cell) => {
    cell.em = true;
  });
  panels.push({
    name: "P",
    row: 1,
    kind: "table",
    title: fillTemplate(text[nOut > 1 ? "P" : "P_one"], { n: String(nOut), o: String(o) }),
    cells,
  });
  // row 2: the depth-wise maps, then the point-wise mix of them: output o
  for (let i = 0; i < 3; i++) {
    const limit = symmetricLimit(z[i]);
    const key = fillTemplate(text.key, { limit: formatNumber(limit, 2) });
    panels.push({
      name: `z_${i}`,
      row: 2,
      scale,
      title: fillTemplate(text.z, { i: String(i), key }),
      width: w,
      height: h,
      rgba: mapValues(z[i], -limit, limit, diverging, w * h),
    });
  }
  const limit = symmetricLimit(y);
  const rgba = mapValues(y, -limit, limit, diverging, w * h);
  const key = fillTemplate(text.key, { limit: formatNumber(limit, 2) });
  panels.push({
    name: "separable",
    row: 2,
    scale,
    title: fillTemplate(text.separable, { o: String(o), key }),
    width: w,
    height: h,
    rgba,
  });
  // row 3: the one standard kernel W[o], then its output. Its numbers are y again:
  // conv2d(x, W)[o] = Σ_i W[o, i] ⋆ x[i] = Σ_i (P[o, i] D[i]) ⋆ x[i] = Σ_i P[o, i] z[i]
  // (a correlation is linear in its kernel). Python tests this equals ct.conv2d(x, W).
  const wLimit = largestAbs(W);
  for (let i = 0; i < 3; i++) {
    panels.push({
      name: `W_${i}`,
      row: 3,
      kind: "table",
      title: fillTemplate(text.W, {
        o: String(o),
        i: String(i),
        p: formatNumber(P[o][i]),
        kernel: names[i],
      }),
      cells: tableCells(W[i], -wLimit, wLimit, diverging),
    });
  }
  panels.push({
    name: "standard",
    row: 3,
    scale,
    title: fillTemplate(text.standard, { o: String(o), key }),
    width: w,
    height: h,
    rgba,
  });
  const texts = {
    check: fillTemplate(text[nOut > 1 ? "check" : "check_one"], {
      n: String(nOut),
      value: differenceText(state, data),
    }),
    how: meta.how,
    verdict: meta.verdict,
  };
  return { panels, texts };
}

const base = widgetModule(view, { normalise, limits });

export default {
  render(context) {
    const cleanup = base.render(context);
    // Every panel one column wide: channel i's input, kernel, map and W[o, i] line up.
    for (const figure of context.el.querySelectorAll(".ct-panel")) {
      figure.style.width = `${COLUMN_PX}px`;
    }
    return cleanup;
  },
};
