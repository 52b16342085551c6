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
* :class:`OutlineText` (and :func:`fast_title`) draw titles and labels the same way.

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

import functools
from typing import NamedTuple

import numpy as np
from matplotlib import colormaps as plt_colormaps
from matplotlib.collections import PathCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, Bbox

__all__ = [
    "DIVERGING",
    "CHANNEL_NAMES",
    "CHANNEL_COLORS",
    "CHANNEL_CMAPS",
    "KernelArtists",
    "StackArtists",
    "rgb_array",
    "rgba_bytes",
    "symmetric_limit",
    "format_number",
    "picture_axes",
    "OutlineText",
    "outline_text",
    "outline_title",
    "fast_title",
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


class KernelArtists(NamedTuple):
    """What :func:`show_kernel` drew.

    Attributes
    ----------
    image : matplotlib.collections.QuadMesh
        The heat-map: one coloured cell per entry, ``max_shape`` cells in all; the
        ones outside the kernel shown are masked. :meth:`shown` reads the kernel back.
    numbers : matplotlib.collections.PathCollection
        Every number written in the cells, drawn as ONE artist (see :func:`show_kernel`).
    texts : list of str
        The number in each cell, ``texts[i * max_shape[1] + j]`` for cell ``(i, j)``;
        ``""`` for cells outside the kernel shown. Kept up to date by :func:`update_kernel`.
    max_shape : (int, int)
        The largest kernel these artists can show.
    shape : list of two int
        The shape of the kernel shown now.
    """

    image: object
    numbers: object
    texts: list
    max_shape: tuple[int, int]
    shape: list

    def shown(self) -> np.ndarray:
        """The kernel the heat-map holds now, read back from it (NaN where blank)."""
        h, w = self.shape
        cells = np.ma.asarray(self.image.get_array()).reshape(self.max_shape)
        return np.ma.filled(cells[:h, :w].astype(np.float64), np.nan)


@functools.lru_cache(maxsize=4096)
def _number_path(text: str, fontsize: float) -> Path:
    """The outline of ``text`` in points, centred on (0, 0); cached by string."""
    path = _glyph_path(text, fontsize)
    box = _bounds(path)
    return path.transformed(Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2))


_LINE_SPACING = 1.25
_GLYPHS: dict = {}  # glyph outlines already extracted, shared by every string


def _bounds(path: Path) -> Bbox:
    """The box around a path's vertices: its control points too, so a touch loose, but
    many times faster than ``Path.get_extents`` (exact Bezier extremes), and enough to
    align text."""
    if not len(path.vertices):
        return Bbox([[0.0, 0.0], [0.0, 0.0]])
    return Bbox([path.vertices.min(axis=0), path.vertices.max(axis=0)])


def _glyph_path(text: str, fontsize: float) -> Path:
    """Outline of one line of ``text`` in points, baseline at y = 0.

    The same vertices as ``TextPath(text, size=fontsize)``, but each glyph's outline is
    extracted once and reused, so a new string costs a layout only (a long title:
    about 2 ms instead of about 30 ms).
    """
    get_font = getattr(text_to_path, "_get_font", None)  # private: fall back if it goes
    if get_font is None:
        return TextPath((0, 0), text, size=fontsize)
    font = get_font(FontProperties())
    font.set_size(text_to_path.FONT_SCALE, text_to_path.DPI)
    info, new, _ = text_to_path.get_glyphs_with_font(
        font, text, glyph_map=_GLYPHS, return_new_glyphs_only=True
    )
    _GLYPHS.update(new)
    verts, codes = [], []
    for glyph, x, y, scale in info:
        glyph_verts, glyph_codes = _GLYPHS[glyph]
        if len(glyph_verts):
            verts.append(np.asarray(glyph_verts) * scale + (x, y))
            codes.append(np.asarray(glyph_codes))
    if not verts:
        return Path(np.zeros((0, 2)))
    scale = fontsize / text_to_path.FONT_SCALE
    return Path(np.concatenate(verts) * scale, np.concatenate(codes))


@functools.lru_cache(maxsize=4096)
def _text_path(text: str, fontsize: float, ha: str, va: str, pad: float) -> Path:
    """Glyph outlines of ``text`` (lines split on newlines) in points, aligned at (0, 0)."""
    lines = text.split("\n")
    pieces = []
    for n, line in enumerate(lines):
        if not line.strip():  # a blank line only takes its place
            continue
        path = _glyph_path(line, fontsize)
        box = _bounds(path)
        dx = {"center": -(box.x0 + box.x1) / 2, "left": 0.0, "right": -box.x1}[ha]
        pieces.append(path.transformed(Affine2D().translate(dx, -n * _LINE_SPACING * fontsize)))
    path = Path.make_compound_path(*pieces)
    box = _bounds(path)
    dy = {
        "center": -(box.y0 + box.y1) / 2,
        "bottom": -box.y0,
        "top": -box.y1,
        "baseline": (len(lines) - 1) * _LINE_SPACING * fontsize,
    }[va]
    return path.transformed(Affine2D().translate(0, dy + pad))


