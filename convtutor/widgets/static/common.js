// Shared by every convtutor widget: arrays, colour maps, accessible controls, the paint.
//
// A widget's module imports what it needs from here ("./common.js"). Python ships
// each widget as ONE module: this file, then the widget's own file, with the import
// line and these `export`s removed (convtutor/widgets/_base.py, module_source).
//
// The contract between Python and a module:
//   model "values"   the state, {name: value}; the page writes it back after a move
//   model "_arrays"  {name: DataView}: float32 (or uint8) bytes, shipped once
//   model "_meta"    {shapes: {name: [...]}, dtypes: {name: "float32"|"uint8"}, ...}
//                    and `derived`: {name: spec}, arrays the page computes (`derive`)
//   model "_controls" [{name, label, kind: "range"|"select", ...}]: the controls
//   model "error"    a message shown under the controls (role="alert")
// and a module exports a pure `view(data, state)` -> {panels: [...], texts: {...}}
// that Python mirrors line by line (Widget.view), so both paint the same pixels.

/** Typed arrays (with a .shape) from the shipped buffers. */
export function unpack(arrays, meta) {
  const out = {};
  const shapes = (meta && meta.shapes) || {};
  const dtypes = (meta && meta.dtypes) || {};
  for (const [name, view] of Object.entries(arrays || {})) {
    const buffer = view.buffer;
    const offset = view.byteOffset || 0;
    const length = view.byteLength;
    const arr =
      dtypes[name] === "uint8"
        ? new Uint8Array(buffer, offset, length)
        : new Float32Array(buffer.slice(offset, offset + length));
    arr.shape = shapes[name] || [arr.length];
    out[name] = arr;
  }
  // Derived arrays are computed when first read: a widget's first picture needs few.
  for (const [name, spec] of Object.entries((meta && meta.derived) || {})) {
    let value = null;
    Object.defineProperty(out, name, {
      enumerable: true,
      get() {
        if (value === null) {
          value = derive(spec, out);
          value.shape = spec.shape;
        }
        return value;
      },
    });
  }
  return out;
}

/**
 * An array the page computes from a shipped one (Python: _base.derive, the same float64
 * operations in the same order, then float32, so both hold the same bits).
 * "correlate": map n = channel maps[n][0] of `source` (C, H, W) cross-correlated with
 * the kernel maps[n][1], no padding; "shift": `source` (H, W) shifted by every offset
 * of a window x window square, zeros outside.
 */
export function derive(spec, data) {
  const x = data[spec.source];
  if (spec.op === "correlate") {
    const [, h, w] = x.shape;
    const kh = spec.maps[0][1].length;
    const kw = spec.maps[0][1][0].length;
    const oh = h - kh + 1;
    const ow = w - kw + 1;
    const out = new Float32Array(spec.maps.length * oh * ow);
    const acc = new Float64Array(oh * ow);
    spec.maps.forEach(([channel, kernel], n) => {
      acc.fill(0);
      const base = channel * h * w;
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const k = kernel[u][v];
          for (let i = 0; i < oh; i++) {
            const row = base + (i + u) * w + v;
            const at = i * ow;
            for (let j = 0; j < ow; j++) acc[at + j] = acc[at + j] + k * x[row + j];
          }
        }
      }
      out.set(acc, n * oh * ow);
    });
    return out;
  }
  if (spec.op === "shift") {
    const [h, w] = x.shape;
    const window = spec.window;
    const r = Math.floor(window / 2);
    const out = new Float32Array(window * window * h * w);
    for (let u = 0; u < window; u++) {
      for (let v = 0; v < window; v++) {
        const at = (u * window + v) * h * w;
        for (let i = 0; i < h; i++) {
          const si = i + u - r;
          if (si < 0 || si >= h) continue;
          for (let j = 0; j < w; j++) {
            const sj = j + v - r;
            if (sj >= 0 && sj < w) out[at + i * w + j] = x[si * w + sj];
          }
        }
      }
    }
    return out;
  }
  throw new RangeError(String(spec.op)); // an operation this page does not know
}

/** Colour-map index of v in [lo, hi] (256 entries), as Python's lut_index. */
export function lutIndex(v, lo, hi) {
  const i = Math.floor(((v - lo) / (hi - lo)) * 256);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}

/** A value in [0, 1] as a byte, as Python's to_byte (round half up). */
export function toByte(v) {
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return Math.floor(c * 255 + 0.5);
}

