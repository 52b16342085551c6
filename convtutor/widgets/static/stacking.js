// Stacking: the depth-wise outputs stacked into one (C*M, H, W) tensor, M = 1..3.
// Python computed, for every kernel set, all C*3 slices (ct.depthwise_conv2d); the page
// only picks the first M of each channel and colours them. Its words are Python's
// (Stacking.TEXT, in meta.text), filled with fillTemplate.
// Python mirror: convtutor/widgets/stacking.py (Stacking.view).
import {
  fillTemplate,
  formatNumber,
  mapValues,
  plane,
  rgbPlanes,
  widgetModule,
} from "./common.js";

const size = (h, w) => `${h}×${w}`;

/** Slices c*maxM + j (j < m) of a full stack: channel c's first m, in tensor order. */
export function select(full, channels, maxM, m) {
  const out = [];
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < m; j++) out.push(plane(full, c * maxM + j));
  }
  return out;
}

/** Painted slices (RGBA, h x w each) as one picture: a row per channel, gaps in gapRgb. */
export function picture(tiles, channels, h, w, gap, gapRgb) {
  const m = tiles.length / channels;
  const height = channels * (h + gap) - gap;
  const width = m * (w + gap) - gap;
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let i = 0; i < height * width; i++) {
    rgba[i * 4] = gapRgb[0];
    rgba[i * 4 + 1] = gapRgb[1];
    rgba[i * 4 + 2] = gapRgb[2];
    rgba[i * 4 + 3] = 255;
  }
  tiles.forEach((tile, o) => {
    const y0 = Math.floor(o / m) * (h + gap);
    const x0 = (o % m) * (w + gap);
    for (let y = 0; y < h; y++) {
      rgba.set(tile.subarray(y * w * 4, (y + 1) * w * 4), ((y0 + y) * width + x0) * 4);
    }
  });
  return { rgba, width, height };
}

export function view(data, state) {
  const meta = data.meta;
  const photo = data.photo;
  const [, h, w] = photo.shape;
  const C = meta.channels;
  const m = state.depth_multiplier;
  const names = meta.set_kernels[state.kernels];
  const k = meta.kernel_sizes[state.kernels][0];
  const limits = meta.limits[state.kernels];
  const diverging = data.lut_diverging;
  const full = data[`stack_${meta.sets.indexOf(state.kernels)}`];
  const [, ho, wo] = full.shape;
  const slices = select(full, C, meta.max_m, m);
  const cm = slices.length;
  const tiles = slices.map((values, o) =>
    mapValues(values, -limits[o % m], limits[o % m], diverging),
  );
  const pic = picture(tiles, C, ho, wo, meta.gap, meta.gap_rgb);
  const text = meta.text;
  const one = m === 1 ? "_one" : "";
  const panels = [
    {
      name: "input",
      title: fillTemplate(text.input, { channels: String(C), size: size(h, w) }),
      width: w,
      height: h,
      rgba: rgbPlanes(plane(photo, 0), plane(photo, 1), plane(photo, 2), h * w),
      scale: meta.scale,
    },
    {
      name: "picture",
      title: fillTemplate(text[`picture${one}`], {
        channels: String(C),
        m: String(m),
        slices: String(cm),
        size: size(ho, wo),
        rows: meta.channel_names.slice(0, C).join(", "),
        columns: names.slice(0, m).join(", "),
      }),
      width: pic.width,
      height: pic.height,
      rgba: pic.rgba,
      scale: meta.scale,
    },
  ];
  for (let o = 0; o < C * meta.max_m; o++) {
    const row = 1 + Math.floor(o / 3);
    if (o >= cm) {
      panels.push({ name: `slice_${o}`, row, hidden: true, title: "" });
      continue;
    }
    const c = Math.floor(o / m);
    const j = o % m;
    panels.push({
      name: `slice_${o}`,
      row,
      title: fillTemplate(text.slice, {
        slice: String(o),
        channel: meta.channel_names[c],
        kernel: names[j],
      }),
      width: wo,
      height: ho,
      rgba: tiles[o],
      scale: meta.scale,
      mark: meta.channel_colors[c],
    });
  }
  const ranges = [];
  for (let c = 0; c < C; c++) {
    const first = c * m;
    const last = c * m + m - 1;
    const span = m === 1 ? String(first) : `${first}–${last}`;
    ranges.push(fillTemplate(text.range, { slices: span, channel: meta.channel_names[c] }));
  }
  const scales = names
    .slice(0, m)
    .map((kernel, j) => fillTemplate(text.scale, { kernel, limit: formatNumber(limits[j], 2) }))
    .join(", ");
  const texts = {
    weight: fillTemplate(text[`weight${one}`], {
      slices: String(cm),
      k: String(k),
      m: String(m),
      channels: String(C),
    }),
    origin: fillTemplate(text[`origin${one}`], {
      ranges: ranges.slice(0, -1).join(", "),
      last: ranges[ranges.length - 1],
    }),
    colours: fillTemplate(text.colours, { scales }),
  };
  return { panels, texts };
}

const base = widgetModule(view);

export default {
  render(context) {
    base.render(context);
    // Slice captions differ in length: give every slice the same room, so the slices
    // line up in columns.
    for (const figure of context.el.querySelectorAll('.ct-panel[data-name^="slice_"]')) {
      figure.style.minWidth = "15.5em";
    }
  },
};