class OutlineText(PathCollection):
    """A line of text drawn as glyph outlines, one cached path per string.

    It looks like a ``Text`` but draws several times faster in Agg (a ``Text`` lays
    out and rasterises every glyph on every draw; this fills one cached path), which
    matters when a figure is redrawn on every slider move. Change it with
    :meth:`set_text`; read it with :meth:`get_text`.
    """

    def __init__(self, ax, x, y, text="", *, fontsize=10.0, ha="center", va="center",
                 color="black", pad=0.0, transform=None):  # fmt: skip
        super().__init__(
            [],
            offsets=np.array([[x, y]], dtype=float),
            offset_transform=ax.transAxes if transform is None else transform,
            facecolors=color,
            edgecolors="none",
            zorder=3,
        )
        self.set_transform(Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans)
        self._style = (float(fontsize), ha, va, float(pad))
        self._text = None
        self.set_text(text)

    def set_text(self, text: str) -> None:
        """Show ``text`` instead (a cached path: cheap when it has been shown before)."""
        text = str(text)
        if text != self._text:
            self._text = text
            self.set_paths([_text_path(text, *self._style)] if text.strip() else [])
            self.stale = True

    def get_text(self) -> str:
        """The text shown."""
        return self._text


def outline_text(ax, x, y, text="", **kwargs) -> OutlineText:
    """Add an :class:`OutlineText` at ``(x, y)`` (axes coordinates unless ``transform``)."""
    artist = OutlineText(ax, x, y, text, **kwargs)
    artist.set_clip_on(False)  # labels may sit outside the axes, like titles
    ax.add_collection(artist, autolim=False)
    return artist


def outline_title(ax, title: str = "", *, fontsize: float = 11.0, pad: float = 5.0):
    """A plain-word title over ``ax`` drawn as a fast :class:`OutlineText` (not ``set_title``)."""
    return outline_text(ax, 0.5, 1.0, title, fontsize=fontsize, ha="center", va="bottom", pad=pad)


def fast_title(ax, *, fontsize: float = 11.0, pad: float = 5.0) -> OutlineText:
    """Move ``ax``'s title (from ``set_title``) into an :class:`OutlineText` and return it."""
    text = ax.get_title()
    ax.set_title("")
    return outline_title(ax, text, fontsize=fontsize, pad=pad)


def _kernel2d(kernel, name: str = "kernel") -> np.ndarray:
    arr = _array(kernel, name)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must have shape (kH, kW); got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def show_kernel(
    ax,
    kernel,
    *,
    limit: float | None = None,
    max_shape=None,
    title: str | None = None,
    fontsize: float = 9,
) -> KernelArtists:
    """Draw a kernel (or any small matrix) as a heat-map with its numbers in the cells.

    The cells are one ``QuadMesh`` and the numbers are glyph outlines gathered in
    one ``PathCollection``, rather than an up-sampled image and one ``Text`` per
    cell: they look the same and draw about five times faster, which keeps slider
    updates inside a projector's frame budget. White numbers on dark cells, black
    on light ones.

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
    fontsize : float, default 9

    Returns
    -------
    KernelArtists
        ``(image, numbers, texts, max_shape, shape)``; ``.shown()`` reads the kernel
        back from the cells. Pass it to :func:`update_kernel` to show another kernel
        in place.
    """
    k = _kernel2d(kernel)
    if max_shape is None:
        max_shape = k.shape
    max_shape = (int(max_shape[0]), int(max_shape[1]))
    cmap = plt_colormaps[DIVERGING].with_extremes(bad="white")
    # A QuadMesh of max_shape cells: for a few big cells it draws about five times
    # faster than an up-sampled image.
    mh, mw = max_shape
    image = ax.pcolormesh(
        np.arange(mw + 1) - 0.5,
        np.arange(mh + 1) - 0.5,
        np.ma.masked_all(max_shape),
        cmap=cmap,
        vmin=-1.0,
        vmax=1.0,
        antialiased=False,
        edgecolors="none",
    )
    ax.set_aspect("equal")
    numbers = PathCollection(
        [],
        offsets=np.zeros((0, 2)),
        offset_transform=ax.transData,
        edgecolors="none",
        zorder=image.get_zorder() + 1,
    )
    # Outlines are in points: scale them with the figure's dpi (also when saving).
    numbers.set_transform(Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans)
    numbers._convtutor_fontsize = float(fontsize)
    ax.add_collection(numbers, autolim=False)
    picture_axes(ax, title)
    artists = KernelArtists(image, numbers, [""] * (mh * mw), max_shape, [mh, mw])
    update_kernel(artists, k, limit=limit)
    return artists


def update_kernel(artists: KernelArtists, kernel, *, limit: float | None = None) -> None:
    """Show another kernel in the artists made by :func:`show_kernel`, in place.

    The new kernel may be smaller than ``max_shape`` but not larger.
    """
    k = _kernel2d(kernel)
    h, w = k.shape
    mh, mw = artists.max_shape
    if h > mh or w > mw:
        raise ValueError(
            f"kernel must fit in the {mh}x{mw} cells made by show_kernel (max_shape); "
            f"got shape {k.shape}"
        )
    lim = symmetric_limit(k) if limit is None else float(limit)
    image = artists.image
    cells = np.full(artists.max_shape, np.nan)
    cells[:h, :w] = k
    image.set_array(np.ma.masked_invalid(cells))
    image.set_clim(-lim, lim)
    artists.shape[:] = [h, w]
    image.axes.set_xlim(-0.5, w - 0.5)
    image.axes.set_ylim(h - 0.5, -0.5)
    fontsize = artists.numbers._convtutor_fontsize
    paths, offsets, colours = [], [], []
    for i in range(mh):
        for j in range(mw):
            text = ""
            if i < h and j < w and np.isfinite(k[i, j]):
                value = k[i, j]
                text = format_number(value)
                paths.append(_number_path(text, fontsize))
                offsets.append((j, i))
                colours.append("white" if abs(value) > 0.6 * lim else "black")
            artists.texts[i * mw + j] = text
    artists.numbers.set_paths(paths)
    artists.numbers.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
    artists.numbers.set_facecolor(colours)


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
