// CostCalculator: parameters, MACs and bytes moved of standard, depth-wise, point-wise
// and separable layers, their bars, and the separable / standard ratio beside its formula.
// Every word comes from Python (meta.text, CostCalculator.TEXT), filled here.
// Python mirror: convtutor/widgets/cost_calculator.py (describe, bars_picture,
// CostCalculator.view).
// The counts are products of the controls, so the page evaluates them; the tests hold
// them equal to convtutor.conv_cost and to PyTorch for every setting of the controls.
import {
  barChart,
  fillTemplate,
  formatCount,
  formatSignificant,
  widgetModule,
} from "./common.js";

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

/** ln n from Python's logarithms of primes, meta.log_primes (Python's log_count): the sum,
 * over n's prime factors p (e times each), smallest first, of e · ln p. */
export function logCount(n, logPrimes) {
  let total = 0;
  for (const [p, lnP] of logPrimes) {
    let e = 0;
    while (n % p === 0) {
      n /= p;
      e += 1;
    }
    if (e) total += e * lnP;
    if (n === 1) return total;
  }
  throw new RangeError(`logCount(${n})`); // a prime factor beyond meta.log_primes
}

/** Bar lengths in pixels (Python's bar_lengths): linear, or log from 1/2; at least 1. */
export function barLengths(values, log, length, logPrimes) {
  const top = Math.max(...values);
  return values.map((v) => {
    const l = log
      ? Math.floor(length * (logCount(2 * v, logPrimes) / logCount(2 * top, logPrimes)))
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
  const words = meta.text;
  const length = meta.bar.length;
  const [params, macs] = formulaCosts(c, o, k, h, m);
  const moved = formulaBytes(c, o, k, h, m);
  const white = meta.white;
  const plain = (text) => ({ text, bg: white, fg: "#000000" });
  const header = ["layer", "product", "params", "macs", "memory_header"].map((key) => words[key]);
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
  const [o_, k_, m_] = [String(o), String(k), String(m)];
  const texts = {
    ratio: fillTemplate(words.ratio, {
      separable: formatCount(separable),
      standard: formatCount(standard),
      ratio: formatSignificant(ratio),
    }),
    formula: fillTemplate(words[m === 1 ? "formula" : "formula_m"], {
      o: o_,
      k: k_,
      m: m_,
      value: formatSignificant(formula),
    }),
  };
  if (separable < standard) {
    texts.saving = fillTemplate(words.saving, {
      percent: formatSignificant(100 * ratio),
      saved: formatSignificant(((standard - separable) * 100) / standard),
      fewer: formatSignificant(standard / separable, 3),
    });
  } else if (separable === standard) {
    texts.saving = words.saving_none;
  } else {
    texts.saving = fillTemplate(words.saving_more, { ratio: formatSignificant(ratio) });
  }
  texts.sum =
    m === 1
      ? fillTemplate(words.sum, {
          depthwise: formatCount(params[1]),
          pointwise: formatCount(params[2]),
          separable: formatCount(separable),
        })
      : fillTemplate(words.sum_m, { m: m_, cm: String(c * m), c: String(c) });
  texts.size = fillTemplate(words.size, { h: String(h), area: formatCount(h * h) });
  texts.memory = fillTemplate(words.memory, {
    input: formatCount(ITEMSIZE * c * h * h),
    intermediate: formatCount(ITEMSIZE * c * m * h * h),
    standard: formatCount(moved[0]),
    separable: formatCount(moved[3]),
    ratio: formatSignificant(moved[3] / moved[0]),
    macs_ratio: formatSignificant(ratio),
  });
  texts.torch = words.torch;
  const lengths = (log) => ({
    params: barLengths(params, log, length, meta.log_primes),
    macs: barLengths(macs, log, length, meta.log_primes),
  });
  return {
    params,
    macs,
    bytes: moved,
    cells,
    texts,
    lengths: { log: lengths(true), linear: lengths(false) },
  };
}

/** The bar chart's pixels (Python's bars_picture). */
export function barsPicture(lengths, palette, bar) {
  return barChart(lengths, palette, bar, 2);
}

export function view(data, state) {
  const meta = data.meta;
  const words = meta.text;
  const d = describe(state, meta);
  const { in_channels: c, out_channels: o, kernel_size: k, input_size: h } = state;
  const lengths = d.lengths[state.log_scale ? "log" : "linear"];
  const scale = state.log_scale ? words.log_scale : "";
  const { width, height } = meta.bar;
  const numbers = { c: String(c), o: String(o), k: String(k), h: String(h) };
  return {
    panels: [
      {
        name: "table",
        kind: "table",
        title: fillTemplate(words.table_title, numbers),
        cells: d.cells,
      },
      {
        name: "params_bars",
        row: 1,
        scale: 1,
        title: fillTemplate(words.params_title, { scale }),
        width,
        height,
        rgba: barsPicture(lengths.params, data.palette, meta.bar),
      },
      {
        name: "macs_bars",
        row: 1,
        scale: 1,
        title: fillTemplate(words.macs_title, { scale }),
        width,
        height,
        rgba: barsPicture(lengths.macs, data.palette, meta.bar),
      },
    ],
    texts: d.texts,
  };
}

export default widgetModule(view, { normalise });