/** RGBA bytes of `n` values through a 256-entry LUT (uint8, 256 x 3); NaN paints white. */
export function mapValues(values, lo, hi, lut, n = values.length) {
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const j = i * 4;
    if (Number.isNaN(v)) {
      rgba[j] = rgba[j + 1] = rgba[j + 2] = 255;
    } else {
      const k = lutIndex(v, lo, hi) * 3;
      rgba[j] = lut[k];
      rgba[j + 1] = lut[k + 1];
      rgba[j + 2] = lut[k + 2];
    }
    rgba[j + 3] = 255;
  }
  return rgba;
}

/** RGBA bytes of an RGB picture given as 3 planes of n values in [0, 1] (each / scale). */
export function rgbPlanes(r, g, b, n, scale = 1) {
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    rgba[i * 4] = toByte(r[i] / scale);
    rgba[i * 4 + 1] = toByte(g[i] / scale);
    rgba[i * 4 + 2] = toByte(b[i] / scale);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** The largest finite |value| (1 when there is none), as Python's symmetric_limit. */
export function symmetricLimit(values) {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m > 0 ? m : 1;
}

/** Plane `i` of a (C, H, W) array, as a view. */
export function plane(arr, i) {
  const n = arr.shape[1] * arr.shape[2];
  return arr.subarray(i * n, (i + 1) * n);
}

/**
 * `v` printed with at most `digits` places: the widgets' one number format (Python's
 * format_number, the same specification, see docs/widgets.md). The exact binary value
 * rounded to `digits` places, a tie away from zero (ECMAScript's toFixed below 1e21),
 * "0" for a result of zero (never "-0"), trailing zeros and point dropped. `v` must be
 * a finite number below 1e21 in size, `digits` a whole number from 0 to 20: anything
 * else throws (TypeError, RangeError).
 */
export function formatNumber(v, digits = 3) {
  if (typeof v !== "number") throw new TypeError(`${typeof v} ${String(v)}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new RangeError(String(digits));
  if (!Number.isFinite(v) || Math.abs(v) >= 1e21) throw new RangeError(String(v));
  const s = v.toFixed(digits);
  const t = s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  return t === "-0" ? "0" : t;
}

/** `x` to `digits` significant digits (Python's format_significant, the same
 * specification): toPrecision, then the mantissa's trailing zeros dropped. */
export function formatSignificant(x, digits = 4) {
  if (typeof x !== "number") throw new TypeError(`${typeof x} ${String(x)}`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new RangeError(String(digits));
  if (!Number.isFinite(x)) throw new RangeError(String(x));
  if (x === 0) return "0";
  const [m, e] = x.toPrecision(digits).split("e");
  const mantissa = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
  return e === undefined ? mantissa : `${mantissa}e${e}`;
}

/**
 * `template` with every `{name}` replaced by `slots[name]` (Python's fill_template, the
 * same rule): a slot is "{", a name (a letter or "_", then letters, digits, "_"), "}";
 * any other brace stays. Every value is a string already (numbers go through
 * formatNumber / formatCount first); a missing slot or a non-string value throws.
 * The words themselves come from Python, in meta.text: a module writes no English.
 */
export function fillTemplate(template, slots = {}) {
  // The errors name the slot and what it holds; the words are a developer's, not the page's.
  for (const [name, value] of Object.entries(slots)) {
    if (typeof value !== "string") throw new TypeError(`{${name}}: ${typeof value}`);
  }
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name) => {
    if (!Object.prototype.hasOwnProperty.call(slots, name)) {
      throw new RangeError(`{${name}}`);
    }
    return slots[name];
  });
}

/** Paints the w x h rectangle at (x0, y0) of an RGBA picture `width` pixels wide in
 * palette colour `index` (palette: RGB bytes), opaque. */
export function fillRect(rgba, width, x0, y0, w, h, palette, index) {
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

/**
 * A whole number with a comma between each group of three digits: 9800 -> "9,800"
 * (Python's format_count, the same specification). `n` must be a safe integer (a whole
 * number of size at most 2**53 - 1): anything else throws (TypeError, RangeError).
 */
export function formatCount(n) {
  if (typeof n !== "number") throw new TypeError(`${typeof n} ${String(n)}`);
  if (!Number.isSafeInteger(n)) throw new RangeError(String(n));
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Black or white, whichever contrasts more with rgb (0-255), as Python's text_colour. */
export function textColour(rgb) {
  const lin = rgb.map((b) => {
    const c = b / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return (luminance + 0.05) ** 2 >= 0.0525 ? "#000000" : "#ffffff";
}

/** Rows of numbers as table cells {text, bg, fg}, as Python's table_cells. */
export function tableCells(rows, lo, hi, lut, digits = 3) {
  return rows.map((row) =>
    row.map((v) => {
      const k = lutIndex(v, lo, hi) * 3;
      const rgb = [lut[k], lut[k + 1], lut[k + 2]];
      const bg = "#" + rgb.map((b) => b.toString(16).padStart(2, "0")).join("");
      return { text: formatNumber(v, digits), bg, fg: textColour(rgb) };
    }),
  );
}

/** A bar chart's pixels (Python's bar_chart; `bar`: its BAR_CHART): palette colour 0
 * everywhere, a line at x = bar.length in colour `end` (when given), the axis at x = 0 in
 * colour 1, then bar i lengths[i] long in colour first + i. */
export function barChart(lengths, palette, bar, first, end = null) {
  const { width, height } = bar;
  const rgba = new Uint8ClampedArray(width * height * 4);
  fillRect(rgba, width, 0, 0, width, height, palette, 0);
  if (end !== null) fillRect(rgba, width, bar.length, 0, 1, height, palette, end);
  fillRect(rgba, width, 0, 0, 1, height, palette, 1);
  lengths.forEach((length, i) => {
    const y = bar.pad + i * (bar.bar_height + bar.gap);
    fillRect(rgba, width, 1, y, length, bar.bar_height, palette, first + i);
  });
  return rgba;
}

/** The divisors of n, smallest first: the values a groups slider can take (Python's divisors). */
export function divisors(n) {
  const out = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** The greatest common divisor of two whole numbers. */
export function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

/** The groups slider's position after the divisors changed: the old g if it is still
 * among `options`, else the largest divisor below it (Python's kept_group). */
export function keptGroup(old, options) {
  let at = 0;
  options.forEach((d, j) => {
    if (d <= old) at = j;
  });
  return at;
}

// ---------------------------------------------------------------------------------
// The page: controls, panels, texts. Nothing below is needed by the Node tests.

function valueText(spec, value) {
  if (spec.labels) return String(spec.labels[Math.round((value - spec.min) / spec.step)]);
  const text = formatNumber(value, spec.digits ?? 3);
  return spec.unit ? `${text} ${spec.unit}` : text;
}

function keyStep(spec, key) {
  const page = Math.max(spec.step, spec.page ?? spec.step * Math.ceil((spec.max - spec.min) / spec.step / 10));
  switch (key) {
    case "ArrowRight":
    case "ArrowUp":
      return spec.step;
    case "ArrowLeft":
    case "ArrowDown":
      return -spec.step;
    case "PageUp":
      return page;
    case "PageDown":
      return -page;
    default:
      return null;
  }
}

function snap(spec, value) {
  const steps = Math.round((value - spec.min) / spec.step);
  const v = spec.min + steps * spec.step;
  const clipped = Math.min(spec.max, Math.max(spec.min, v));
  const digits = spec.digits ?? 6;
  return Number(clipped.toFixed(digits));
}

function makeControl(spec, onValue) {
  const row = document.createElement("div");
  row.className = "ct-control";
  const id = `ct-${spec.name}-${Math.random().toString(36).slice(2, 9)}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = spec.label;
  row.append(label);
  let input;
  let readout = null;
  if (spec.kind === "select") {
    input = document.createElement("select");
    for (const option of spec.options) {
      const o = document.createElement("option");
      o.value = option;
      o.textContent = option;
      input.append(o);
    }
    input.addEventListener("change", () => onValue(spec.name, input.value));
  } else {
    input = document.createElement("input");
    input.type = "range";
    input.min = spec.min;
    input.max = spec.max;
    input.step = spec.step;
    readout = document.createElement("output");
    readout.htmlFor = id;
    input.addEventListener("input", () => onValue(spec.name, snap(spec, Number(input.value))));
  }
  input.id = id;
  input.dataset.name = spec.name;
  // Notebook 7 listens for shortcuts in the capture phase, before the control's own
  // listener runs; Lumino skips a key whose target carries this attribute.
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  // JupyterLab's shortcuts take keys before a control sees them: keep ours here.
  input.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (spec.kind === "select" || input.disabled) return;
    let value = null;
    if (event.key === "Home") value = spec.min;
    else if (event.key === "End") value = spec.max;
    else {
      const step = keyStep(spec, event.key);
      if (step !== null) value = snap(spec, Number(input.value) + step);
    }
    if (value === null) return;
    event.preventDefault();
    input.value = value;
    onValue(spec.name, value);
  });
  input.addEventListener("keyup", (event) => event.stopPropagation());
  input.addEventListener("keypress", (event) => event.stopPropagation());
  row.append(input);
  if (readout) row.append(readout);
  return {
    row,
    input,
    set(value, limits) {
      if (limits) {
        if (limits.max !== undefined) {
          spec.max = limits.max;
          input.max = limits.max;
        }
        if (limits.min !== undefined) {
          spec.min = limits.min;
          input.min = limits.min;
        }
        if (limits.label !== undefined) label.textContent = limits.label;
        if (limits.labels !== undefined) spec.labels = limits.labels;
        input.disabled = Boolean(limits.disabled);
      }
      if (spec.kind === "select") {
        if (input.value !== value) input.value = value;
        return;
      }
      if (Number(input.value) !== value) input.value = value;
      const text = valueText(spec, value);
      readout.textContent = text;
      input.setAttribute("aria-valuetext", text);
    },
  };
}

