// PixelProvenance: where one output pixel comes from, for a standard, a depth-wise and a
// depth-wise separable layer. Python computed every output, every channel's share and
// every product of every window with convtutor; the page only looks numbers up,
// outlines cells and paints.
// Python mirror: convtutor/widgets/pixel_provenance.py (PixelProvenance.view, .normalise).
import {
  fillTemplate,
  formatCount,
  formatNumber,
  lutIndex,
  tableCells,
  widgetModule,
} from "./common.js";

const GRID = [150, 150, 150];
const FRAME = [0, 0, 0];
const INNER = [255, 255, 255];
const BLANK = [255, 255, 255];

/** The largest output channel of `mode`: o < C_out, or c < C_in for depth-wise. */
function outMax(mode, meta) {
  return (mode === "depth-wise" ? meta.channels : meta.out_channels) - 1;
}

/** The state after control `changed` moved (null: the first state). */
export function normalise(state, data, changed) {
  return { ...state, out_channel: Math.min(state.out_channel, outMax(state.mode, data.meta)) };
}

/** Dynamic control ranges and labels. */
export function limits(state, data) {
  const max = outMax(state.mode, data.meta);
  const symbol = state.mode === "depth-wise" ? "c" : "o";
  const label = fillTemplate(data.meta.text.out_channel_label, { symbol });
  return { out_channel: { max, label, disabled: max === 0 } };
}

/** The cell (row, col) of the output drawing under canvas pixel (px, py). */
export function cellAt(meta, px, py) {
  const cell = meta.out_cell;
  const clip = (v, n) => Math.min(n - 1, Math.max(0, v));
  return {
    row: clip(Math.floor((py - meta.margin) / cell), meta.out_height),
    col: clip(Math.floor((px - meta.margin) / cell), meta.out_width),
  };
}

// ---- look-ups -------------------------------------------------------------------------
/** a[index...] of a shipped array (row-major, by its shape). */
function at(a, ...index) {
  let flat = 0;
  index.forEach((v, d) => {
    flat = flat * a.shape[d] + v;
  });
  return a[flat];
}

/** The rows x cols block of `a` starting at [...prefix, r0, q0]. */
function block(a, prefix, r0, q0, rows, cols) {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, q) => at(a, ...prefix, r0 + r, q0 + q)),
  );
}

// ---- the drawings ---------------------------------------------------------------------
function fill(img, x0, y0, x1, y1, rgb) {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * img.width + x) * 4;
      img.rgba[p] = rgb[0];
      img.rgba[p + 1] = rgb[1];
      img.rgba[p + 2] = rgb[2];
    }
  }
}

function ring(img, x0, y0, x1, y1, t, rgb) {
  fill(img, x0, y0, x1, y0 + t, rgb);
  fill(img, x0, y1 - t, x1, y1, rgb);
  fill(img, x0, y0, x0 + t, y1, rgb);
  fill(img, x1 - t, y0, x1, y1, rgb);
}

/** Outline the cells between grid lines x0..x1, y0..y1: black, then white inside. */
function frame(img, x0, y0, x1, y1) {
  ring(img, x0 - 1, y0 - 1, x1 + 2, y1 + 2, 3, FRAME);
  ring(img, x0 + 2, y0 + 2, x1 - 1, y1 - 1, 1, INNER);
}

/** A colour two thirds of the way to white: a channel that takes no part. */
const fade = (rgb) => rgb.map((v) => Math.floor((v + 510) / 3));

/**
 * `n` slices of rows x cols values (plane c starts at values[c * rows * cols]) side by
 * side, `cell` pixels a cell; the slices in `used` get the cells rows r0..r1-1,
 * columns q0..q1-1 outlined, the others are faded.
 */
