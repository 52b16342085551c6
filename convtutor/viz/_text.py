"""Text drawn as cached glyph outlines: one artist for many labels, no layout per draw.

With matplotlib 3.11 on Agg every drawn :class:`~matplotlib.text.Text` costs about
0.5-3 ms per draw (layout, then each glyph rasterised afresh), which made text the
largest cost of a widget's redraw. Here each string becomes the outline of its
glyphs (the same vertices as ``TextPath``), computed once per string and cached, and
all the strings of a group are ONE :class:`~matplotlib.collections.PathCollection`,
filled in a single call. Twenty numbers cost well under a millisecond per draw.

Three public names, one for each use: :class:`OutlineLabels` (many labels, one
artist), :func:`outline_text` (one label) and :func:`outline_title` (a title over an
axes). ``convtutor.viz`` offers all three.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import is_color_like
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import LoadFlags
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D

__all__ = ["OutlineLabels", "outline_text", "outline_title"]

_LINE_SPACING = 1.25
_GLYPHS: dict = {}  # glyph outlines already extracted, shared by every string


@functools.lru_cache(maxsize=1)
def _font_object():
    """matplotlib's font for text outlines (found once per session)."""
    return text_to_path._get_font(FontProperties())


def _font():
    """That font, set to the outline scale.

    matplotlib shares one font object between everything that draws text, and Agg
    resizes it for each text it draws; so the size is set again before every use, or
    strings laid out after some other text was drawn come out squashed.
    """
    font = _font_object()
    font.set_size(text_to_path.FONT_SCALE, text_to_path.DPI)
    return font


