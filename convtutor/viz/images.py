"""Figure builders for pictures: images, channels, kernels, feature maps and tensors.

Every function takes the ``ax`` (or axes) to draw in and returns the artists it made,
so a widget can keep them and change them in place later (``set_data``,
``set_text``, ``set_clim``). None of them creates a figure or calls ``plt.show()``.

Drawing speed
-------------
A widget redraws its whole figure on every slider move, and on a projector that
must take well under 30 ms. So these builders choose the cheap way to draw the same
picture:

* image panels have their axes hidden (a picture needs no tick numbers, and hidden
  axes spare the title placement from measuring them on every draw);
* RGB pictures are stored as uint8 RGBA (:func:`rgba_bytes`), scalar maps are
  colour-mapped before resampling (``interpolation_stage="data"``);
* a kernel's cells are a ``QuadMesh`` and its numbers one ``PathCollection`` of
  cached glyph outlines, not an up-sampled image and a ``Text`` per cell;
* titles and labels are glyph outlines too (:mod:`convtutor.viz._text`).

Colours
-------
* pictures in ``[0, 1]``: shown as they are (RGB) or black-to-colour per channel;
* signed maps (feature maps, kernels): :data:`DIVERGING`, a colour-blind-safe
  diverging map, white at 0, with symmetric limits ``(-limit, +limit)`` fixed by
  the caller, so the same colour means the same number from one move to the next.

Examples
--------
>>> import numpy as np
>>> from matplotlib.figure import Figure
>>> ax = Figure().add_subplot()
>>> kernel = show_kernel(ax, np.array([[1, 0, -1]]))
>>> kernel.texts
['1', '0', '-1']
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib import colormaps as plt_colormaps
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D

from ._text import OutlineLabels, outline_text, outline_title

__all__ = [
    "DIVERGING",
    "CHANNEL_NAMES",
    "CHANNEL_COLORS",
    "CHANNEL_CMAPS",
    "KernelMap",
    "KernelArtists",
    "StackArtists",
    "rgb_array",
    "rgba_bytes",
    "symmetric_limit",
    "format_number",
    "format_tap",
    "picture_axes",
    "colour_key",
    "SIGNED_KEY",
    "show_image",
    "show_channels",
    "show_kernel",
    "update_kernel",
    "show_feature_map",
    "show_stack",
    "update_stack",
]

#: Colormap for signed values: blue below 0, white at 0, red above (ColorBrewer RdBu,
#: reversed; safe for the common forms of colour blindness).
DIVERGING = "RdBu_r"
#: Names of the three channels of an RGB image, in order.
CHANNEL_NAMES = ("red", "green", "blue")
#: imshow options for panels redrawn on every move: colour-map the data, then resample
#: (the same picture with "nearest", and several times faster to draw after set_data).
_FAST = {"interpolation_stage": "data"}

#: A colour per channel (also used to outline a slice by the channel it came from).
CHANNEL_COLORS = ("#d62728", "#2ca02c", "#1f77b4")

#: A black-to-colour colormap per channel, for drawing one channel of an RGB image.
CHANNEL_CMAPS = tuple(
    LinearSegmentedColormap.from_list(f"black_to_{name}", ["black", name]) for name in CHANNEL_NAMES
)


def _array(value, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype}")
    return arr


def rgb_array(image) -> np.ndarray:
    """A picture ready for ``imshow``: ``(3, H, W)`` -> ``(H, W, 3)`` clipped to [0, 1].

    Parameters
    ----------
    image : array_like of shape (3, H, W)
        Channels first, as everywhere in convtutor.

    Returns
    -------
    ndarray of shape (H, W, 3), float64

    Examples
    --------
    >>> rgb_array(np.full((3, 1, 2), 2.0)).shape
    (1, 2, 3)
    """
    arr = _array(image, "image")
    if arr.ndim != 3 or arr.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W); got shape {arr.shape}")
    return np.clip(np.moveaxis(arr.astype(np.float64, copy=False), 0, -1), 0.0, 1.0)


def rgba_bytes(image) -> np.ndarray:
    """A picture as ``imshow`` draws it fastest: ``(3, H, W)`` in [0, 1] -> ``(H, W, 4)`` uint8.

    Values are clipped to [0, 1] and rounded to 0..255; alpha is 255 (opaque). Agg
    draws such an array about twice as fast as a float RGB one, which matters for
    panels redrawn on every slider move.

    Examples
    --------
    >>> rgba_bytes(np.full((3, 1, 1), 0.5))
    array([[[128, 128, 128, 255]]], dtype=uint8)
    """
    rgb = rgb_array(image)
    out = np.empty((*rgb.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = np.rint(rgb * 255)
    out[..., 3] = 255
    return out


def symmetric_limit(*arrays) -> float:
    """The largest finite ``|value|`` in the arrays: colour limits ``(-limit, limit)``.

    Returns 1.0 when every value is 0 or NaN (so a blank map still has a valid scale).

    Examples
    --------
    >>> symmetric_limit([1, -3], [2])
    3.0
    >>> symmetric_limit(np.zeros(4))
    1.0
    """
    limit = 0.0
    for a in arrays:
        values = np.abs(_array(a, "array"))
        values = values[np.isfinite(values)]  # NaN marks a blank gap, not a value
        if values.size:
            limit = max(limit, float(values.max()))
    return limit if np.isfinite(limit) and limit > 0 else 1.0


def format_number(value: float) -> str:
    """A kernel entry as it is written in its cell: two significant digits, no "-0".

    Examples
    --------
    >>> [format_number(v) for v in (2.0, -0.0, 0.299, 1 / 9, 0.00296)]
    ['2', '0', '0.3', '0.11', '0.003']
    """
    text = f"{float(value) + 0.0:.2g}"
    return "0" if text in ("-0", "0") else text


def picture_axes(ax, title: str | None = None) -> None:
    """Make ``ax`` an image panel: no ticks, no frame, an optional plain-word title."""
    ax.set_axis_off()
    # Hidden, not just off: otherwise every draw still measures the unused tick labels
    # to place the title (about 4 ms per panel in matplotlib 3.11).
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    if title is not None:
        ax.set_title(title)


def show_image(ax, image, *, title: str | None = None, interpolation: str = "nearest"):
    """Draw a picture: an RGB image ``(3, H, W)`` or one grey channel ``(H, W)``.

    Values are taken to lie in ``[0, 1]`` (0 black, 1 full brightness).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    image : array_like of shape (3, H, W) or (H, W)
    title : str, optional
    interpolation : str, default "nearest"
        Passed to ``imshow``; "nearest" shows the pixels as they are and draws fastest.

    Returns
    -------
    matplotlib.image.AxesImage
        An RGB image is stored as :func:`rgba_bytes` (faster to draw); change it later
        with ``set_data(rgba_bytes(new))`` (a grey one with ``set_data(grey)``).
    """
    arr = _array(image, "image")
    if arr.ndim == 2:
        artist = ax.imshow(
            arr, cmap="gray", vmin=0.0, vmax=1.0, interpolation=interpolation, **_FAST
        )
    elif arr.ndim == 3 and arr.shape[0] == 3:
        artist = ax.imshow(rgba_bytes(arr), interpolation=interpolation, **_FAST)
    else:
        raise ValueError(f"image must have shape (3, H, W) or (H, W); got shape {arr.shape}")
    picture_axes(ax, title)
    return artist


def show_channels(
    axes,
    image,
    *,
    names=None,
    tint: bool = True,
    interpolation: str = "nearest",
):
    """Draw each channel of ``image`` in its own panel.

    Parameters
    ----------
    axes : sequence of matplotlib.axes.Axes
        One per channel, ``len(axes) == C``.
    image : array_like of shape (C, H, W)
        Values in ``[0, 1]``.
    names : sequence of str, optional
        Panel titles; default "red", "green", "blue" for three channels, else
        "channel 0", "channel 1", ...
    tint : bool, default True
        With three channels, draw each from black to its own colour; otherwise grey.

    Returns
    -------
    list of matplotlib.image.AxesImage
        One per channel; each holds the ``(H, W)`` channel as its data.
    """
    arr = _array(image, "image")
    axes = list(np.ravel(axes))
    if arr.ndim != 3:
        raise ValueError(f"image must have shape (C, H, W); got shape {arr.shape}")
    if len(axes) != arr.shape[0]:
        raise ValueError(
            f"axes must hold one axes per channel: {arr.shape[0]} for an image of shape "
            f"{arr.shape}; got {len(axes)}"
        )
    rgb = arr.shape[0] == 3
    if names is None:
        names = CHANNEL_NAMES if rgb else [f"channel {c}" for c in range(arr.shape[0])]
    artists = []
    for c, (ax, name) in enumerate(zip(axes, names, strict=True)):
        cmap = CHANNEL_CMAPS[c] if (tint and rgb) else "gray"
        artists.append(
            ax.imshow(arr[c], cmap=cmap, vmin=0.0, vmax=1.0, interpolation=interpolation, **_FAST)
        )
        picture_axes(ax, name)
    return artists


#: The words of :func:`colour_key`.
SIGNED_KEY = "signed maps: blue < 0 < red"


def colour_key(
    ax, x: float = 0.99, y: float = 0.99, *, ha="right", va="top", fontsize: float = 9.0
):
    """A one-line key for the diverging colours at ``(x, y)`` (figure fractions).

    Drawn as glyph outlines (one cheap artist), so a static picture of the figure
    still says what blue and red mean. ``ha`` and ``va`` say which side is at ``(x, y)``.
    """
    key = outline_text(
        ax, x, y, SIGNED_KEY, transform=ax.get_figure(root=True).transFigure, ha=ha,
        va=va, fontsize=fontsize, color="0.25",
    )  # fmt: skip
    return key


def _kernel2d(kernel, name: str = "kernel") -> np.ndarray:
    arr = _array(kernel, name)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must have shape (kH, kW); got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def format_tap(value: float) -> str:
    """A kernel entry for a heat-map cell: whole numbers plainly, others to 2 digits.

    >>> format_tap(-2.0), format_tap(0.16210282), format_tap(0.0029150)
    ('-2', '0.16', '0.0029')
    """
    value = float(value)
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2g}"


class KernelMap:
    """A kernel (or any small matrix) as a heat-map with its numbers in the cells.

    The one kernel heat-map of convtutor: built by :func:`show_kernel` (image panels)
    and by :func:`convtutor.viz.diagrams.kernel_map` (diagrams), with room for
    kernels up to ``max_rows x max_cols``; :meth:`update` shows another in place.

    Colours: :data:`DIVERGING` (blue negative, white 0, red positive) with symmetric
    limits; NaN entries are blank cells with no number (use them as gaps). White
    numbers on dark cells, black on light ones.

    The cells are one ``QuadMesh`` made for the largest kernel, and the numbers one
    :class:`~convtutor.viz._text.OutlineLabels` of cached glyph outlines: for a few
    big cells that draws about five times faster than an up-sampled image with a
    ``Text`` per cell. By default the axes limits show only the current ``kH x kW``
    corner. With ``box=(x, y, width, height)`` (data units of an axes shared with
    other panels; y grows downwards) the cells are scaled into that box through the
    mesh's transform, so several maps can share one axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    max_rows, max_cols : int
    max_numbers : int or None, default 25
        Numbers are written while the kernel has at most this many cells (None: always).
    cmap : str or Colormap, default :data:`DIVERGING`
    fontsize : float, default 8
    title : str, optional
        An outline title above the map (or above its box).
    box : (x, y, width, height), optional
    fmt : callable, default :func:`format_tap`
        How a number is written in its cell.

    Attributes
    ----------
    mesh : matplotlib.collections.QuadMesh
        Also ``image``. :meth:`shown` reads the kernel back from it.
    numbers : OutlineLabels
        The numbers, row by row (``numbers.strings``).
    texts : list of str
        The number in each cell, ``texts[i * max_cols + j]`` for cell ``(i, j)``;
        ``""`` for blank cells and cells outside the kernel shown.
    max_shape : (int, int)
    shape : (int, int)
        ``(kH, kW)`` as last drawn.
    """

    def __init__(
        self, ax, max_rows: int, max_cols: int, *, max_numbers=25, cmap=DIVERGING,
        fontsize=8, title="", box=None, fmt=format_tap,
    ):  # fmt: skip
        self.ax = ax
        self.box = None if box is None else tuple(float(v) for v in box)
        self.max_rows, self.max_cols = int(max_rows), int(max_cols)
        self.max_shape = (self.max_rows, self.max_cols)
        self.max_numbers = max_numbers
        self.fmt = fmt
        if isinstance(cmap, str):
            cmap = plt_colormaps[cmap]
        self.mesh = ax.pcolormesh(
            np.arange(self.max_cols + 1) - 0.5,
            np.arange(self.max_rows + 1) - 0.5,
            np.ma.masked_all(self.max_shape),
            cmap=cmap.with_extremes(bad="white"),
            vmin=-1.0,
            vmax=1.0,
            antialiased=False,
            edgecolors="none",
        )
        self.numbers = OutlineLabels(ax, fontsize=fontsize, zorder=self.mesh.get_zorder() + 1)
        self.texts = [""] * (self.max_rows * self.max_cols)
        self.title = None
        if self.box is None:
            ax.set_aspect("equal")
            picture_axes(ax)
            if title:
                self.title = outline_title(ax, title, fontsize=10, pad=3)
        else:
            x, y, w, h = self.box
            self.frame = Rectangle((x, y), w, h, fill=False, edgecolor="#555555", lw=0.8)
            ax.add_patch(self.frame)
            if title:
                self.title = outline_text(
                    ax, x + w / 2, y, title, coords="data", va="bottom", gap=3
                )
        self.shape = None

    @property
    def image(self):
        """The heat-map's cells (the ``QuadMesh``)."""
        return self.mesh

    @property
    def artists(self) -> list:
        """Every artist this heat-map owns."""
        return [self.mesh, self.numbers]

    def shown(self) -> np.ndarray:
        """The kernel the heat-map holds now, read back from its cells (NaN where blank)."""
        h, w = self.shape
        cells = np.ma.asarray(self.mesh.get_array()).reshape(self.max_shape)
        return np.ma.filled(cells[:h, :w].astype(np.float64), np.nan)

    def _cells_to_data(self, shape) -> Affine2D:
        """Cell coordinates (centres at whole numbers) -> data units inside ``box``."""
        x, y, w, h = self.box
        rows, cols = shape
        return Affine2D().translate(0.5, 0.5).scale(w / cols, h / rows).translate(x, y)

    def update(self, kernel, *, vmax=None) -> None:
        """Show ``kernel`` (2-D); colour limits ``-vmax..vmax`` (default: its largest size)."""
        k = _kernel2d(kernel)
        mh, mw = self.max_shape
        if k.shape[0] > mh or k.shape[1] > mw:
            raise ValueError(
                f"kernel must fit in the {mh}x{mw} cells made for it (max_shape): at most "
                f"{mh}x{mw}; got shape {k.shape}"
            )
        limit = symmetric_limit(k) if vmax is None else float(vmax)
        limit = limit if limit > 0 else 1.0
        cells = np.full(self.max_shape, np.nan)
        cells[: k.shape[0], : k.shape[1]] = k
        self.mesh.set_array(np.ma.masked_invalid(cells))
        self.mesh.set_clim(-limit, limit)
        if k.shape != self.shape:
            if self.box is None:
                self.ax.set_xlim(-0.5, k.shape[1] - 0.5)
                self.ax.set_ylim(k.shape[0] - 0.5, -0.5)
            else:
                self.mesh.set_transform(self._cells_to_data(k.shape) + self.ax.transData)
            self.shape = k.shape
        self.texts[:] = [""] * len(self.texts)
        strings, centres, colours = [], [], []
        if self.max_numbers is None or k.size <= self.max_numbers:
            for (i, j), value in np.ndenumerate(k):
                if np.isfinite(value):
                    self.texts[i * mw + j] = text = self.fmt(value)
                    strings.append(text)
                    centres.append((j, i))
                    colours.append("white" if abs(value) > 0.6 * limit else "black")
        centres = np.array(centres, dtype=float).reshape(-1, 2)
        if self.box is not None:
            centres = self._cells_to_data(k.shape).transform(centres)
        self.numbers.set_labels(strings, centres, colours)


