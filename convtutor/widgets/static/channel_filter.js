// ChannelFilter: one depth-wise layer, each channel of the photo through its own kernel,
// all kernels of one size. Python computed every kernel of that size on every channel
// (ct.depthwise_conv2d) and wrote every title and sentence (meta.words); the page only
// picks the three maps the menus name, colours them and looks the words up.
// Python mirror: convtutor/widgets/channel_filter.py (ChannelFilter.view).
import { mapValues, plane, rgbPlanes, tableCells, widgetModule } from "./common.js";

export function view(data, state) {
  const meta = data.meta;
  const words = meta.words;
  const photo = data.photo;
  const [, h, w] = photo.shape;
  const n = h * w;
  const diverging = data.lut_diverging;
  const scale = meta.scale;
  const followed = state.channel;
  const panels = [
    {
      name: "photo",
      title: words.photo,
      width: w,
      height: h,
      rgba: rgbPlanes(plane(photo, 0), plane(photo, 1), plane(photo, 2), n),
      scale,
    },
  ];
  const maps = [0, 1, 2].map((c) => data[`out_${meta.kernels.indexOf(state[`kernel_${c}`])}`]);
  for (let c = 0; c < 3; c++) {
    const mark = c === followed ? meta.channel_colors[c] : "";
    const name = state[`kernel_${c}`];
    const k = meta.kernel_values[name];
    const kl = meta.kernel_limits[name];
    const limit = meta.limits[name];
    const [, ho, wo] = maps[c].shape;
    panels.push(
      {
        name: `input_${c}`,
        row: c + 1,
        title: words.input[c],
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
        title: words.kernel[c][name],
        cells: tableCells(k, -kl, kl, diverging),
        mark,
      },
      {
        name: `output_${c}`,
        row: c + 1,
        title: words.output[c][name],
        width: wo,
        height: ho,
        rgba: mapValues(plane(maps[c], c), -limit, limit, diverging, ho * wo),
        scale,
        mark,
      },
    );
  }
  const texts = {
    layer: words.layer,
    follow: words.follow[followed][state[`kernel_${followed}`]],
    size: words.size,
  };
  return { panels, texts };
}

const base = widgetModule(view);

export default {
  render(context) {
    base.render(context);
    // The outputs' captions differ in width (their colour scales): give every output
    // the same room, and every kernel table the room of the widest, so the three rows
    // line up in columns.
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