function drawing(meta, lut, values, n, rows, cols, limit, cell, used, [r0, r1], [q0, q1]) {
  const m = meta.margin;
  const side = cols * cell + 1;
  const width = 2 * m + n * side + (n - 1) * meta.gap;
  const height = 2 * m + rows * cell + 1;
  const img = { width, height, rgba: new Uint8ClampedArray(width * height * 4) };
  fill(img, 0, 0, width, height, BLANK);
  for (let p = 3; p < img.rgba.length; p += 4) img.rgba[p] = 255;
  for (let c = 0; c < n; c++) {
    const ox = m + c * (side + meta.gap);
    const oy = m;
    const faded = !used.includes(c);
    fill(img, ox, oy, ox + cols * cell + 1, oy + rows * cell + 1, faded ? fade(GRID) : GRID);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        const k = lutIndex(values[(c * rows + r) * cols + q], -limit, limit) * 3;
        const rgb = [lut[k], lut[k + 1], lut[k + 2]];
        const x0 = ox + q * cell + 1;
        const y0 = oy + r * cell + 1;
        fill(img, x0, y0, x0 + cell - 1, y0 + cell - 1, faded ? fade(rgb) : rgb);
      }
    }
    if (!faded) frame(img, ox + q0 * cell, oy + r0 * cell, ox + q1 * cell, oy + r1 * cell);
  }
  return img;
}

// ---- texts: every word is a template of PixelProvenance.TEXT, shipped in meta.text -----
/** meta.text[entry] filled with `slots` (Python: _say). */
const say = (data, entry, slots = {}) => fillTemplate(data.meta.text[entry], slots);

/** The entry of `entry`'s form for a count `n`: entry + "_one" for 1 (Python: _counted). */
const counted = (entry, n) => (n === 1 ? `${entry}_one` : entry);

const num = formatCount;

const label = (text) => ({ text, bg: "#ffffff", fg: "#000000" });

/** A number in a sum: negative numbers in brackets, except at the start. */
function term(v, first = false) {
  const text = formatNumber(v);
  return first || !text.startsWith("-") ? text : `(${text})`;
}

/** [0] -> "0"; [0, 2] -> "0 and 2"; [0, 1, 3] -> "0, 1 and 3" (Python: _list). */
function list(data, items) {
  const words = items.map(num);
  if (words.length === 1) return words[0];
  return say(data, "list", { items: words.slice(0, -1).join(", "), last: words[words.length - 1] });
}

/** What one output value and the whole layer cost at a pixel (Python: _layer_cost). */
function layerCost(data, one, channels, every) {
  return [
    say(data, counted("cost_value", one), { n: num(one) }),
    say(data, counted("cost_layer", channels), { n: num(channels), all: num(every) }),
  ].join(" ");
}