#: What :func:`show_kernel` returns (kept as a name).
KernelArtists = KernelMap


def show_kernel(
    ax,
    kernel,
    *,
    limit: float | None = None,
    max_shape=None,
    title: str | None = None,
    fontsize: float = 9,
) -> KernelMap:
    """Draw a kernel (or any small matrix) as a heat-map with its numbers in the cells.

    Every number is written (two significant digits, :func:`format_number`); see
    :class:`KernelMap` for how it is drawn.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    kernel : array_like of shape (kH, kW)
        NaN entries are drawn blank, with no number (use them as gaps).
    limit : float, optional
        Colour limits are ``(-limit, limit)``; default ``max |kernel|``.
    max_shape : (int, int), optional
        The largest kernel :func:`update_kernel` will be asked to show. Default
        ``kernel.shape``.
    title : str, optional
        Set with ``set_title`` (a plain axes title).
    fontsize : float, default 9

    Returns
    -------
    KernelMap
        ``.shown()`` reads the kernel back from the cells, ``.texts`` the numbers.
        Pass it to :func:`update_kernel` to show another kernel in place.
    """
    k = _kernel2d(kernel)
    mh, mw = k.shape if max_shape is None else max_shape
    artists = KernelMap(ax, mh, mw, max_numbers=None, fontsize=fontsize, fmt=format_number)
    picture_axes(ax, title)
    artists.update(k, vmax=limit)
    return artists