function makeBody(kind, name) {
  if (kind === "table") {
    const table = document.createElement("table");
    table.className = "ct-table";
    return table;
  }
  const canvas = document.createElement("canvas");
  canvas.dataset.name = name;
  canvas.setAttribute("role", "img");
  return canvas;
}

function makePanel(spec) {
  const figure = document.createElement("figure");
  figure.className = "ct-panel";
  figure.dataset.name = spec.name;
  const caption = document.createElement("figcaption");
  figure.append(caption);
  const kind = spec.kind === "table" ? "table" : "canvas";
  const body = makeBody(kind, spec.name);
  figure.append(body);
  return { figure, caption, body, kind };
}

function paintPanel(panel, spec) {
  panel.figure.hidden = Boolean(spec.hidden);
  if (spec.hidden) return;
  // A panel first seen hidden may not have said its kind: make the right body now.
  const kind = spec.kind === "table" ? "table" : "canvas";
  if (panel.kind !== kind) {
    const body = makeBody(kind, spec.name);
    panel.body.replaceWith(body);
    panel.body = body;
    panel.kind = kind;
  }
  if (panel.caption.textContent !== spec.title) panel.caption.textContent = spec.title;
  panel.figure.style.outline = spec.mark ? `3px solid ${spec.mark}` : "";
  if (spec.kind === "table") {
    const rows = spec.cells
      .map(
        (row) =>
          "<tr>" +
          row
            .map(
              (c) =>
                `<td${c.em ? ' class="ct-em"' : ""} style="background:${c.bg};color:${c.fg}">` +
                `${c.text}</td>`,
            )
            .join("") +
          "</tr>",
      )
      .join("");
    panel.body.innerHTML = rows;
    return;
  }
  const canvas = panel.body;
  if (canvas.width !== spec.width) canvas.width = spec.width;
  if (canvas.height !== spec.height) canvas.height = spec.height;
  const scale = spec.scale ?? 2;
  canvas.style.width = `${spec.width * scale}px`;
  canvas.style.height = `${spec.height * scale}px`;
  canvas.setAttribute("aria-label", spec.title);
  const ctx = canvas.getContext("2d");
  ctx.putImageData(new ImageData(spec.rgba, spec.width, spec.height), 0, 0);
}

