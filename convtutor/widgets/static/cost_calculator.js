// CostCalculator: parameters, MACs and bytes moved of standard, depth-wise, point-wise
// and separable layers, their bars, and the separable / standard ratio beside its formula.
// The memory column's header and sentence come from Python (meta.memory), filled here.
// Python mirror: convtutor/widgets/cost_calculator.py (describe, bars_picture, CostCalculator.view).
// The counts are products of the controls, so the page evaluates them; the tests hold
// them equal to convtutor.conv_cost and to PyTorch for every setting of the controls.
import { formatCount, widgetModule } from "./common.js";

const NUMBER_MENUS = ["in_channels", "out_channels", "input_size"];

/** A menu gives text ("10", "true"): the state holds numbers and a flag. */
export function normalise(state) {
  const s = { ...state };
  for (const name of NUMBER_MENUS) s[name] = Number(s[name]);
  s.log_scale = s.log_scale === true || s.log_scale === "true";
  return s;
}

/** [params, macs], each in the order standard, depth-wise, point-wise, separable. */
export function formulaCosts(c, o, k, h, m) {
  const params = [c * o * k * k, c * m * k * k, c * o, c * m * k * k + c * m * o];
  return [params, params.map((p) => p * h * h)];
}

const ITEMSIZE = 4; // float32

/** Bytes moved (Python's formula_bytes): input, weights, output (and for the separable
 * pair its depth-wise maps, written and read back), times 4. */
export function formulaBytes(c, o, k, h, m) {
  const [params] = formulaCosts(c, o, k, h, m);
  const area = h * h;
  const outs = [o * area, c * m * area, o * area, 2 * c * m * area + o * area];
  return params.map((p, i) => ITEMSIZE * (c * area + p + outs[i]));
}

/** A template from Python with each {name} replaced (Python's fill_template). */
export function fillTemplate(template, values) {
  let out = template;
  for (const [name, value] of Object.entries(values)) out = out.replaceAll(`{${name}}`, value);
  return out;
}