def update_kernel(artists: KernelMap, kernel, *, limit: float | None = None) -> None:
    """Show another kernel in the artists made by :func:`show_kernel`, in place.

    The new kernel may be smaller than ``max_shape`` but not larger.
    """
    artists.update(kernel, vmax=limit)


def show_feature_map(
    ax,
    fmap,
    *,
    limit: float | None = None,
    title: str | None = None,
    interpolation: str = "nearest",
):
    """Draw a signed map (a convolution's output) with the diverging colormap, 0 white.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    fmap : array_like of shape (H, W)
    limit : float, optional
        Colour limits ``(-limit, limit)``; default ``max |fmap|``. Fix it yourself when
        the map will change, so colours keep their meaning (``set_data`` keeps the
        old limits; change them with ``set_clim``).
    title : str, optional

    Returns
    -------
    matplotlib.image.AxesImage
    """
    arr = _array(fmap, "fmap")
    if arr.ndim != 2:
        raise ValueError(f"fmap must have shape (H, W); got shape {arr.shape}")
    lim = symmetric_limit(arr) if limit is None else float(limit)
    artist = ax.imshow(
        arr, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation=interpolation, **_FAST
    )
    picture_axes(ax, title)
    return artist


class StackArtists(NamedTuple):
    """What :func:`show_stack` drew: one image and one outline per slice (front first)."""

    images: list
    frames: list
    offset: float