function texts(data, state, value) {
  const meta = data.meta;
  const { mode, out_channel: o, row: i, col: j } = state;
  const n = meta.channels;
  const k = meta.k;
  const cOut = meta.out_channels;
  const bias = meta.bias;
  const counts = meta.counts;
  const f = formatNumber;
  const rows = say(data, "rows",
    { i: num(i), i_last: num(i + k - 1), j: num(j), j_last: num(j + k - 1) }); // prettier-ignore
  const yname = say(data, "y_name", { o: num(o), i: num(i), j: num(j) });
  const channels = Array.from({ length: n }, (_, c) => c);
  let rule;
  let blockText;
  let numbers;
  let cost;
  if (mode === "standard") {
    rule = [
      say(data, "rule_standard", { bias: bias ? say(data, "formula_bias", { o: "o" }) : "" }),
      say(data, counted("rule_standard_all", n), { n: num(n) }),
    ].join(" ");
    const one = counts.standard_one;
    const values = say(data, counted("input_values", one), { n: num(one) });
    blockText = say(data, "block_standard",
      { y: yname, rows, k: num(k), channels: num(n), values }); // prettier-ignore
    let total = channels.map((c) => term(at(data.share, o, c, i, j), c === 0)).join(" + ");
    if (bias) total += " + " + say(data, "bias_term", { value: term(at(data.b, o)) });
    numbers = say(data, "numbers", { y: yname, sum: total, value: f(value) });
    cost = layerCost(data, counts.standard_one, cOut, counts.standard_all);
  } else if (mode === "depth-wise") {
    const formula = bias ? say(data, "formula_bias_D", { c: "c" }) : "";
    rule = say(data, "rule_depthwise", { bias: formula });
    const one = counts.depthwise_one;
    const values = say(data, counted("input_values", one), { n: num(one) });
    blockText = say(data, "block_depthwise", { y: yname, rows, o: num(o), k: num(k), values });
    const others = channels.filter((c) => c !== o);
    if (others.length) {
      blockText += " " + say(data, counted("others", others.length), { list: list(data, others) });
    }
    if (bias) {
      const biasTerm = say(data, "bias_term", { value: term(at(data.b_D, o)) });
      const total = f(at(data.window_sums, o, i, j)) + " + " + biasTerm;
      numbers = say(data, "numbers", { y: yname, sum: total, value: f(value) });
    } else {
      numbers = say(data, "numbers_depthwise", { y: yname, value: f(value), o: num(o) });
    }
    cost = layerCost(data, counts.depthwise_one, n, counts.depthwise_all);
  } else {
    rule = say(data, "rule_separable", {
      bias_D: bias ? say(data, "formula_bias_D", { c: "c" }) : "",
      bias_P: bias ? say(data, "formula_bias_P", { o: "o" }) : "",
    });
    blockText = say(data, counted("block_separable", n),
      { rows, i: num(i), j: num(j), o: num(o) }); // prettier-ignore
    let total = channels
      .map((c) => `${term(at(data.P, o, c), c === 0)}·${term(at(data.z, c, i, j))}`)
      .join(" + ");
    if (bias) total += " + " + say(data, "bias_term", { value: term(at(data.b_P, o)) });
    numbers = say(data, "numbers", { y: yname, sum: total, value: f(value) });
    cost = [
      say(data, counted("cost_separable", n), {
        i: num(i),
        j: num(j),
        multiplications: say(data, counted("multiplications", counts.depthwise_all), {
          n: num(counts.depthwise_all),
        }),
        channels: say(data, counted("output_channels", cOut), { n: num(cOut) }),
        pointwise: num(counts.pointwise_one),
      }),
      say(data, "cost_separable_all", {
        separable: num(counts.separable_all),
        standard: num(counts.standard_all),
      }),
    ].join(" ");
  }
  return { rule, block: blockText, numbers, cost };
}

