// PointwiseMixer: a 1x1 convolution, out[o] = sum_c W[o, c] * in[c], mixed in the page.
// Python mirror: convtutor/widgets/pointwise_mixer.py (PointwiseMixer.view, .normalise).
// Its words are Python's (PointwiseMixer.TEXT, in meta.text), filled with fillTemplate.
import {
  fillTemplate,
  formatNumber,
  mapValues,
  plane,
  rgbPlanes,
  tableCells,
  toByte,
  widgetModule,
} from "./common.js";

const COLUMNS = ["w_R", "w_G", "w_B"];

/** The state after control `changed` moved (null: the first state). */
export function normalise(state, data, changed) {
  const meta = data.meta;
  const s = { ...state, weights: state.weights.map((row) => [...row]) };
  if ((changed === "preset" || changed === null) && s.preset !== meta.custom) {
    const preset = meta.presets[s.preset];
    s.weights = Array.from({ length: meta.max_out }, (_, o) =>
      o < preset.rows.length ? [...preset.rows[o]] : [0, 0, 0],
    );
    s.input = preset.input;
    s.out_channels = preset.rows.length;
    s.row = 0;
  } else if (COLUMNS.includes(changed)) {
    s.weights[s.row][COLUMNS.indexOf(changed)] = s[changed];
    s.preset = meta.custom;
  }
  s.row = Math.min(s.row, s.out_channels - 1);
  COLUMNS.forEach((name, c) => {
    s[name] = s.weights[s.row][c];
  });
  return s;
}

/** Dynamic control ranges and labels. */
export function limits(state, data) {
  const labels = data.meta.inputs[state.input];
  const out = { row: { max: state.out_channels - 1 } };
  COLUMNS.forEach((name, c) => {
    out[name] = { label: state.input === "photo" ? name : `w ${labels[c]}` };
  });
  return out;
}

/** Output channel o: w0 * x0 + w1 * x1 + w2 * x2, in that order. */
export function mix(x, w) {
  const [x0, x1, x2] = [plane(x, 0), plane(x, 1), plane(x, 2)];
  const out = new Float64Array(x0.length);
  for (let i = 0; i < out.length; i++) out[i] = w[0] * x0[i] + w[1] * x1[i] + w[2] * x2[i];
  return out;
}

export function view(data, state) {
  const meta = data.meta;
  const x = data[`input_${state.input}`];
  const [, h, w] = x.shape;
  const n = h * w;
  const limit = meta.limits[state.input];
  const diverging = data.lut_diverging;
  const grey = data.lut_grey;
  const weights = state.weights.slice(0, state.out_channels);
  const outputs = weights.map((row) => mix(x, row));
  const panels = [];
  panels.push({
    name: "input",
    title: meta.input_titles[state.input],
    width: w,
    height: h,
    rgba: rgbPlanes(plane(x, 0), plane(x, 1), plane(x, 2), n, limit),
  });
  const cells = tableCells(weights, -meta.weight_limit, meta.weight_limit, diverging);
  cells[state.row].forEach((cell) => {
    cell.em = true;
  });
  const text = meta.text;
  panels.push({
    name: "weights",
    kind: "table",
    title: fillTemplate(text[state.out_channels > 1 ? "weights" : "weights_one"], {
      n: String(state.out_channels),
      row: String(state.row),
    }),
    cells,
  });
  const picture = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const o = state.out_channels === 1 ? 0 : c;
      picture[i * 4 + c] = o < outputs.length ? toByte(outputs[o][i] / limit) : 0;
    }
    picture[i * 4 + 3] = 255;
  }
  panels.push({ name: "picture", title: text.picture, width: w, height: h, rgba: picture });
  for (let o = 0; o < meta.max_out; o++) {
    if (o >= outputs.length) {
      panels.push({ name: `output_${o}`, row: 1, hidden: true, title: "" });
      continue;
    }
    const values = outputs[o];
    let negative = Math.min(...weights[o]) < 0;
    for (let i = 0; i < n && !negative; i++) negative = values[i] < 0;
    const rgba = negative
      ? mapValues(values, -limit, limit, diverging, n)
      : mapValues(values, 0, limit, grey, n);
    const key = negative
      ? text.key_signed
      : fillTemplate(text.key_grey, { limit: formatNumber(limit) });
    panels.push({
      name: `output_${o}`,
      row: 1,
      title: fillTemplate(text.output, { o: String(o), key }),
      width: w,
      height: h,
      rgba,
      mark: o === state.row ? "#000000" : "",
    });
  }
  return { panels, texts: {} };
}

export default widgetModule(view, { normalise, limits });
