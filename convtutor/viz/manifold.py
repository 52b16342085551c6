"""MobileNetV2's Figure 1: a spiral, and what a ReLU in ``n`` dimensions leaves of it."""

from __future__ import annotations

import numpy as np

__all__ = ["spiral_reconstruction"]

# Okabe-Ito: told apart with every common colour-vision deficiency.
_GREY, _BLUE = "#999999", "#0072B2"


def spiral_reconstruction(ax, spiral, reconstruction, *, title=""):
    r"""Draw a spiral (grey) and its reconstruction (blue points, best-scaled) on ``ax``.

    ``reconstruction`` is :math:`T^{+}\,\mathrm{ReLU}(T x)` as
    :func:`convtutor.blocks.relu_spiral` gives it. It is drawn after multiplying by the
    single scale that fits the spiral best (as :func:`convtutor.blocks.shape_error`
    measures it): a ReLU halves the length about as much as it bends the shape, and the
    shape is what the figure is about.

    Parameters
    ----------
    ax : matplotlib Axes
    spiral, reconstruction : array of shape (2, P)
    title : str, optional

    Returns
    -------
    list of Artist
        The spiral's line, the reconstruction's points and the title (if any).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from convtutor.blocks import relu_spiral
    >>> r = relu_spiral((2, 30), draws=1)
    >>> artists = spiral_reconstruction(Figure().add_subplot(), r.spiral, r.reconstructions[30])
    >>> len(artists)
    2
    """
    x = np.asarray(spiral, dtype=float)
    y = np.asarray(reconstruction, dtype=float)
    if x.ndim != 2 or x.shape[0] != 2 or y.shape != x.shape:
        raise ValueError(
            "spiral and reconstruction must both have shape (2, P) (one point a column); "
            f"got {x.shape} and {y.shape}"
        )
    yy = float((y * y).sum())
    scale = float((y * x).sum()) / yy if yy > 0 else 0.0
    (line,) = ax.plot(x[0], x[1], color=_GREY, linewidth=1.5, label="spiral")
    points = ax.scatter(
        scale * y[0], scale * y[1], s=4, color=_BLUE, label="ReLU, then back (scaled)"
    )
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    artists = [line, points]
    if title:
        artists.append(ax.set_title(title, fontsize=10))
    return artists