// ---- the view -------------------------------------------------------------------------
export function view(data, state) {
  const meta = data.meta;
  const { mode, out_channel: o, row: i, col: j } = state;
  const n = meta.channels;
  const k = meta.k;
  const h = meta.height;
  const w = meta.width;
  const ho = meta.out_height;
  const wo = meta.out_width;
  const bias = meta.bias;
  const lims = meta.limits;
  const lut = data.lut;
  const f = formatNumber;
  const cells = (values, family) => tableCells(values, -lims[family], lims[family], lut);
  const channels = Array.from({ length: n }, (_, c) => c);
  const used = mode === "depth-wise" ? [o] : channels;
  const y = { standard: data.y_standard, "depth-wise": data.z, separable: data.y_separable }[mode];
  const yPlane = y.subarray(o * ho * wo, (o + 1) * ho * wo);
  const value = at(y, o, i, j);
  const key = say(data, "colour_key", { limit: f(lims[mode], 2) });
  const xkey = say(data, "colour_key", { limit: f(lims.x, 2) });
  const input = drawing(meta, lut, data.x, n, h, w, lims.x, meta.cell, used,
    [i, i + k], [j, j + k]); // prettier-ignore
  const output = drawing(meta, lut, yPlane, 1, ho, wo, lims[mode], meta.out_cell, [0],
    [i, i + 1], [j, j + 1]); // prettier-ignore
  const panels = [
    {
      name: "input",
      title: say(data, counted("input_title", n),
        { n: num(n), h: num(h), w: num(w), last: num(n - 1), key: xkey }), // prettier-ignore
      width: input.width,
      height: input.height,
      rgba: input.rgba,
      scale: 1,
    },
    {
      name: "output",
      title: say(data, "output_title", { o: num(o), h: num(ho), w: num(wo), mode, key }),
      width: output.width,
      height: output.height,
      rgba: output.rgba,
      scale: 1,
    },
  ];
  for (const c of channels) {
    const row = 1 + c;
    if (!used.includes(c)) {
      for (const part of ["window", "weight", "products", "sum"]) {
        panels.push({ name: `${part}_${c}`, row, hidden: true, title: "" });
      }
      continue;
    }
    const standard = mode === "standard";
    const kernel = standard ? block(data.W, [o, c], 0, 0, k, k) : block(data.D, [c], 0, 0, k, k);
    const weightTitle = standard
      ? say(data, "weight_title_standard", { o: num(o), c: num(c) })
      : say(data, "weight_title_depthwise", { c: num(c) });
    const products = standard
      ? block(data.products_standard, [o, i, j, c], 0, 0, k, k)
      : block(data.products_depthwise, [c, i, j], 0, 0, k, k);
    const total = standard ? at(data.share, o, c, i, j) : at(data.window_sums, c, i, j);
    // without a bias, a separable layer's window sum is z[c, i, j]
    const named = mode === "separable" && !bias;
    const sumTitle = say(data, named ? "sum_title_z" : "sum_title",
      { c: num(c), i: num(i), j: num(j), n: num(k * k) }); // prettier-ignore
    const windowTitle = say(data, "window_title",
      { c: num(c), i: num(i), i_end: num(i + k), j: num(j), j_end: num(j + k) }); // prettier-ignore
    panels.push(
      { name: `window_${c}`, row, kind: "table", title: windowTitle,
        cells: cells(block(data.x, [c], i, j, k, k), "x") },
      { name: `weight_${c}`, row, kind: "table", title: weightTitle,
        cells: cells(kernel, "weights") },
      { name: `products_${c}`, row, kind: "table", title: say(data, "products_title"),
        cells: cells(products, "products") },
      { name: `sum_${c}`, row, kind: "table", title: sumTitle, cells: cells([[total]], "values") },
    ); // prettier-ignore
  }
  // ---- the total ----
  const last = 1 + n;
  if (mode === "separable") {
    const z = drawing(meta, lut, data.z, n, ho, wo, lims["depth-wise"], meta.z_cell, channels,
      [i, i + 1], [j, j + 1]); // prettier-ignore
    panels.push({
      name: "z",
      row: last,
      scale: 1,
      width: z.width,
      height: z.height,
      rgba: z.rgba,
      title: say(data, "z_title", { n: num(n), h: num(ho), w: num(wo), i: num(i), j: num(j) }),
    });
  } else {
    panels.push({ name: "z", row: last, hidden: true, title: "" });
  }
  const blank = label("");
  const yname = say(data, "y_name", { o: num(o), i: num(i), j: num(j) });
  const plusBias = bias ? say(data, "plus_the_bias") : "";
  const channelLabel = (c) => label(say(data, "channel", { c: num(c) }));
  let rows;
  let title;
  if (mode === "standard") {
    const head = channels.map(channelLabel);
    const values = cells([channels.map((c) => at(data.share, o, c, i, j))], "values")[0];
    if (bias) {
      head.push(label(say(data, "head_bias", { o: num(o) })));
      values.push(...cells([[at(data.b, o)]], "weights")[0]);
    }
    head.push(label(yname));
    values.push(...cells([[value]], "values")[0]);
    rows = [head, values];
    title = say(data, "total_standard", { y: yname, bias: plusBias });
  } else if (mode === "depth-wise") {
    const head = [channelLabel(o)];
    const values = cells([[at(data.window_sums, o, i, j)]], "values")[0];
    if (bias) {
      head.push(label(say(data, "head_bias_D", { o: num(o) })));
      values.push(...cells([[at(data.b_D, o)]], "weights")[0]);
    }
    head.push(label(yname));
    values.push(...cells([[value]], "values")[0]);
    rows = [head, values];
    title = say(data, "total_depthwise", { y: yname, o: num(o), bias: plusBias });
  } else {
    const pad = Array.from({ length: bias ? 2 : 1 }, () => blank);
    const head = [blank, ...channels.map(channelLabel)];
    if (bias) head.push(label(say(data, "head_bias_P", { o: num(o) })));
    head.push(label(yname));
    rows = [head];
    if (bias) {
      rows.push([label(say(data, "row_window_sum")),
        ...cells([channels.map((c) => at(data.window_sums, c, i, j))], "values")[0], ...pad]);
      rows.push([label(say(data, "row_bias_D")),
        ...cells([Array.from(data.b_D)], "weights")[0], ...pad]);
    } // prettier-ignore
    const zs = channels.map((c) => at(data.z, c, i, j));
    rows.push([label(say(data, "row_z", { i: num(i), j: num(j) })),
      ...cells([zs], "values")[0], ...pad]); // prettier-ignore
    rows.push([label(say(data, "row_weights", { o: num(o) })),
      ...cells([channels.map((c) => at(data.P, o, c))], "weights")[0], ...pad]); // prettier-ignore
    const productsRow = [label(say(data, "row_products")),
      ...cells([channels.map((c) => at(data.mixed, o, c, i, j))], "values")[0]]; // prettier-ignore
    if (bias) productsRow.push(...cells([[at(data.b_P, o)]], "weights")[0]);
    productsRow.push(...cells([[value]], "values")[0]);
    rows.push(productsRow);
    const biasP = bias ? say(data, "formula_bias_P", { o: num(o) }) : "";
    title = say(data, "total_separable",
      { y: yname, o: num(o), i: num(i), j: num(j), bias: biasP }); // prettier-ignore
  }
  panels.push({ name: "total", row: last, kind: "table", title, cells: rows });
  return { panels, texts: texts(data, state, value) };
}

