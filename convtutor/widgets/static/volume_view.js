// VolumeView: a convolution layer as volumes (input, filters, output), and what one
// output value reads. Python mirror: convtutor/widgets/volume_view.py (counts,
// receptive_field, scene, paint, VolumeView.view and .normalise), the same steps in the
// same order. Integer arithmetic only: each unit cube is the sprite Python ships
// (data.sprite: 0 nothing, 1 top, 2 left, 3 right, 4 edge) stamped at integer offsets,
// its colours looked up in data.palette. Every word comes from Python (meta.text).
import {
  divisors,
  fillTemplate,
  formatCount,
  gcd,
  keptGroup,
  widgetModule,
} from "./common.js";

const PANELS = ["input", "filters", "middle", "filters2", "output"];

/** The kernel's side as drawn: 1 for point-wise (its slider is disabled there). */
function kernelOf(state) {
  return state.kind === "pointwise" ? 1 : state.kernel_size;
}

function outSide(state, side) {
  return side - kernelOf(state) + 1;
}

function outputs(state) {
  return state.kind === "depthwise" ? state.in_channels * state.multiplier : state.out_channels;
}

/** The state after control `changed` moved (Python's VolumeView.normalise). */
export function normalise(state, data, changed) {
  const meta = data.meta;
  const s = { ...state };
  s.multiplier = Math.min(
    s.multiplier,
    meta.max_multiplier,
    Math.floor(meta.max_channels / s.in_channels),
  );
  const options = divisors(gcd(s.in_channels, s.out_channels));
  if (changed === "in_channels" || changed === "out_channels") {
    s.g_index = keptGroup(s.groups ?? 1, options);
  }
  s.g_index = Math.min(s.g_index, options.length - 1);
  s.groups = options[s.g_index];
  const top = outSide(s, meta.side) - 1;
  s.row = Math.min(s.row, top);
  s.column = Math.min(s.column, top);
  s.out_channel = Math.min(s.out_channel, outputs(s) - 1);
  return s;
}

/** The controls' ranges now, and which are disabled (Python's VolumeView.limits). */
export function limits(state, data) {
  const meta = data.meta;
  const kind = state.kind;
  const options = divisors(gcd(state.in_channels, state.out_channels));
  const top = outSide(state, meta.side) - 1;
  return {
    multiplier: {
      max: Math.min(meta.max_multiplier, Math.floor(meta.max_channels / state.in_channels)),
      disabled: kind !== "depthwise" && kind !== "separable",
    },
    out_channels: { disabled: kind === "depthwise" },
    g_index: { max: options.length - 1, labels: options.map(String), disabled: kind !== "grouped" },
    kernel_size: { disabled: kind === "pointwise" },
    row: { max: top },
    column: { max: top },
    out_channel: { max: outputs(state) - 1 },
  };
}

/** [params, macs, [[params, macs] per stage]] (Python's counts): no padding, stride 1. */
export function counts(state, side) {
  const { kind, in_channels: c, out_channels: o, multiplier: m, groups: g } = state;
  const k = state.kernel_size;
  const n = outSide(state, side);
  let stages;
  if (kind === "standard") stages = [c * o * k * k];
  else if (kind === "grouped") stages = [(c / g) * o * k * k];
  else if (kind === "depthwise") stages = [c * m * k * k];
  else if (kind === "pointwise") stages = [c * o];
  else stages = [c * m * k * k, c * m * o];
  const params = stages.reduce((x, y) => x + y, 0);
  return [params, params * n * n, stages.map((p) => [p, p * n * n])];
}

/** The input cells the chosen output value reads: a Uint8Array of C_in x side x side
 * (Python's receptive_field). */
export function receptiveField(state, side) {
  const { kind, in_channels: c, row: r, column: q, out_channel: oc } = state;
  const k = kernelOf(state);
  const lit = new Uint8Array(c * side * side);
  let first = 0;
  let last = c - 1;
  if (kind === "grouped") {
    const per = c / state.groups;
    const group = Math.floor(oc / (state.out_channels / state.groups));
    first = group * per;
    last = first + per - 1;
  } else if (kind === "depthwise") {
    first = last = Math.floor(oc / state.multiplier);
  }
  for (let ch = first; ch <= last; ch++) {
    for (let i = r; i < r + k; i++) {
      for (let j = q; j < q + k; j++) lit[(ch * side + i) * side + j] = 1;
    }
  }
  return lit;
}

