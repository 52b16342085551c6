// ChannelFilter: depth-wise filtering, each channel of the photo through its own kernel.
// Python computed every named kernel on every channel (ct.depthwise_conv2d); the page
// only picks the three maps the menus name and colours them.
// Python mirror: convtutor/widgets/depthwise.py (ChannelFilter.view).
import { formatNumber, mapValues, plane, rgbPlanes, tableCells, widgetModule } from "./common.js";

const size = (h, w) => `${h}×${w}`;

export function view(data, state) {
  const meta = data.meta;
  const photo = data.photo;
  const [, h, w] = photo.shape;
  const n = h * w;
  const diverging = data.lut_diverging;
  const scale = meta.scale;
  const followed = state.channel;
  const panels = [
    {
      name: "photo",
      title: `the photo (${size(h, w)}): 3 channels,\neach filtered on its own below`,
      width: w,
      height: h,
      rgba: rgbPlanes(plane(photo, 0), plane(photo, 1), plane(photo, 2), n),
      scale,
    },
  ];
  const maps = [0, 1, 2].map((c) => data[`out_${meta.kernels.indexOf(state[`kernel_${c}`])}`]);
  for (let c = 0; c < 3; c++) {
    const colour = meta.channel_names[c];
    const mark = c === followed ? meta.channel_colors[c] : "";
    const name = state[`kernel_${c}`];
    const k = meta.kernel_values[name];
    const kl = meta.kernel_limits[name];
    const limit = meta.limits[name];
    const [, ho, wo] = maps[c].shape;
    const lim = formatNumber(limit, 2);
    panels.push(
      {
        name: `input_${c}`,
        row: c + 1,
        title: `input ${c}: ${colour}\n${size(h, w)}`,
        width: w,
        height: h,
        rgba: mapValues(plane(photo, c), 0, 1, data[`lut_${c}`], n),
        scale,
        mark,
      },
      {
        name: `kernel_${c}`,
        row: c + 1,
        kind: "table",
        title: `⋆ kernel ${c}: ${name}\n${size(k.length, k[0].length)}`,
        cells: tableCells(k, -kl, kl, diverging),
        mark,
      },
      {
        name: `output_${c}`,
        row: c + 1,
        title: `= output ${c} (${size(ho, wo)})\nblue −${lim} · white 0 · red +${lim}`,
        width: wo,
        height: ho,
        rgba: mapValues(plane(maps[c], c), -limit, limit, diverging, ho * wo),
        scale,
        mark,
      },
    );
  }
  const c = followed;
  const colour = meta.channel_names[c];
  const name = state[`kernel_${c}`];
  const k = meta.kernel_values[name];
  const [, ho, wo] = maps[c].shape;
  const texts = {
    follow:
      `Following the ${colour} channel: input ${c} ⋆ kernel ${c} (${name}) = output ${c}. ` +
      "No other channel takes part.",
    size:
      `No padding, so output ${c} is smaller than its input: ` +
      `${h} − ${k.length} + 1 = ${ho} rows, ${w} − ${k[0].length} + 1 = ${wo} columns.`,
  };
  return { panels, texts };
}

const base = widgetModule(view);

export default {
  render(context) {
    base.render(context);
    // A 3x3 and a 5x5 table differ in width, and so do the outputs' captions: give
    // every kernel the room of the widest and every output the same room, so the
    // three rows line up in columns (and a smaller output sits centred where its
    // input's pixels are).
    const kernels = Object.values(context.model.get("_meta").kernel_values);
    const largest = Math.max(...kernels.map((k) => k[0].length));
    const room = { kernel_: `${3.7 * largest}em`, output_: "15.5em" };
    for (const [prefix, width] of Object.entries(room)) {
      for (const figure of context.el.querySelectorAll(`.ct-panel[data-name^="${prefix}"]`)) {
        figure.style.minWidth = width;
      }
    }
  },
};
