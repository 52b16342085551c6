"""Sobel's kernel is a column times a row: filter in two 1-D passes, get the same picture.

The widget shows a kernel's column and row factors, their outer product (the
kernel), the 2-D result on the photo beside the result of two 1-D passes, and the
largest difference between the two (zero, up to rounding). A "perturb" slider adds
a little noise to the kernel: its second singular value grows from 0, the kernel is
no longer a column times a row, and two passes can only give the best rank-1
approximation.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import data, kernels
from ..separable import (
    filter2d,
    kernel_rank,
    low_rank_approximation,
    separable_filter2d,
    separable_terms,
    separate,
    singular_values,
)
from ..viz.diagrams import kernel_map, path_text, singular_value_bars
from ._legacy import Widget
from .depthwise import compact_html, control_rows

__all__ = ["SobelSeparability", "KERNEL_CHOICES", "chosen_kernel", "factors", "noise_direction"]

#: The kernel menu. "Gaussian" follows the size and sigma sliders.
KERNEL_CHOICES = (
    "Sobel x",
    "Sobel y",
    "Scharr x",
    "Scharr y",
    "Prewitt x",
    "Prewitt y",
    "box blur 3x3",
    "Gaussian",
    "identity",
    "Laplacian",
    "sharpen",
)
MAX_SIZE = 7
IMAGE_SIZE = 96
#: The figure's size in inches: 840 x 460 px at dpi 100 (JupyterLab at 1280x800).
FIGSIZE = (8.4, 4.6)


def noise_direction(size: int) -> np.ndarray:
    """A fixed random ``size x size`` direction of length 1 (seeded: the same every run)."""
    base = np.random.default_rng(2024).standard_normal((MAX_SIZE, MAX_SIZE))
    d = base[:size, :size]
    return d / np.linalg.norm(d)


def chosen_kernel(name: str, size: int = 5, sigma: float = 1.0, perturb: float = 0.0):
    """The kernel a widget state describes: the named kernel plus noise.

    The noise is :func:`noise_direction` scaled to ``perturb`` times the kernel's own
    size (Frobenius norm), so ``perturb = 0.1`` is 10 % noise.

    Returns
    -------
    kernel : ndarray (k, k)
    base : ndarray (k, k)
        The kernel before noise.
    """
    base = kernels.gaussian(size, sigma) if name == "Gaussian" else kernels.get(name)
    base = np.array(base)
    noise = perturb * np.linalg.norm(base) * noise_direction(base.shape[0])
    return base + noise, base


def factors(kernel):
    """``(column, row, rank)``: the exact factors if rank 1, else the best rank-1 pair.

    Whole-number factors are kept as :func:`convtutor.separate` gives them (Sobel:
    ``[1, 2, 1]`` and ``[-1, 0, 1]``); others are scaled to the same largest size
    (a Gaussian: the 1-D Gaussian twice).

    ``np.outer(column, row)`` is the kernel when its rank is 1, and
    ``low_rank_approximation(kernel, 1)`` otherwise.
    """
    rank = kernel_rank(kernel)
    if rank == 1:
        column, row = separate(kernel)
        whole = np.allclose(column, np.round(column)) and np.allclose(row, np.round(row))
        if not whole:  # e.g. a Gaussian: give both factors the same size, g and g
            scale = np.sqrt(np.max(np.abs(row)) / np.max(np.abs(column)))
            column, row = column * scale, row / scale
    else:
        column, row = separable_terms(kernel, rank=1)[0]
        # The SVD's sign is arbitrary: make the column's largest entry positive.
        sign = 1.0 if column[np.argmax(np.abs(column))] >= 0 else -1.0
        column, row = sign * column, sign * row
    return column, row, rank


class SobelSeparability(Widget):
    """A kernel as column x row; the 2-D filter versus two 1-D passes; noise breaks it.

    Controls: ``kernel`` (a menu), ``size`` and ``sigma`` (for the Gaussian),
    ``perturb`` (noise, as a fraction of the kernel's size, 0-0.5).

    Attributes
    ----------
    kernel : ndarray
        The kernel being shown (after noise).
    column_map, row_map, kernel_map : convtutor.viz.diagrams.KernelMap
        The factors and the kernel, with their numbers (all in ``ax_kernels``).
    sv_bars : convtutor.viz.diagrams.SingularValueBars
    photo_image, result_2d, result_passes : matplotlib.image.AxesImage
        The grey photo, the 2-D result, the two-pass result (all in ``ax_pictures``).
    readout : ipywidgets.HTML
        Separable or not, the difference, and multiplies per pixel.
    summary : convtutor.viz.diagrams.PathLabels
        The same in one line at the top of the figure (what a static page shows).
    """

    caption = (
        "Try: pick Sobel x and read the difference under the two results (zero); pick the "
        "Laplacian, which is not a column times a row; then raise 'perturb' and watch the "
        "second singular value grow from 0."
    )

    def __init__(self, kernel: str = "Sobel x", image=None):
        super().__init__()
        if image is None:
            image = data.to_gray(data.sample_image(IMAGE_SIZE))
        image = np.asarray(image, dtype=float)
        if image.ndim != 2:
            raise ValueError(f"image must be a grey picture of shape (H, W); got {image.shape}")
        self.image = image
        style = {"description_width": "initial"}
        self.controls = {
            "kernel": widgets.Dropdown(
                options=KERNEL_CHOICES, value=kernel, description="kernel", style=style
            ),
            "size": widgets.IntSlider(
                value=5, min=3, max=MAX_SIZE, step=2, description="Gaussian size", style=style
            ),
            "sigma": widgets.FloatSlider(
                value=1.0, min=0.5, max=3.0, step=0.25, description="Gaussian sigma", style=style
            ),
            "perturb": widgets.FloatSlider(
                value=0.0,
                min=0.0,
                max=0.5,
                step=0.025,
                description="perturb (noise)",
                readout_format=".3f",
                style=style,
            ),
        }
        self.readout = widgets.HTML()

        # Each axes costs about a millisecond per draw whatever it holds, so the factors
        # and the kernel share one axes (each heat-map scaled into a box), and the three
        # pictures share another. Titles and numbers are glyph outlines (PathLabels).
        fig_w, fig_h = FIGSIZE
        fig = self._make_figure(figsize=FIGSIZE)
        maps_w, maps_h = 0.62 * fig_w, 0.4 * fig_h  # inches
        ax_maps = fig.add_axes((0.02, 0.5, 0.62, 0.4))
        ax_maps.set_xlim(0, maps_w)  # data units are inches here: boxes keep their shape
        ax_maps.set_ylim(maps_h, 0)
        ax_maps.set_axis_off()
        self.ax_kernels = ax_maps
        self.column_map = kernel_map(
            ax_maps, MAX_SIZE, 1, max_numbers=MAX_SIZE, fontsize=9, box=(0.15, 0.32, 0.45, 1.45),
            title="column",
        )  # fmt: skip
        self.row_map = kernel_map(
            ax_maps, 1, MAX_SIZE, max_numbers=MAX_SIZE, fontsize=9, box=(0.85, 0.9, 2.45, 0.32),
            title="row",
        )  # fmt: skip
        self.kernel_map = kernel_map(
            ax_maps, MAX_SIZE, MAX_SIZE, max_numbers=9, fontsize=10, box=(3.62, 0.32, 1.45, 1.45),
            title="column × row = kernel",
        )  # fmt: skip
        self.column_title = self.column_map.title
        self.row_title, self.kernel_title = self.row_map.title, self.kernel_map.title
        # The verdict in the figure too (a static page shows no readout).
        self.summary = path_text(ax_maps, 0, 1.0, "", ha="left", fontsize=10)
        ax_sv = fig.add_axes((0.71, 0.57, 0.27, 0.3))
        self.sv_bars = singular_value_bars(ax_sv, MAX_SIZE)

        # The pictures: 1.92 in = 192 px at dpi 100 for 96 rows, so each photo pixel
        # is exactly 2x2 screen pixels (crisp squares, few pixels to resample).
        h, w = image.shape
        pictures_h = 1.92 * h / IMAGE_SIZE  # inches
        ax_pictures = fig.add_axes((0.02, 0.02, 0.96, pictures_h / fig_h))
        ax_pictures.set_axis_off()
        self.ax_pictures = ax_pictures
        scale = pictures_h / h  # inches per image pixel, the same across and down
        pictures = {"interpolation": "nearest", "interpolation_stage": "data"}
        panels = []
        for i, title in enumerate(
            ("the photo, in grey", "2-D filter: k² multiplies", "two 1-D passes: 2k multiplies")
        ):
            left = (0.33 * i * fig_w + 0.15) / scale  # in image pixels
            extent = (left, left + w, h, 0)
            picture = ax_pictures.imshow(image, cmap="gray", extent=extent, **pictures)
            label = path_text(ax_pictures, left + w / 2, 0, title, coords="data")
            panels.append((picture, label))
        ax_pictures.set_xlim(0, 0.96 * fig_w / scale)
        ax_pictures.set_ylim(h, 0)
        ax_pictures.set_aspect("auto")
        (self.photo_image, _), (self.result_2d, _), (self.result_passes, self.passes_title) = panels
        self.photo_image.set_clim(0, 1)
        self.kernel = None
        self._finish()

    def _controls_box(self):
        return control_rows(self, [["kernel", "perturb"], ["size", "sigma"]])

    def _update(self) -> None:
        st = self.state
        gaussian = st["kernel"] == "Gaussian"
        self.controls["size"].disabled = not gaussian
        self.controls["sigma"].disabled = not gaussian
        kernel, base = chosen_kernel(st["kernel"], st["size"], st["sigma"], st["perturb"])
        self.kernel = kernel
        k = kernel.shape[0]
        column, row, rank = factors(kernel)
        rank1 = np.outer(column, row)
        limit = float(np.max(np.abs(kernel)))
        self.kernel_map.update(kernel, vmax=limit)
        self.column_map.update(column[:, None])
        self.row_map.update(row[None, :])
        s = singular_values(kernel)
        self.sv_bars.update(s)

        pad = k // 2
        direct = filter2d(self.image, kernel, padding=pad)
        passes = separable_filter2d(self.image, column, row, padding=pad)
        difference = float(np.max(np.abs(direct - passes)))
        # Colour limits come from the kernel before noise, so noise does not rescale them.
        if base.min() >= 0 or abs(base.sum() - 1) < 1e-9:
            cmap, lo, hi = "gray", 0.0, 1.0  # a blur or a sharpen: still a picture
        else:
            lim = 0.25 * float(np.abs(base).sum())  # an edge detector: signed, 0 is white
            cmap, lo, hi = "RdBu_r", -lim, lim
        for artist, values in ((self.result_2d, direct), (self.result_passes, passes)):
            artist.set_data(values)
            artist.set_cmap(cmap)
            artist.set_clim(lo, hi)

        separable = rank == 1
        self.kernel_title.set_text(
            "column × row = kernel" if separable else f"column × row ≈ kernel (rank {rank})"
        )
        self.column_title.set_text("column" if separable else "best column")
        self.row_title.set_text("row" if separable else "best row")
        self.passes_title.set_text(
            "two 1-D passes: 2k multiplies" if separable else "two passes (rank-1 part only)"
        )
        self.readout.value = compact_html(self.readout_html(kernel, rank, difference, rank1))
        verdict = "Separable" if separable else f"Not separable (rank {rank})"
        self.summary.set_text(
            f"{verdict}: {self.difference_text(difference)};  {k * k} vs {2 * k} multiplies "
            "per pixel"
        )

    @staticmethod
    def difference_text(difference: float) -> str:
        """The line comparing the two results, e.g. ``max |2-D − two passes| = 0``."""
        if difference < 1e-12:
            return f"max |2-D − two passes| = 0 (exactly: {difference:.1e}, rounding)"
        return f"max |2-D − two passes| = {difference:.3g}"

    def readout_html(self, kernel, rank, difference, rank1) -> str:
        """What the readout says for a kernel: separable or not, the difference, the cost."""
        k = kernel.shape[0]
        lines = []
        if rank == 1:
            lines.append(
                f"<b>Separable</b> (rank 1): kernel = column × row, so two 1-D passes give the "
                f"same result. {self.difference_text(difference)}."
            )
        else:
            error = float(np.linalg.norm(kernel - low_rank_approximation(kernel, 1)))
            relative = error / float(np.linalg.norm(kernel))
            lines.append(
                f"<b>Not separable</b> (rank {rank}): no column × row equals this kernel. "
                f"The best column × row (rank-1 approximation) is off by "
                f"‖K − K₁‖ = {error:.3g} ({100 * relative:.1f} % of ‖K‖), "
                f"so {self.difference_text(difference)}."
            )
        lines.append(f"Multiplies per pixel: 2-D k² = {k}² = {k * k}; two passes k + k = {2 * k}.")
        return "<br>".join(lines)