// ---- the scene: panels of cubes (Python's scene, the same order) ------------------------
function sheet(cubes, geo, ox, oy, size, colour, full) {
  for (let r = 0; r < size; r++) {
    for (let q = 0; q < size; q++) {
      const lit = full(r, q) ? 1 : 0;
      cubes.push([ox + geo.a * (q - r) - geo.a, oy + geo.b * (q + r), (colour * 2 + lit) * 4]);
    }
  }
}

function levelY(geo, side, level, size) {
  return geo.pad + level * geo.pitch + geo.b * (side - size);
}

function panelHeight(geo, levels) {
  return 2 * geo.pad + levels * geo.pitch - geo.gap_y;
}

function stack(geo, side, levels, size, colourOf, litOf) {
  const cubes = [];
  for (let level = 0; level < levels; level++) {
    const ox = geo.pad + geo.a * side;
    sheet(cubes, geo, ox, levelY(geo, side, level, size), size, colourOf(level), (r, q) =>
      litOf(level, r, q),
    );
  }
  return { cubes, width: 2 * geo.pad + 2 * geo.a * side, height: panelHeight(geo, levels) };
}

function filters(geo, side, slots, levels, size, plates) {
  const cubes = [];
  const step = 2 * geo.a * size + geo.gap_x;
  for (const [slot, level, colour, full] of plates) {
    const ox = geo.pad + slot * step + geo.a * size;
    sheet(cubes, geo, ox, levelY(geo, side, level, size), size, colour, () => full);
  }
  return { cubes, width: 2 * geo.pad + slots * step - geo.gap_x, height: panelHeight(geo, levels) };
}

/** Panel name -> {cubes: [[x, y, base]], width, height} (Python's scene). */
export function scene(state, meta) {
  const geo = meta.geometry;
  const side = meta.side;
  const neutral = meta.neutral;
  const { kind, in_channels: c, out_channels: o, multiplier: m, groups: g } = state;
  const k = kernelOf(state);
  const n = outSide(state, side);
  const { row: r, column: q, out_channel: oc } = state;
  const lit = receptiveField(state, side);
  const out = {
    input: stack(geo, side, c, side, (lv) => lv, (lv, i, j) => lit[(lv * side + i) * side + j]),
  };
  const chosen = (lv, i, j) => lv === oc && i === r && j === q;
  const plates = [];
  if (kind === "standard" || kind === "pointwise") {
    for (let j = 0; j < o; j++) for (let i = 0; i < c; i++) plates.push([j, i, i, j === oc]);
    out.filters = filters(geo, side, o, c, k, plates);
    out.output = stack(geo, side, o, n, () => neutral, chosen);
  } else if (kind === "grouped") {
    const per = c / g;
    const outs = o / g;
    for (let j = 0; j < o; j++) {
      const group = Math.floor(j / outs);
      for (let i = group * per; i < (group + 1) * per; i++) plates.push([j, i, i, j === oc]);
    }
    out.filters = filters(geo, side, o, c, k, plates);
    out.output = stack(geo, side, o, n, () => neutral, chosen);
  } else if (kind === "depthwise") {
    for (let i = 0; i < c; i++) for (let s = 0; s < m; s++) plates.push([s, i, i, i * m + s === oc]);
    out.filters = filters(geo, side, m, c, k, plates);
    out.output = stack(geo, side, c * m, n, (lv) => Math.floor(lv / m), chosen);
  } else {
    for (let i = 0; i < c; i++) for (let s = 0; s < m; s++) plates.push([s, i, i, true]);
    out.filters = filters(geo, side, m, c, k, plates);
    out.middle = stack(
      geo,
      side,
      c * m,
      n,
      (lv) => Math.floor(lv / m),
      (lv, i, j) => i === r && j === q,
    );
    const columns = [];
    for (let j = 0; j < o; j++) {
      for (let i = 0; i < c * m; i++) columns.push([j, i, Math.floor(i / m), j === oc]);
    }
    out.filters2 = filters(geo, side, o, c * m, 1, columns);
    out.output = stack(geo, side, o, n, () => neutral, chosen);
  }
  return out;
}