/** x to `digits` significant digits, trailing zeros dropped (Python's significant). */
export function formatSig(x, digits = 4) {
  if (x === 0) return "0";
  let s = x.toPrecision(digits);
  if (s.includes("e")) throw new RangeError(`formatSig: ${x} needs an exponent`);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** Bar lengths in pixels (Python's bar_lengths): linear, or log from 1/2 (+ 1e-7: see
 * there); at least 1. */
export function barLengths(values, log, length) {
  const top = Math.max(...values);
  return values.map((v) => {
    const l = log
      ? Math.floor((length * Math.log(2 * v)) / Math.log(2 * top) + 1e-7)
      : Math.floor((length * v) / top);
    return Math.max(1, l);
  });
}

function formulas(c, o, k, m) {
  const cm = m === 1 ? `${c}` : `${c}·${m}`;
  return [`${c}·${o}·${k}²`, `${cm}·${k}²`, `${c}·${o}`, `${cm}·${k}² + ${cm}·${o}`];
}

/** Everything shown but the pixels (Python's describe). */
export function describe(state, meta) {
  const { in_channels: c, out_channels: o, kernel_size: k } = state;
  const { input_size: h, depth_multiplier: m } = state;
  const length = meta.bar.length;
  const [params, macs] = formulaCosts(c, o, k, h, m);
  const moved = formulaBytes(c, o, k, h, m);
  const white = meta.white;
  const plain = (text) => ({ text, bg: white, fg: "#000000" });
  const header = [
    "layer (no bias)",
    "parameters, as a product",
    "parameters",
    "MACs per image",
    meta.memory.header,
  ];
  const cells = [header.map(plain)];
  const products = formulas(c, o, k, m);
  meta.kinds.forEach(([name, bg, fg], i) => {
    cells.push([
      { text: name, bg, fg },
      plain(products[i]),
      plain(formatCount(params[i])),
      plain(formatCount(macs[i])),
      plain(formatCount(moved[i])),
    ]);
  });
  const standard = params[0];
  const separable = params[3];
  const ratio = separable / standard;
  const formula = m * (1 / o + 1 / (k * k));
  const texts = {
    ratio:
      `separable ÷ standard = ${formatCount(separable)} ÷ ${formatCount(standard)} ` +
      `= ${formatSig(ratio)}, for parameters and for MACs alike.`,
  };
  texts.formula =
    m === 1
      ? `The formula: 1/C_out + 1/k² = 1/${o} + 1/${k}² = ${formatSig(formula)}.`
      : `The formula, with depth multiplier M = ${m}: M·(1/C_out + 1/k²) ` +
        `= ${m}·(1/${o} + 1/${k}²) = ${formatSig(formula)}.`;
  if (separable < standard) {
    texts.saving =
      `The ratio is the share of the cost a separable layer keeps: ` +
      `${formatSig(100 * ratio)}%. It saves one minus the ratio: ` +
      `${formatSig(((standard - separable) * 100) / standard)}% ` +
      `(${formatSig(standard / separable, 3)}× fewer).`;
  } else if (separable === standard) {
    texts.saving =
      "The ratio is the share of the cost a separable layer keeps: here all of it, " +
      "so it saves nothing.";
  } else {
    texts.saving =
      "The ratio is the share of the cost a separable layer keeps. Here it is above 1: " +
      `the separable layer costs ${formatSig(ratio)}× as much, so it saves nothing.`;
  }
  texts.sum =
    m === 1
      ? `separable = depth-wise + point-wise: ${formatCount(params[1])} + ` +
        `${formatCount(params[2])} = ${formatCount(separable)} parameters.`
      : `With M = ${m}, the separable layer's point-wise step mixes C_in·M = ${c * m} ` +
        `channels, not ${c}: its row is not the sum of the two rows above it.`;
  texts.size =
    `Stride 1 and 'same' padding: every output is ${h}×${h}, so each layer's MACs ` +
    `= its parameters × ${h}·${h} = parameters × ${formatCount(h * h)}.`;
  texts.memory = fillTemplate(meta.memory.text, {
    input: formatCount(ITEMSIZE * c * h * h),
    intermediate: formatCount(ITEMSIZE * c * m * h * h),
    standard: formatCount(moved[0]),
    separable: formatCount(moved[3]),
    ratio: formatSig(moved[3] / moved[0]),
    macs_ratio: formatSig(ratio),
  });
  texts.torch =
    "PyTorch agrees: sum(p.numel() for p in layer.parameters()) of these layers built " +
    "as torch.nn.Conv2d (no bias) gives the same parameter counts, for every setting " +
    "of the controls (the test suite checks them all).";
  return {
    params,
    macs,
    bytes: moved,
    cells,
    texts,
    lengths: {
      log: { params: barLengths(params, true, length), macs: barLengths(macs, true, length) },
      linear: { params: barLengths(params, false, length), macs: barLengths(macs, false, length) },
    },
  };
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

/** The bar chart's pixels (Python's bars_picture). */
export function barsPicture(lengths, palette, bar) {
  const { width, height } = bar;
  const rgba = new Uint8ClampedArray(width * height * 4);
  fill(rgba, width, 0, 0, width, height, palette, 0);
  fill(rgba, width, 0, 0, 1, height, palette, 1);
  lengths.forEach((length, i) => {
    const y = bar.pad + i * (bar.bar_height + bar.gap);
    fill(rgba, width, 1, y, length, bar.bar_height, palette, 2 + i);
  });
  return rgba;
}

export function view(data, state) {
  const meta = data.meta;
  const d = describe(state, meta);
  const { in_channels: c, out_channels: o, kernel_size: k, input_size: h } = state;
  const lengths = d.lengths[state.log_scale ? "log" : "linear"];
  const note = state.log_scale ? " (log scale)" : "";
  const { width, height } = meta.bar;
  return {
    panels: [
      {
        name: "table",
        kind: "table",
        title: `One layer, C_in = ${c} → C_out = ${o}, k = ${k}, input ${h}×${h}`,
        cells: d.cells,
      },
      {
        name: "params_bars",
        row: 1,
        scale: 1,
        title: `parameters${note}\nbars top to bottom: the table's rows`,
        width,
        height,
        rgba: barsPicture(lengths.params, data.palette, meta.bar),
      },
      {
        name: "macs_bars",
        row: 1,
        scale: 1,
        title: `MACs per image${note}\nbars top to bottom: the table's rows`,
        width,
        height,
        rgba: barsPicture(lengths.macs, data.palette, meta.bar),
      },
    ],
    texts: d.texts,
  };
}

export default widgetModule(view, { normalise });