/** "Your own photo": a file input whose picture goes to Python, which rebuilds the arrays. */
function photoControl(model, error, words) {
  const row = document.createElement("div");
  row.className = "ct-control ct-photo";
  const id = `ct-photo-${Math.random().toString(36).slice(2, 9)}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = words.photo_label;
  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/*";
  input.id = id;
  input.dataset.name = "photo";
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  input.addEventListener("keydown", (event) => event.stopPropagation());
  const status = document.createElement("span");
  status.className = "ct-photo-status";
  status.setAttribute("aria-live", "polite");
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    status.textContent = fillTemplate(words.photo_reading, { file: file.name });
    try {
      const buffer = await file.arrayBuffer();
      model.send({ kind: "image", name: file.name }, undefined, [buffer]);
      status.textContent = fillTemplate(words.photo_sent, { file: file.name });
    } catch (e) {
      status.textContent = "";
      error.hidden = false;
      error.textContent = fillTemplate(words.photo_not_sent, { reason: String(e) });
    }
    input.value = "";
  });
  row.append(label, input, status);
  return row;
}

/** At most one state message to Python per this many milliseconds while a control moves. */
export const SYNC_MS = 100;

/**
 * The anywidget module of a widget whose pure `view(data, state)` (and optional
 * `normalise(state, data, changed)`, `limits(state, data)`) says what to show.
 */
export function widgetModule(view, { normalise, limits } = {}) {
  return {
    render({ model, el }) {
      let data = unpack(model.get("_arrays"), model.get("_meta"));
      data.meta = model.get("_meta");
      const specs = model.get("_controls");
      let state = { ...model.get("values") };
      const root = document.createElement("div");
      root.className = `ct-widget ct-${data.meta.name}`;
      const controlsBox = document.createElement("div");
      controlsBox.className = "ct-controls";
      const error = document.createElement("div");
      error.className = "ct-error";
      error.setAttribute("role", "alert");
      const panelsBox = document.createElement("div");
      panelsBox.className = "ct-panels";
      const textsBox = document.createElement("div");
      textsBox.className = "ct-texts";
      textsBox.setAttribute("aria-live", "polite");
      const caption = document.createElement("p");
      caption.className = "ct-caption";
      caption.textContent = model.get("caption") || "";
      root.append(controlsBox, error, panelsBox, textsBox, caption);
      el.append(root);

      const controls = {};
      // The state goes back to Python at most every SYNC_MS while a control moves,
      // and once more after the last move: a drag of 60 moves a second costs the
      // kernel a few messages, not 60. The page never waits for Python.
      let lastSync = -Infinity;
      let timer = null;
      const sendState = () => {
        timer = null;
        lastSync = performance.now();
        model.set("values", { ...state });
        model.save_changes();
      };
      const sync = () => {
        if (timer !== null) return;
        const wait = Math.max(0, lastSync + SYNC_MS - performance.now());
        timer = setTimeout(sendState, wait);
      };
      const onValue = (name, value) => {
        state = { ...state, [name]: value };
        if (normalise) state = normalise(state, data, name);
        paint();
        sync();
      };
      const rows = {};
      for (const spec of specs) {
        const c = makeControl({ ...spec }, onValue);
        controls[spec.name] = c;
        const r = spec.row ?? 0;
        if (!rows[r]) {
          rows[r] = document.createElement("div");
          rows[r].className = "ct-row";
          controlsBox.append(rows[r]);
        }
        rows[r].append(c.row);
      }
      if (data.meta.photo) controlsBox.append(photoControl(model, error, data.meta.text));
      const panels = {};
      const panelRows = {};
      const texts = {};
      function paint() {
        const lims = limits ? limits(state, data) : {};
        for (const [name, c] of Object.entries(controls)) c.set(state[name], lims[name]);
        const v = view(data, state);
        for (const spec of v.panels) {
          if (!panels[spec.name]) {
            panels[spec.name] = makePanel(spec);
            const r = spec.row ?? 0;
            if (!panelRows[r]) {
              panelRows[r] = document.createElement("div");
              panelRows[r].className = "ct-row";
              const after = Object.keys(panelRows).map(Number).filter((k) => k > r);
              const next = after.length ? panelRows[Math.min(...after)] : null;
              panelsBox.insertBefore(panelRows[r], next);
            }
            panelRows[r].append(panels[spec.name].figure);
          }
          paintPanel(panels[spec.name], spec);
        }
        for (const [name, text] of Object.entries(v.texts || {})) {
          if (!texts[name]) {
            texts[name] = document.createElement("div");
            texts[name].dataset.text = name;
            textsBox.append(texts[name]);
          }
          if (texts[name].textContent !== text) texts[name].textContent = text;
        }
        root.dataset.state = JSON.stringify(state);
        root.dataset.painted = String(Number(root.dataset.painted || 0) + 1);
      }
      const showError = () => {
        const message = model.get("error") || "";
        error.textContent = message;
        error.hidden = !message;
      };
      model.on("change:values", () => {
        const incoming = model.get("values");
        if (JSON.stringify(incoming) === JSON.stringify(state)) return;
        state = { ...incoming };
        paint();
      });
      model.on("change:error", showError);
      // A new photo (uploaded, or use_image from code): new arrays, same controls.
      model.on("change:_arrays", () => {
        data = unpack(model.get("_arrays"), model.get("_meta"));
        data.meta = model.get("_meta");
        state = { ...model.get("values") };
        root.querySelector(".ct-photo-status")?.replaceChildren();
        paint();
      });
      showError();
      paint();
    },
  };
}
