"""Figure builders for the lessons' static figures: images, channels, kernels, feature maps.

Every function takes the ``ax`` (or axes) to draw in and returns the artists it made.
None of them creates a figure or calls ``plt.show()``. Image panels have their axes
hidden: a picture needs no tick numbers.

Colours
-------
* pictures in ``[0, 1]``: shown as they are (RGB) or black-to-colour per channel;
* signed maps (feature maps, kernels): :data:`DIVERGING`, a colour-blind-safe
  diverging map, white at 0, with symmetric limits ``(-limit, +limit)``, so that
  panels side by side give the same colour to the same number.

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

__all__ = [
    "DIVERGING",
    "CHANNEL_NAMES",
    "CHANNEL_COLORS",
    "CHANNEL_CMAPS",
    "KernelArtists",
    "rgb_array",
    "symmetric_limit",
    "format_entry",
    "picture_axes",
    "show_image",
    "show_channels",
    "show_kernel",
    "show_feature_map",
]

#: Colormap for signed values: blue below 0, white at 0, red above (ColorBrewer RdBu,
#: reversed; safe for the common forms of colour blindness).
DIVERGING = "RdBu_r"
#: Names of the three channels of an RGB image, in order.
CHANNEL_NAMES = ("red", "green", "blue")

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


def format_entry(value: float) -> str:
    """A kernel entry as it is written in its cell: two significant digits, no "-0".

    Examples
    --------
    >>> [format_entry(v) for v in (2.0, -0.0, 0.299, 1 / 9, 0.00296)]
    ['2', '0', '0.3', '0.11', '0.003']
    """
    text = f"{float(value) + 0.0:.2g}"
    return "0" if text in ("-0", "0") else text


def picture_axes(ax, title: str | None = None) -> None:
    """Make ``ax`` an image panel: no ticks, no frame, an optional plain-word title."""
    ax.set_axis_off()
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
        Passed to ``imshow``; "nearest" shows the pixels as they are.

    Returns
    -------
    matplotlib.image.AxesImage
    """
    arr = _array(image, "image")
    if arr.ndim == 2:
        artist = ax.imshow(arr, cmap="gray", vmin=0.0, vmax=1.0, interpolation=interpolation)
    elif arr.ndim == 3 and arr.shape[0] == 3:
        artist = ax.imshow(rgb_array(arr), interpolation=interpolation)
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
            ax.imshow(arr[c], cmap=cmap, vmin=0.0, vmax=1.0, interpolation=interpolation)
        )
        picture_axes(ax, name)
    return artists


class KernelArtists(NamedTuple):
    """What :func:`show_kernel` drew: the cells and one ``Text`` per written number."""

    mesh: object
    numbers: list

    @property
    def texts(self) -> list[str]:
        """The numbers written in the cells, row by row (blank cells have none)."""
        return [t.get_text() for t in self.numbers]

    def shown(self) -> np.ndarray:
        """The kernel the cells show, read back from them (NaN where blank)."""
        cells = np.ma.asarray(self.mesh.get_array())
        rows, cols = self.mesh.get_coordinates().shape[:2]
        return np.ma.filled(cells.reshape(rows - 1, cols - 1).astype(np.float64), np.nan)


def show_kernel(
    ax,
    kernel,
    *,
    limit: float | None = None,
    title: str | None = None,
    fontsize: float = 9,
) -> KernelArtists:
    """Draw a kernel (or any small matrix) as a heat-map with its numbers in the cells.

    Colours: :data:`DIVERGING` (blue negative, white 0, red positive) with symmetric
    limits; white numbers on dark cells, black on light ones. Every number is written
    (two significant digits, :func:`format_entry`). NaN entries are blank cells with no
    number (use them as gaps).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    kernel : array_like of shape (kH, kW)
    limit : float, optional
        Colour limits are ``(-limit, limit)``; default ``max |kernel|``.
    title : str, optional
    fontsize : float, default 9

    Returns
    -------
    KernelArtists
        ``.shown()`` reads the kernel back from the cells, ``.texts`` the numbers.
    """
    k = _array(kernel, "kernel")
    if k.ndim != 2 or 0 in k.shape:
        raise ValueError(f"kernel must have shape (kH, kW); got shape {k.shape}")
    k = k.astype(np.float64, copy=False)
    lim = symmetric_limit(k) if limit is None else float(limit)
    lim = lim if lim > 0 else 1.0
    mesh = ax.pcolormesh(
        np.arange(k.shape[1] + 1) - 0.5,
        np.arange(k.shape[0] + 1) - 0.5,
        np.ma.masked_invalid(k),
        cmap=plt_colormaps[DIVERGING].with_extremes(bad="white"),
        vmin=-lim,
        vmax=lim,
        edgecolors="none",
    )
    numbers = [
        ax.text(
            j,
            i,
            format_entry(value),
            ha="center",
            va="center",
            fontsize=fontsize,
            color="white" if abs(value) > 0.6 * lim else "black",
        )  # fmt: skip
        for (i, j), value in np.ndenumerate(k)
        if np.isfinite(value)
    ]
    ax.set_xlim(-0.5, k.shape[1] - 0.5)
    ax.set_ylim(k.shape[0] - 0.5, -0.5)
    ax.set_aspect("equal")
    picture_axes(ax, title)
    return KernelArtists(mesh, numbers)


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
        Colour limits ``(-limit, limit)``; default ``max |fmap|``. Give the same limit
        to maps shown side by side, so that colours mean the same number in each.
    title : str, optional

    Returns
    -------
    matplotlib.image.AxesImage
    """
    arr = _array(fmap, "fmap")
    if arr.ndim != 2:
        raise ValueError(f"fmap must have shape (H, W); got shape {arr.shape}")
    lim = symmetric_limit(arr) if limit is None else float(limit)
    artist = ax.imshow(arr, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation=interpolation)
    picture_axes(ax, title)
    return artist