def _line_outline(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (at ``FONT_SCALE`` points, baseline at y = 0) and codes of one line.

    The same shaping and kerning as ``TextPath``, but each glyph's outline is
    extracted once and reused, so a new string costs its layout only. Private
    matplotlib helpers are used when present, with fall-backs if they go.
    """
    if not hasattr(text_to_path, "_get_font"):
        path = TextPath((0, 0), text, size=text_to_path.FONT_SCALE)
        return path.vertices, path.codes
    font = _font()
    placed = []  # (outline vertices, codes, x, y)
    layout = getattr(font, "_layout", None)
    if layout is not None:  # matplotlib >= 3.11: shaped by libraqm, glyphs not loaded
        for item in layout(text, LoadFlags.NO_HINTING):
            key = (item.ft_object.postscript_name, item.glyph_index)
            outline = _GLYPHS.get(key)
            if outline is None:
                item.ft_object.load_glyph(item.glyph_index, flags=LoadFlags.NO_HINTING)
                verts, codes = item.ft_object.get_path()
                outline = _GLYPHS[key] = (np.asarray(verts, float), np.asarray(codes))
            placed.append((*outline, item.x, item.y))
    else:
        info, new, _ = text_to_path.get_glyphs_with_font(
            font, text, glyph_map=_GLYPHS, return_new_glyphs_only=True
        )
        _GLYPHS.update(new)
        placed = [(*map(np.asarray, _GLYPHS[glyph]), x, y) for glyph, x, y, _ in info]
    placed = [p for p in placed if len(p[0])]
    if not placed:
        return np.zeros((0, 2)), np.zeros(0, dtype=Path.code_type)
    verts = np.concatenate([v + (x, y) for v, _, x, y in placed])
    return verts, np.concatenate([c for _, c, _, _ in placed])


def _glyph_path(text: str, fontsize: float) -> Path:
    """Outline of one line of ``text`` in points, baseline at y = 0 (as ``TextPath``)."""
    verts, codes = _line_outline(text)
    return Path(verts * (fontsize / text_to_path.FONT_SCALE), codes)


@functools.lru_cache(maxsize=8192)
def _text_path(text: str, fontsize: float, ha: str, va: str, rotation: float, gap: float):
    """Outlines of ``text`` (lines split on newlines) in points, anchored at (0, 0).

    Lines are aligned to each other by ``ha``; the whole block is turned by
    ``rotation`` degrees, then its box is placed by ``ha``/``va`` with ``gap`` points
    between the anchor and a non-centred side ("baseline": the last line's baseline).
    Boxes are taken over the control points: a touch loose, but many times faster than
    exact Bezier extremes, and enough to align text.
    """
    scale = fontsize / text_to_path.FONT_SCALE
    lines = text.split("\n")
    all_verts, all_codes = [], []
    for n, line in enumerate(lines):
        if not line.strip():  # a blank line only takes its place
            continue
        verts, codes = _line_outline(line)
        if not len(verts):
            continue
        verts = verts * scale
        x0, x1 = verts[:, 0].min(), verts[:, 0].max()
        dx = {"center": -(x0 + x1) / 2, "left": -x0, "right": -x1}[ha]
        all_verts.append(verts + (dx, -n * _LINE_SPACING * fontsize))
        all_codes.append(codes)
    if not all_verts:
        return Path(np.zeros((0, 2)))
    verts = np.concatenate(all_verts)
    if rotation:
        verts = Affine2D().rotate_deg(rotation).transform(verts)
    (x0, y0), (x1, y1) = verts.min(axis=0), verts.max(axis=0)
    dx = {"center": -(x0 + x1) / 2, "left": -x0 + gap, "right": -x1 - gap}[ha]
    dy = {
        "center": -(y0 + y1) / 2,
        "bottom": -y0 + gap,
        "top": -y1 - gap,
        "baseline": (len(lines) - 1) * _LINE_SPACING * fontsize + gap,
    }[va]
    return Path(verts + (dx, dy), np.concatenate(all_codes))


class OutlineLabels(PathCollection):
    """Labels drawn as glyph outlines, all of them ONE artist, changed in place.

    Each string's outline is cached, so showing a string again costs nothing but a
    look-up; the artist draws in one call with no text layout.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    fontsize : float, in points
    ha : {"left", "center", "right"}, va : {"bottom", "center", "top", "baseline"}
        Which side of each label sits at its position.
    rotation : float, degrees
    coords : {"data", "axes", "xaxis"}
        Positions in data units, in axes fractions, or x in data and y in axes
        fractions (labels under bars). Ignored when ``transform`` is given.
    transform : Transform, optional
        Where positions are given, instead of ``coords``.
    gap : float, in points
        Space between a position and a non-centred side of its label.
    clip : bool, optional
        Clip to the axes; default only for data positions.
    zorder : float, default 3

    Attributes
    ----------
    strings : list of str
        The labels as last drawn, in order.
    positions : ndarray of shape (n, 2)
    """

    def __init__(
        self,
        ax,
        *,
        fontsize=10.0,
        ha="center",
        va="center",
        rotation=0.0,
        coords="data",
        transform=None,
        gap=0.0,
        clip=None,
        zorder=3,
    ):
        if transform is None:
            transform = {
                "data": ax.transData,
                "axes": ax.transAxes,
                "xaxis": ax.get_xaxis_transform(),
            }[coords]
        super().__init__(
            [],
            offsets=np.zeros((0, 2)),
            offset_transform=transform,
            facecolors="black",
            edgecolors="none",
            linewidths=0,
            zorder=zorder,
        )
        # Outlines are in points: scale them with the figure's dpi (also when saving).
        self.set_transform(Affine2D().scale(1 / 72) + ax.get_figure(root=True).dpi_scale_trans)
        self.set_clip_on((coords == "data" and transform is ax.transData) if clip is None else clip)
        self.fontsize, self.ha, self.va = float(fontsize), ha, va
        self.rotation, self.gap = float(rotation), float(gap)
        self.strings: list[str] = []
        self.positions = np.zeros((0, 2))
        ax.add_collection(self, autolim=False)

    def set_labels(self, strings, positions, colors="black") -> None:
        """Show ``strings[i]`` at ``positions[i]``, in ``colors`` (one colour or one each)."""
        strings = [str(t) for t in strings]
        positions = np.asarray(positions, dtype=float).reshape(len(strings), 2)
        shown = [i for i, t in enumerate(strings) if t.strip()]  # blank: nothing to draw
        if not is_color_like(colors):  # one colour per label
            colors = [colors[i] for i in shown]
        style = (self.fontsize, self.ha, self.va, self.rotation, self.gap)
        self.set_paths([_text_path(strings[i], *style) for i in shown])
        self.set_offsets(positions[shown].reshape(-1, 2))
        self.set_facecolor(colors if shown else "black")
        self.strings, self.positions = strings, positions
        self.stale = True

    def set_text(self, text: str) -> None:
        """For a single label (a title): change its words, keep its place and colour."""
        text = str(text)
        if self.strings != [text]:
            position = self.positions[:1] if len(self.positions) else [(0.5, 1.0)]
            colours = self.get_facecolor()
            self.set_labels([text], position, colours[:1] if len(colours) else "black")

    def get_text(self) -> str:
        """All the labels, joined by spaces (a single label: its text)."""
        return " ".join(self.strings)


def outline_text(ax, x, y, text="", *, color="black", **kwargs) -> OutlineLabels:
    """One label at ``(x, y)``, drawn as glyph outlines; ``.set_text`` changes it.

    Positions are axes fractions unless ``coords`` or ``transform`` says otherwise, and
    the label is not clipped (it may sit outside the axes, like a title). Other keywords
    are :class:`OutlineLabels`'s: ``fontsize``, ``ha``, ``va``, ``rotation``, ``gap``.
    ``outline_text(ax, 0.5, 0, "column", va="top", gap=3)`` is an x-axis label.
    """
    kwargs.setdefault("coords", "axes")
    kwargs.setdefault("clip", False)
    labels = OutlineLabels(ax, **kwargs)
    labels.set_labels([text], [(x, y)], color)
    return labels


def outline_title(ax, text: str = "", *, fontsize: float = 11.0, pad: float = 5.0) -> OutlineLabels:
    """A plain-word title centred over ``ax``, ``pad`` points above it (not ``set_title``).

    Its baseline sits ``pad`` points above the axes, as matplotlib's titles do, so titles
    side by side line up whether or not they have descenders (p, y, brackets).
    """
    return outline_text(ax, 0.5, 1.0, text, fontsize=fontsize, va="baseline", gap=pad)