def show_stack(
    ax,
    tensor,
    *,
    max_slices: int | None = None,
    limit: float | None = None,
    cmap=DIVERGING,
    offset: float = 0.14,
    edgecolors=None,
    title: str | None = None,
    interpolation: str = "nearest",
) -> StackArtists:
    """Draw a ``(C, H, W)`` tensor as a stack of offset slices, slice 0 in front.

    Slice ``c`` is shifted right and up by ``c * offset`` of its size, so the stack
    looks like cards seen from the front-left: its depth is the channel axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    tensor : array_like of shape (C, H, W)
    max_slices : int, optional
        How many slices :func:`update_stack` may show later; the extra ones are made
        now and hidden. Default ``C``.
    limit : float, optional
        Colour limits ``(-limit, limit)`` for a diverging ``cmap``; default
        ``max |tensor|``.
    cmap : str or Colormap, default :data:`DIVERGING`
    offset : float, default 0.14
        Shift between slices, as a fraction of the slice's width and height.
    edgecolors : sequence of colours, optional
        Outline colour of each slice; default dark grey.
    title : str, optional

    Returns
    -------
    StackArtists
        ``(images, frames, offset)``; pass it to :func:`update_stack`.
    """
    arr = _array(tensor, "tensor")
    if arr.ndim != 3 or 0 in arr.shape:
        raise ValueError(f"tensor must have shape (C, H, W); got shape {arr.shape}")
    n = arr.shape[0] if max_slices is None else int(max_slices)
    if n < arr.shape[0]:
        raise ValueError(
            f"max_slices must be at least the {arr.shape[0]} slices of tensor; got {n}"
        )
    lim = symmetric_limit(arr) if limit is None else float(limit)
    blank = np.zeros(arr.shape[1:])
    images, frames = [], []
    for c in range(n):
        z = 2 * (n - c)  # slice 0 in front
        images.append(
            ax.imshow(
                blank,
                cmap=cmap,
                vmin=-lim,
                vmax=lim,
                interpolation=interpolation,
                zorder=z,
                **_FAST,
            )
        )
        frame = Rectangle((0, 0), 1, 1, fill=False, linewidth=1.5, edgecolor="0.25", zorder=z + 1)
        ax.add_patch(frame)
        frames.append(frame)
    ax.set_aspect("equal")
    picture_axes(ax, title)
    artists = StackArtists(images, frames, float(offset))
    update_stack(artists, arr, limit=lim, edgecolors=edgecolors)
    return artists


