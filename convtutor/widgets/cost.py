"""What each kind of layer costs: parameters and multiply-accumulates, side by side.

Sliders for the channels, the kernel size, the input size and the depth multiplier;
bars for a standard, a depth-wise, a point-wise and a depth-wise separable layer
(numbers from :func:`convtutor.conv_cost`); the separable-to-standard ratio beside
its formula; and every parameter count checked against real PyTorch layers.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets

from ..cost import KINDS, conv_cost
from ..viz.diagrams import cost_bars, path_text
from ._legacy import Widget
from .depthwise import compact_html, control_rows

__all__ = [
    "CostCalculator",
    "torch_parameter_counts",
    "ratio_text",
    "ratio_line",
    "CHANNEL_CHOICES",
    "SIZE_CHOICES",
]

#: Channel counts on the sliders: 3 (RGB), the article's 10 and 20, and powers of two.
CHANNEL_CHOICES = (1, 2, 3, 4, 8, 10, 16, 20, 32, 64, 128, 256, 512)
#: Input sizes on the slider: MobileNet's feature-map sizes.
SIZE_CHOICES = (7, 14, 28, 56, 112, 224)


@functools.lru_cache(maxsize=256)
def torch_parameter_counts(
    in_channels: int, out_channels: int, kernel_size: int, depth_multiplier: int = 1
) -> dict:
    """``sum(p.numel() for p in layer.parameters())`` of real ``torch.nn.Conv2d`` layers.

    The layers (no bias) are built on PyTorch's ``"meta"`` device: they have shapes
    but no memory, so even 512 x 512 x 7 x 7 is instant. torch is imported here,
    not when convtutor is imported.

    Returns
    -------
    dict
        Kind (as in :data:`convtutor.KINDS`) -> parameter count.
    """
    import torch  # heavy: imported only when the check runs

    c, o, k, m = in_channels, out_channels, kernel_size, depth_multiplier
    meta = {"bias": False, "device": "meta"}
    layers = {
        "standard": torch.nn.Conv2d(c, o, k, **meta),
        "depthwise": torch.nn.Conv2d(c, c * m, k, groups=c, **meta),
        "pointwise": torch.nn.Conv2d(c, o, 1, **meta),
        "separable": torch.nn.Sequential(
            torch.nn.Conv2d(c, c * m, k, groups=c, **meta), torch.nn.Conv2d(c * m, o, 1, **meta)
        ),
    }
    return {kind: sum(p.numel() for p in layer.parameters()) for kind, layer in layers.items()}


def layer_costs(in_channels, out_channels, kernel_size, input_size, depth_multiplier=1):
    """The :class:`convtutor.ConvCost` of each kind for one widget state.

    Stride 1 and "same" padding, so every layer's output is ``input_size`` square
    (the depth-wise layer has ``in_channels x depth_multiplier`` outputs).
    """
    costs = {}
    for kind in KINDS:
        out = in_channels * depth_multiplier if kind == "depthwise" else out_channels
        costs[kind] = conv_cost(
            kind,
            in_channels,
            out,
            kernel_size,
            input_size,
            padding="same",
            depth_multiplier=depth_multiplier,
        )
    return costs


def ratio_text(in_channels, out_channels, kernel_size, depth_multiplier, params_ratio) -> str:
    """The separable / standard ratio beside its formula, with the numbers put in.

    The depth multiplier ``M`` is named where it multiplies, and left out when it is 1:

    >>> ratio_text(10, 20, 7, 1, 690 / 9800).split("; ")[1]
    'formula 1/C_out + 1/k² = 1/20 + 1/7² = 0.07041'
    >>> ratio_text(10, 20, 7, 2, 1380 / 9800).split("; ")[1]
    'formula M·(1/C_out + 1/k²) with depth multiplier M = 2: 2·(1/20 + 1/7²) = 0.1408'
    """
    o, k, m = out_channels, kernel_size, depth_multiplier
    formula = m * (1 / o + 1 / k**2)
    if m == 1:
        numbers = f"1/C_out + 1/k² = 1/{o} + 1/{k}²"
    else:
        numbers = f"M·(1/C_out + 1/k²) with depth multiplier M = {m}: {m}·(1/{o} + 1/{k}²)"
    return (
        f"separable ÷ standard = {params_ratio:.4g} (parameters and MACs alike); "
        f"formula {numbers} = {formula:.4g}"
    )


def ratio_line(in_channels, out_channels, kernel_size, depth_multiplier, params_ratio) -> str:
    """:func:`ratio_text` short enough for one line of the figure.

    >>> ratio_line(10, 20, 7, 1, 690 / 9800)
    'separable ÷ standard = 0.07041 = 1/C_out + 1/k² = 1/20 + 1/7²'
    """
    o, k, m = out_channels, kernel_size, depth_multiplier
    if m == 1:
        return f"separable ÷ standard = {params_ratio:.4g} = 1/C_out + 1/k² = 1/{o} + 1/{k}²"
    return f"separable ÷ standard = {params_ratio:.4g} = M·(1/C_out + 1/k²) = {m}·(1/{o} + 1/{k}²)"


class CostCalculator(Widget):
    """Parameters and MACs of standard, depth-wise, point-wise and separable layers.

    Controls: ``in_channels`` and ``out_channels`` (from :data:`CHANNEL_CHOICES`),
    ``kernel_size`` (1-7), ``input_size`` (from :data:`SIZE_CHOICES`),
    ``depth_multiplier`` (1-4) and ``log_scale``.

    Attributes
    ----------
    params_bars, macs_bars : convtutor.viz.diagrams.CostBars
    costs : dict
        Kind -> :class:`convtutor.ConvCost` for the current state.
    torch_counts : dict
        Kind -> parameter count of the matching PyTorch layers.
    readout : ipywidgets.HTML
        A table of the numbers, the ratio and its formula, and the PyTorch check.
    ratio_label : convtutor.viz.diagrams.PathLabels
        The ratio and its formula above the bars (what a static page shows).
    """

    caption = (
        "Try: 10 → 20 channels with a 7×7 kernel (the article's layer: 9,800 weights); then "
        "raise the output channels and watch the separable/standard ratio fall towards 1/k²; "
        "set the depth multiplier to 2 and see it double."
    )

    def __init__(
        self,
        in_channels: int = 10,
        out_channels: int = 20,
        kernel_size: int = 7,
        input_size: int = 56,
        depth_multiplier: int = 1,
    ):
        super().__init__()
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="360px")

        def choices(name, options, value):
            return widgets.SelectionSlider(
                options=options, value=value, description=name, style=style, layout=layout
            )

        def whole(name, low, high, value):
            return widgets.IntSlider(
                value=value, min=low, max=high, description=name, style=style, layout=layout
            )

        self.controls = {
            "in_channels": choices("in channels C_in", CHANNEL_CHOICES, in_channels),
            "out_channels": choices("out channels C_out", CHANNEL_CHOICES, out_channels),
            "kernel_size": whole("kernel size k", 1, 7, kernel_size),
            "input_size": choices("input size H = W", SIZE_CHOICES, input_size),
            "depth_multiplier": whole("depth multiplier M", 1, 4, depth_multiplier),
            "log_scale": widgets.Checkbox(value=True, description="log scale"),
        }
        self.readout = widgets.HTML()
        fig = self._make_figure(figsize=(8.4, 3.1))
        ax_params = fig.add_axes((0.07, 0.12, 0.41, 0.76))
        ax_macs = fig.add_axes((0.57, 0.12, 0.41, 0.76))
        # Values are written on the bars, so the value axes carry no ticks: each
        # text drawn costs about a millisecond per move.
        self.params_bars = cost_bars(ax_params, ylabel="parameters")
        # Same bars in the same order and colours: name them once, on the left.
        self.macs_bars = cost_bars(ax_macs, ylabel="MACs per image", kind_labels=False)
        # The ratio in the figure too (a static page shows no readout).
        self.ratio_label = path_text(ax_params, 0, 1.0, "", ha="left", fontsize=10)
        self.costs: dict = {}
        self.torch_counts: dict = {}
        self._finish()

    def _controls_box(self):
        return control_rows(
            self,
            [
                ["in_channels", "out_channels"],
                ["kernel_size", "input_size"],
                ["depth_multiplier", "log_scale"],
            ],
        )

    def _update(self) -> None:
        st = self.state
        c, o, k = st["in_channels"], st["out_channels"], st["kernel_size"]
        h, m = st["input_size"], st["depth_multiplier"]
        self.costs = costs = layer_costs(c, o, k, h, m)
        self.torch_counts = torch_parameter_counts(c, o, k, m)
        log = st["log_scale"]
        self.params_bars.update([costs[kind].params for kind in KINDS], log=log)
        self.macs_bars.update([costs[kind].macs for kind in KINDS], log=log)
        scale = " (log scale)" if log else ""
        self.params_bars.ylabel.set_text("parameters" + scale)
        self.macs_bars.ylabel.set_text("MACs per image" + scale)
        self.readout.value = compact_html(self.readout_html())
        ratio = costs["separable"].params / costs["standard"].params
        self.ratio_label.set_text(ratio_line(c, o, k, m, ratio))

    def readout_html(self) -> str:
        """The table, the ratio with its formula, and the PyTorch check, as HTML."""
        st = self.state
        c, o, k = st["in_channels"], st["out_channels"], st["kernel_size"]
        h, m = st["input_size"], st["depth_multiplier"]
        names = {
            "standard": "standard",
            "depthwise": "depth-wise",
            "pointwise": "point-wise",
            "separable": "separable (depth-wise + point-wise)",
        }
        # Room between the columns, so that a projector does not run them together.
        cell = "style='padding: 1px 0.9em; text-align: {}'"
        left, right = cell.format("left"), cell.format("right")
        rows = []
        for kind in KINDS:
            cost = self.costs[kind]
            mark = "✓" if self.torch_counts[kind] == cost.params else "✗"
            rows.append(
                f"<tr><td {left}>{names[kind]}</td><td {right}>{cost.params:,}</td>"
                f"<td {right}>{self.torch_counts[kind]:,}&nbsp;{mark}</td>"
                f"<td {right}>{cost.macs:,}</td></tr>"
            )
        agree = all(self.torch_counts[kind] == self.costs[kind].params for kind in KINDS)
        ratio = self.costs["separable"].params / self.costs["standard"].params
        check = "all four agree ✓" if agree else "<b>they disagree ✗</b> (please report this)"
        return (
            f"<table><tr><th {left}>layer (no bias)</th><th {right}>parameters</th>"
            f"<th {right}>PyTorch count</th><th {right}>MACs</th></tr>" + "".join(rows) + "</table>"
            f"{ratio_text(c, o, k, m, ratio)}<br>"
            f"Stride 1 and 'same' padding: each output is {h}×{h}. "
            "Checked against PyTorch, <code>sum(p.numel() for p in layer.parameters())</code> "
            f"of <code>torch.nn.Conv2d</code> layers on the 'meta' device: {check}"
        )