/** The panel's RGBA bytes: each cube's sprite stamped in order (Python's paint). */
export function paint(panel, sprite, palette) {
  const { width, height } = panel;
  const background = palette.length / 3 - 1;
  const [sh, sw] = sprite.shape;
  const idx = new Int32Array(width * height).fill(background);
  for (const [x, y, base] of panel.cubes) {
    for (let sy = 0; sy < sh; sy++) {
      for (let sx = 0; sx < sw; sx++) {
        const face = sprite[sy * sw + sx];
        if (face) idx[(y + sy) * width + x + sx] = base + face - 1;
      }
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const e = idx[p] * 3;
    rgba[p * 4] = palette[e];
    rgba[p * 4 + 1] = palette[e + 1];
    rgba[p * 4 + 2] = palette[e + 2];
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

function span(t, what, first, last) {
  if (first === last) return fillTemplate(t[`${what}_one`], { i: String(first) });
  return fillTemplate(t[`${what}_span`], { first: String(first), last: String(last) });
}

export function view(data, s) {
  const meta = data.meta;
  const t = meta.text;
  const side = meta.side;
  const { kind, in_channels: c, out_channels: o, multiplier: m, groups: g } = s;
  const k = kernelOf(s);
  const n = outSide(s, side);
  const { row: r, column: q, out_channel: oc } = s;
  const cm = c * m;
  const [params, macs, stages] = counts(s, side);
  const pictures = scene(s, meta);
  const f = formatCount;
  const titles = {
    input: fillTemplate(t.title_input, { c: f(c), side: f(side) }),
    output: fillTemplate(t.title_output, { o: f(outputs(s)), h: f(n) }),
  };
  if (kind === "separable") {
    titles.filters = fillTemplate(t.title_dw_stage, { n: f(cm), k: f(k) });
    titles.middle = fillTemplate(t.title_middle, { n: f(cm), h: f(n) });
    titles.filters2 = fillTemplate(t.title_pw_stage, { o: f(o), n: f(cm) });
  } else {
    titles.filters = fillTemplate(t[`title_${kind}`], {
      o: f(o),
      c: f(c),
      k: f(k),
      per: f(c / g),
      g: f(g),
      n: f(cm),
    });
  }
  const panels = [];
  for (const name of PANELS) {
    const picture = pictures[name];
    if (!picture) {
      panels.push({ name, title: "", hidden: true });
      continue;
    }
    panels.push({
      name,
      title: titles[name],
      rgba: paint(picture, data.sprite, data.palette),
      scale: 1,
      width: picture.width,
      height: picture.height,
    });
  }
  const plain = (text) => ({ text, bg: "#ffffff", fg: "#000000" });
  const cells = [["head_layer", "head_params", "head_macs"].map((h) => plain(t[h]))];
  let label;
  if (kind === "separable") {
    const labels = [t.label_dw_stage, t.label_pw_stage];
    stages.forEach(([p, mc], i) => cells.push([labels[i], f(p), f(mc)].map(plain)));
    label = t.label_separable;
  } else {
    label = fillTemplate(t[`label_${kind}`], { g: f(g), m: f(m) });
  }
  cells.push([label, f(params), f(macs)].map((x) => ({ ...plain(x), em: true })));
  panels.push({ name: "counts", kind: "table", row: 1, title: t.title_counts, cells });
  const lit = receptiveField(s, side);
  const channels = [];
  let count = 0;
  for (let i = 0; i < c; i++) {
    let any = false;
    for (let p = i * side * side; p < (i + 1) * side * side; p++) {
      if (lit[p]) {
        any = true;
        count += 1;
      }
    }
    if (any) channels.push(i);
  }
  const slots = {
    oc: f(oc),
    r: f(r),
    q: f(q),
    n: f(count),
    channels: span(t, "channel", channels[0], channels[channels.length - 1]),
    rows: span(t, "row", r, r + k - 1),
    columns: span(t, "column", q, q + k - 1),
  };
  if (kind === "grouped") Object.assign(slots, { group: f(Math.floor(oc / (o / g))), g: f(g) });
  else if (kind === "depthwise") {
    Object.assign(slots, { copy: f(oc % m), i: f(Math.floor(oc / m)), m: f(m) });
  } else if (kind === "separable") {
    delete slots.n;
    Object.assign(slots, {
      cm: f(cm),
      kk: f(k * k),
      dw: f(cm * k * k),
      total: f(cm * k * k + cm),
      std: f(c * k * k),
    });
  }
  const formula = { c: f(c), o: f(o), k: f(k), g: f(g), m: f(m), p: f(params) };
  if (kind === "grouped") formula.std = f(c * o * k * k);
  if (kind === "separable") Object.assign(formula, { p1: f(stages[0][0]), p2: f(stages[1][0]) });
  const texts = {
    lit: fillTemplate(t[`lit_${kind}`], slots),
    params: fillTemplate(t[`params_${kind}`], formula),
    macs: fillTemplate(t.macs, { p: f(params), h: f(n), macs: f(macs) }),
    setting: fillTemplate(t.setting, { side: f(side), h: f(n) }),
  };
  return { panels, texts };
}

export default widgetModule(view, { normalise, limits });