def update_stack(artists: StackArtists, tensor, *, limit=None, edgecolors=None) -> None:
    """Show another ``(C, H, W)`` tensor in a stack made by :func:`show_stack`, in place.

    ``C`` may be anything up to the number of slices made; the others are hidden and
    the view is fitted to the slices shown. ``limit`` (optional) resets the colour
    limits to ``(-limit, limit)``; ``edgecolors`` (optional) recolours the outlines,
    which otherwise keep their colours.
    """
    arr = _array(tensor, "tensor")
    n = len(artists.images)
    if arr.ndim != 3 or not 1 <= arr.shape[0] <= n:
        raise ValueError(
            f"tensor must have shape (C, H, W) with 1 <= C <= {n}, the slices made by "
            f"show_stack; got shape {arr.shape}"
        )
    c_shown, h, w = arr.shape
    dx, dy = artists.offset * w, artists.offset * h
    for c, (image, frame) in enumerate(zip(artists.images, artists.frames, strict=True)):
        visible = c < c_shown
        image.set_visible(visible)
        frame.set_visible(visible)
        if not visible:
            continue
        x0, y0 = c * dx, c * dy
        image.set_data(arr[c])
        image.set_extent((x0, x0 + w, y0, y0 + h))
        if limit is not None:
            image.set_clim(-float(limit), float(limit))
        frame.set_bounds(x0, y0, w, h)
        if edgecolors is not None:
            frame.set_edgecolor(edgecolors[c % len(edgecolors)])
    ax = artists.images[0].axes
    pad = 0.02 * max(w, h)
    ax.set_xlim(-pad, (c_shown - 1) * dx + w + pad)
    ax.set_ylim(-pad, (c_shown - 1) * dy + h + pad)