const base = widgetModule(view, { normalise, limits });

export default {
  render(context) {
    base.render(context);
    const { el, model } = context;
    const meta = model.get("_meta");
    const canvas = el.querySelector('.ct-panel[data-name="output"] canvas');
    const control = (name) => el.querySelector(`input[data-name="${name}"]`);
    // Moves row / col as their slider would: the page's own input handler does the rest.
    const move = (name, value) => {
      const input = control(name);
      input.value = value;
      input.dispatchEvent(new Event("input"));
    };
    canvas.tabIndex = 0;
    // Notebook 7 takes keys in the capture phase, before our listener: Lumino skips a key
    // whose target carries this attribute (as every control in common.js).
    canvas.setAttribute("data-lm-suppress-shortcuts", "true");
    canvas.style.cursor = "pointer";
    const hint = meta.text.output_hint;
    canvas.title = hint;
    canvas.setAttribute("aria-description", hint);
    canvas.addEventListener("click", (event) => {
      const rect = canvas.getBoundingClientRect();
      const px = ((event.clientX - rect.left) * canvas.width) / rect.width;
      const py = ((event.clientY - rect.top) * canvas.height) / rect.height;
      const { row, col } = cellAt(meta, px, py);
      move("row", row);
      move("col", col);
    });
    const keys = {
      ArrowUp: ["row", -1],
      ArrowDown: ["row", 1],
      ArrowLeft: ["col", -1],
      ArrowRight: ["col", 1],
    };
    canvas.addEventListener("keydown", (event) => {
      event.stopPropagation();
      const step = keys[event.key];
      if (!step) return;
      event.preventDefault();
      move(step[0], Number(control(step[0]).value) + step[1]);
    });
    canvas.addEventListener("keyup", (event) => event.stopPropagation());
    canvas.addEventListener("keypress", (event) => event.stopPropagation());
    canvas.addEventListener("focus", () => {
      canvas.style.outline = "3px solid #e69f00";
      canvas.style.outlineOffset = "2px";
    });
    canvas.addEventListener("blur", () => {
      canvas.style.outline = "";
    });
  },
};
