"""The base every slider widget stands on: Python computes, the browser blends and paints.

A widget is an `anywidget <https://anywidget.dev>`_ class: its state is one synced
dict (``values``), the arrays it needs are shipped **once** as float32 bytes
(``_arrays``), and one plain ES module in ``convtutor/widgets/static/`` draws it.
A slider move is handled in the page -- look-ups, linear combinations of the shipped
arrays, a colour map, a paint -- so it needs no kernel: it is as fast with the kernel
far away, or shut down, or in the static HTML edition with no Python at all. The
page writes the new state back to Python (``w.state``) when a kernel is there.

Each module exports a pure function ``view(data, state)`` that returns what to show:
panels (an RGBA picture or a table of numbers, with a title) and texts. Every widget
class mirrors it in :meth:`Widget.view`, with the same arithmetic in the same order
(float64 operations on the shipped float32 values), so the canvas and Python's
picture agree byte for byte. Separately, the tests hold ``view``'s numbers equal to
``convtutor``'s own (float64) results, and Node tests hold the module equal to Python.

Where no JavaScript runs (GitHub's viewer, a PDF), the displayed object falls back to
a PNG that matplotlib draws from the same :meth:`Widget.view`.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import re
import textwrap
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from ..light import cached

# The largest finite |value|, or 1 when there is none (the modules' symmetricLimit): one
# definition for the lessons' figures and the widgets.
from ..viz.images import symmetric_limit

__all__ = [
    "Widget",
    "STATIC_NOTE",
    "COMMON_TEXT",
    "BAR_CHART",
    "bar_chart",
    "fill_template",
    "correlated",
    "shifted",
    "derive",
    "module_source",
    "lut",
    "lut_index",
    "map_values",
    "rgb_planes",
    "to_byte",
    "symmetric_limit",
    "divisors",
    "group_index",
    "kept_group",
    "format_number",
    "format_count",
    "format_significant",
    "table_cells",
    "new_figure",
    "draw_table",
    "text_lines",
    "draw_texts",
]

STATIC = Path(__file__).with_name("static")

STATIC_NOTE = (
    "(This figure is interactive where JavaScript runs: in Jupyter, and in the suite's "
    "static HTML edition, the sliders change it live.)"
)


def module_source(name: str) -> str:
    """One ES module: ``common.js`` then ``<name>.js``, the import between them removed."""
    common = (STATIC / "common.js").read_text(encoding="utf-8")
    common = re.sub(r"^export (function|const|class) ", r"\1 ", common, flags=re.M)
    body = (STATIC / f"{name}.js").read_text(encoding="utf-8")
    body, found = re.subn(
        r"^import \{[^}]*\} from \"\./common\.js\";\n", "", body, count=1, flags=re.M | re.S
    )
    return common + "\n// ---- " + name + ".js ----\n" + body


# ---- words: written once, here, and shipped to the page as data ------------------
#: The words the shared page code (common.js, standalone.js) shows on every widget.
#: A widget's own words are its class's ``TEXT``; both reach the page in
#: ``meta["text"]``, so no ES module writes English of its own.
COMMON_TEXT = {
    "photo_label": "your own photo",
    "photo_reading": "reading {file}…",
    "photo_sent": "{file} sent to Python…",
    "photo_not_sent": "Your photo could not be sent: {reason}",
    "photo_needs_python": (
        "Your own photo needs Python: open this notebook in Jupyter (or on Binder) to use "
        "it. The current photo stays."
    ),
    "not_started": "This widget could not start here: {reason}",
}

#: The horizontal bar charts of CostCalculator and MobileNetKnobs, in pixels (the page
#: gets them as ``meta["bar"]``): four bars, bar ``i`` from x = 1 (x = 0 is the axis) at
#: y = pad + i (bar_height + gap), the longest ``length`` long.
BAR_CHART = {"width": 380, "height": 2 * 4 + 4 * 22 + 3 * 8, "length": 370, "bar_height": 22,
             "gap": 8, "pad": 4}  # fmt: skip


def bar_chart(lengths, palette: np.ndarray, first: int, end: int | None = None) -> np.ndarray:
    """A :data:`BAR_CHART` picture (common.js's ``barChart``): ``palette[0]`` everywhere,
    a line at x = ``length`` in ``palette[end]`` (when ``end`` is given), the axis at
    x = 0 in ``palette[1]``, then bar ``i`` ``lengths[i]`` long in ``palette[first + i]``."""
    bar = BAR_CHART
    opaque = np.hstack([palette, np.full((len(palette), 1), 255, np.uint8)])  # RGBA rows
    colours = opaque.view(np.uint32)[:, 0]  # one 32-bit word per colour: one store a pixel
    rgba = np.empty((bar["height"], bar["width"], 4), np.uint8)
    pixels = rgba.view(np.uint32)[..., 0]
    pixels[...] = colours[0]
    if end is not None:
        pixels[:, bar["length"]] = colours[end]
    pixels[:, 0] = colours[1]
    for i, length in enumerate(lengths):
        y = bar["pad"] + i * (bar["bar_height"] + bar["gap"])
        pixels[y : y + bar["bar_height"], 1 : 1 + length] = colours[first + i]
    return rgba


_SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_template(template: str, **slots: str) -> str:
    """``template`` with every ``{name}`` replaced by ``slots[name]`` (common.js's
    ``fillTemplate``, the same rule).

    A slot is ``{`` + a name (a letter or ``_``, then letters, digits, ``_``) + ``}``;
    any other brace stays as it is. Every slot value is a string already: numbers are
    formatted first (:func:`format_number`, :func:`format_count`), so both languages
    print the same characters. A slot the template names but ``slots`` lacks, or a
    value that is not a string, raises ``KeyError``/``TypeError`` naming it.
    """
    for name, value in slots.items():
        if not isinstance(value, str):
            raise TypeError(f"slot {name!r} must be a str; got {type(value).__name__} {value!r}")

    def one(match):
        name = match.group(1)
        if name not in slots:
            raise KeyError(f"template {template!r} has slot {{{name}}} but no value for it")
        return slots[name]

    return _SLOT.sub(one, template)


def _css() -> str:
    return (STATIC / "common.css").read_text(encoding="utf-8")


# ---- the arithmetic the modules do, mirrored ----------------------------------------
def lut(name: str) -> np.ndarray:
    """A matplotlib colour map as a ``(256, 3)`` uint8 table (entry ``i`` is ``cmap(i)``)."""
    from matplotlib import colormaps
    from matplotlib.colors import LinearSegmentedColormap

    if name.startswith("black_to_"):
        cmap = LinearSegmentedColormap.from_list(name, ["black", name[len("black_to_") :]])
    else:
        cmap = colormaps[name]
    cmap = cmap.resampled(256)
    table = cmap(np.arange(256))[:, :3]
    return np.floor(table * 255 + 0.5).astype(np.uint8)


def lut_index(values, lo: float, hi: float) -> np.ndarray:
    """``floor((v - lo) / (hi - lo) * 256)`` clipped to 0..255, as the modules' lutIndex."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        i = np.floor(((v - lo) / (hi - lo)) * 256)
    return np.clip(np.nan_to_num(i, nan=0), 0, 255).astype(np.intp)


def to_byte(values) -> np.ndarray:
    """Values in [0, 1] as bytes, ``floor(clip(v) * 255 + 0.5)``, as the modules' toByte."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    return np.floor(v * 255 + 0.5).astype(np.uint8)


def map_values(values, lo: float, hi: float, table: np.ndarray) -> np.ndarray:
    """``(H, W)`` values -> ``(H, W, 4)`` RGBA through ``table``; NaN is white."""
    v = np.asarray(values, dtype=np.float64)
    out = np.empty((*v.shape, 4), dtype=np.uint8)
    out[..., :3] = table[lut_index(v, lo, hi)]
    out[np.isnan(v), :3] = 255
    out[..., 3] = 255
    return out


def rgb_planes(planes, scale: float = 1.0) -> np.ndarray:
    """``(3, H, W)`` values in [0, 1] (each divided by ``scale``) -> ``(H, W, 4)`` RGBA."""
    p = np.asarray(planes, dtype=np.float64)
    out = np.empty((*p.shape[1:], 4), dtype=np.uint8)
    for c in range(3):
        out[..., c] = to_byte(p[c] / scale)
    out[..., 3] = 255
    return out


#: The largest number of places :func:`format_number` prints, and the size from which
#: it refuses a number (ECMAScript's ``toFixed`` writes exponents from 1e21 on).
MAX_DIGITS = 20
FIXED_LIMIT = 1e21
#: The largest whole number :func:`format_count` prints (JavaScript's largest safe integer).
MAX_COUNT = 2**53 - 1


def format_number(value: float, digits: int = 3) -> str:
    """``value`` printed with at most ``digits`` places: the widgets' one number format
    (common.js's ``formatNumber``, the same specification, see docs/widgets.md).

    The exact binary value of ``value`` is rounded to ``digits`` places, a tie going
    away from zero; a result of zero prints ``"0"`` (never ``"-0"``); trailing zeros
    and a trailing point are dropped: ``0.0625 -> "0.063"``, ``2.675 -> "2.67"`` (its
    binary value is below 2.675), ``1e-7 -> "0"``. ``value`` must be a real number,
    finite and below 1e21 in size, ``digits`` a whole number from 0 to 20; anything
    else raises ``TypeError``/``ValueError``. (``Decimal(value)`` is the exact binary
    value, so the rounding is exact.)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number; got {type(value).__name__} {value!r}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Real):
        raise TypeError(f"digits must be a whole number; got {type(digits).__name__} {digits!r}")
    if not (float(digits).is_integer() and 0 <= digits <= MAX_DIGITS):
        raise ValueError(f"digits must be a whole number from 0 to {MAX_DIGITS}; got {digits!r}")
    value = float(value)
    if not math.isfinite(value) or abs(value) >= FIXED_LIMIT:
        raise ValueError(f"value must be finite and below 1e21 in size; got {value!r}")
    with localcontext() as context:
        context.prec = 60  # 21 digits before the point and 20 after fit
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "0"
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_significant(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits: the widgets' format for ratios and
    errors (common.js's ``formatSignificant``, the same specification, docs/widgets.md).

    ECMAScript's ``toPrecision``: the exact binary value rounded to ``digits``
    significant digits, a tie going away from zero, written in exponent form
    (``e-7``, ``e+5``) when the rounded exponent is below -6 or at least ``digits``;
    then the mantissa's trailing zeros and trailing point are dropped:
    ``690 / 9800 -> "0.07041"``, ``8.0 -> "8"``, ``4.4e-16 -> "4.4e-16"``,
    ``12345 -> "1.235e+4"``; zero prints ``"0"``. NaN, infinities and ``digits``
    outside 1..21 raise ``ValueError``; what is not a number, ``TypeError``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number; got {type(value).__name__} {value!r}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Real):
        raise TypeError(f"digits must be a whole number; got {type(digits).__name__} {digits!r}")
    if not (float(digits).is_integer() and 1 <= digits <= 21):
        raise ValueError(f"digits must be a whole number from 1 to 21; got {digits!r}")
    value, digits = float(value), int(digits)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite; got {value!r}")
    if value == 0:
        return "0"
    with localcontext() as context:
        context.prec = 400  # the exact binary value of any float64 fits
        exact = Decimal(value)
        e = exact.adjusted()
        q = exact.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_UP)
        if q.adjusted() > e:  # 9.996 -> 10.0: one more digit before the point
            e += 1
            q = exact.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_UP)
        mantissa = f"{q.scaleb(-e):f}" if (e < -6 or e >= digits) else f"{q:f}"
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if e < -6 or e >= digits:
        return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return mantissa


def format_count(n) -> str:
    """A whole number with a comma between each group of three digits: 9800 -> '9,800'
    (common.js's ``formatCount``, the same specification, see docs/widgets.md).

    ``n`` must be a whole number (an int, or a float with no fraction) of size at most
    2**53 - 1; anything else raises ``TypeError``/``ValueError``. ``-0.0`` prints ``"0"``.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise TypeError(f"n must be a whole number; got {type(n).__name__} {n!r}")
    if not isinstance(n, numbers.Integral):
        n = float(n)
        if not n.is_integer():
            raise ValueError(f"n must be a whole number; got {n!r}")
    n = int(n)
    if abs(n) > MAX_COUNT:
        raise ValueError(f"n must be at most 2**53 - 1 in size; got {n!r}")
    return f"{n:,}"


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(x) for x in rgb))


def text_colour(rgb) -> str:
    """Black or white, whichever contrasts more with the background ``rgb`` (0-255):
    WCAG 2's relative luminance L, black when (L + 0.05) / 0.05 >= 1.05 / (L + 0.05)."""
    channels = [int(b) / 255 for b in rgb]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (luminance + 0.05) ** 2 >= 0.0525 else "#ffffff"


def table_cells(values, lo: float, hi: float, table: np.ndarray, digits: int = 3) -> list:
    """A 2-D array as table cells ``{text, bg, fg}``: colour-mapped, the text black or
    white, whichever contrasts more (:func:`text_colour`)."""
    v = np.asarray(values, dtype=np.float64)
    idx = lut_index(v, lo, hi)
    rows = []
    for r in range(v.shape[0]):
        row = []
        for c in range(v.shape[1]):
            rgb = table[idx[r, c]]
            row.append(
                {
                    "text": format_number(v[r, c], digits),
                    "bg": _hex(rgb),
                    "fg": text_colour(rgb),
                }
            )
        rows.append(row)
    return rows


# ---- a groups slider: g among the divisors (GroupsContinuum, VolumeView) ------------
def divisors(n: int) -> list:
    """The divisors of ``n``, smallest first: the values a ``groups`` slider can take."""
    return [d for d in range(1, n + 1) if n % d == 0]


def group_index(groups, options: list, where: str) -> int:
    """The slider position of ``groups`` among ``options`` (the allowed divisors).

    ``where`` says what g must divide (``"channels = 12"``); a value of the wrong kind
    raises ``TypeError``, one not among ``options`` ``ValueError``, both naming ``groups``,
    the options and the value.
    """
    listed = ", ".join(map(str, options))
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise TypeError(
            f"groups must be a whole number that divides {where} ({listed}); "
            f"got {type(groups).__name__} {groups!r}"
        )
    if groups not in options:
        raise ValueError(f"groups must divide {where}: one of {listed}; got {groups!r}")
    return options.index(groups)


def kept_group(old: int, options: list) -> int:
    """The slider position after the divisors changed: ``old`` g if it is still among
    ``options``, else the largest divisor below it (common.js's ``keptGroup``)."""
    return max(j for j, d in enumerate(options) if d <= old)


# ---- arrays the page computes itself from shipped ones ------------------------------
# A map a kernel makes of the photo weighs as much as the photo; a dozen of them made a
# page megabytes heavy. So a widget may declare such arrays *derived*: they are not
# shipped, and the page (common.js, ``derive``) and Python (:func:`derive`) compute them
# from a shipped array with the same float64 operations in the same order, then round
# them to float32 as if they had been shipped. IEEE float64 with no fused multiply-add
# gives the same bits in JavaScript and numpy, so both paint the same pixels.
def correlated(source: str, maps) -> dict:
    """A derived array: ``maps`` = ``[(channel, kernel), ...]``, all kernels one size.

    Map ``n`` is channel ``channel`` of the shipped ``(C, H, W)`` array ``source``
    cross-correlated with ``kernel`` (no padding: ``H - k + 1`` by ``W - k + 1``), as
    ``ct.depthwise_conv2d`` does; each pixel sums ``kernel[u][v] * x[i + u, j + v]``
    over ``u``, then ``v``, starting from 0.
    """
    return {
        "op": "correlate",
        "source": source,
        "maps": [[int(c), np.asarray(k, dtype=np.float64).tolist()] for c, k in maps],
    }


def shifted(source: str, window: int) -> dict:
    """A derived array: the shipped ``(H, W)`` array ``source`` shifted by every offset of
    a ``window x window`` square, zeros outside: ``(window**2, H, W)``, entry
    ``u * window + v`` holding ``x[i + u - window // 2, j + v - window // 2]``."""
    return {"op": "shift", "source": source, "window": int(window)}


def derive(spec: dict, data: dict) -> np.ndarray:
    """The float32 array ``spec`` (see :func:`correlated`, :func:`shifted`) makes of
    ``data`` (the shipped arrays), exactly as the page's ``derive`` computes it."""
    x = np.asarray(data[spec["source"]], dtype=np.float64)
    if spec["op"] == "correlate":
        out = []
        for channel, kernel in spec["maps"]:
            plane, k = x[channel], np.asarray(kernel, dtype=np.float64)
            kh, kw = k.shape
            oh, ow = plane.shape[0] - kh + 1, plane.shape[1] - kw + 1
            acc = np.zeros((oh, ow))
            for u in range(kh):
                for v in range(kw):
                    acc = acc + k[u, v] * plane[u : u + oh, v : v + ow]
            out.append(acc)
        return np.stack(out).astype(np.float32)
    if spec["op"] == "shift":
        window = spec["window"]
        r = window // 2
        h, w = x.shape
        padded = np.zeros((h + 2 * r, w + 2 * r))
        padded[r : r + h, r : r + w] = x
        out = [padded[u : u + h, v : v + w] for u in range(window) for v in range(window)]
        return np.stack(out).astype(np.float32)
    raise ValueError(f"unknown derived array {spec.get('op')!r}")


# ---- the PNG fallback's pieces (each widget keeps its own layout) --------------------
def new_figure(height: float, width: float = 8.4):
    """A matplotlib figure of ``width`` x ``height`` inches, drawn without a GUI."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def draw_table(
    ax,
    cells: list,
    *,
    fontsize=8,
    scale: float = 1.3,
    em_width: float = 2.0,
    col_widths=None,
    cell_loc: str = "center",
):
    """A panel's table on ``ax`` as the page shows it: each cell's text in its ``fg``
    colour on its ``bg``, outlined ``em_width`` thick where it has ``em``.

    ``fontsize=None`` lets matplotlib fit the text; ``scale`` stretches the rows;
    ``col_widths`` (fractions of the axes) and ``cell_loc`` go to ``ax.table``.
    """
    table = ax.table(
        cellText=[[c["text"] for c in row] for row in cells],
        cellColours=[[c["bg"] for c in row] for row in cells],
        colWidths=col_widths,
        loc="center",
        cellLoc=cell_loc,
    )
    for (r, c), cell in table.get_celld().items():
        cell.get_text().set_color(cells[r][c].get("fg", "#000000"))
        if cells[r][c].get("em"):
            cell.set_linewidth(em_width)
    if fontsize is not None:
        table.auto_set_font_size(False)
        table.set_fontsize(fontsize)
    table.scale(1, scale)
    return table


def text_lines(texts, width: int = 110, **wrap_options) -> list:
    """A view's texts as the lines under a figure: each paragraph wrapped to ``width``
    characters (``wrap_options`` go to :func:`textwrap.wrap`); an empty text adds none."""
    return [
        line
        for t in texts
        if t
        for paragraph in str(t).splitlines()
        for line in (textwrap.wrap(paragraph, width, **wrap_options) or [""])
    ]


def draw_texts(fig, lines, bottom: float, *, step: float = 0.2, fontsize=8) -> None:
    """``lines`` down the figure's left edge, the first ``step`` inches below ``bottom``
    (a fraction of the figure's height), each ``step`` inches under the one before."""
    for i, line in enumerate(lines):
        fig.text(0.02, bottom - (i + 1) * step / fig.get_figheight(), line, fontsize=fontsize)


# ---- the widget ---------------------------------------------------------------------
class Widget(anywidget.AnyWidget):
    """A slider widget drawn in the browser from arrays Python computed once.

    A widget lives in ``convtutor/widgets/NAME.py`` and its page in ``static/NAME.js``:
    ``MODULE`` is ``NAME``, taken from the file's name (a widget defined elsewhere sets
    ``MODULE`` itself). Subclasses call
    ``super().__init__()`` with their controls, arrays and first state, and implement
    :meth:`view` (the mirror of the module's ``view``) and, where controls depend on
    each other, :meth:`normalise` (the mirror of the module's ``normalise``).

    Public surface: construct with no arguments; display the object (or ``.widget``);
    ``.state`` (name -> value); ``.set(**values)`` moves controls from code.
    """

    MODULE = ""
    #: One line under the figure: what to try.
    CAPTION = ""
    #: Every other sentence, title, label and template the page shows (name -> text,
    #: with ``{slot}`` for what a state fills in, see :func:`fill_template`), written
    #: once, here. Shipped as ``meta["text"]`` with :data:`COMMON_TEXT`.
    TEXT: dict = {}
    #: True for widgets built on a photo: the page offers "your own photo" (a file
    #: upload), and :meth:`use_image` swaps the picture from code.
    PHOTO = False
    #: How thick the PNG fallback outlines a table's marked (``em``) cells.
    TABLE_EM_WIDTH = 2.0

    values = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    _controls = traitlets.List().tag(sync=True)
    _arrays = traitlets.Dict().tag(sync=True)
    _meta = traitlets.Dict().tag(sync=True)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A widget of this package is named after its file: convtutor/widgets/NAME.py
        # draws with static/NAME.js. (ipywidgets' add_traits makes subclasses elsewhere,
        # which keep their parent's.)
        package, _, stem = cls.__module__.rpartition(".")
        if not cls.MODULE and package == __package__ and not stem.startswith("_"):
            cls.MODULE = stem
        if "MODULE" in cls.__dict__ and cls.MODULE:
            cls._esm = module_source(cls.MODULE)
            cls._css = _css()

    def __init__(
        self,
        *,
        controls: list,
        arrays: dict,
        state: dict,
        meta: dict | None = None,
        derived: dict | None = None,
        attributes: dict | None = None,
    ):
        """``derived``: name -> spec of arrays the page computes from ``arrays`` itself
        (:func:`correlated`, :func:`shifted`); they are in :attr:`data`, never shipped,
        and ``derived[name]["shape"]`` says how the maps are shaped (default: stacked).
        ``attributes``: plain Python attributes the widget keeps (name -> value).

        A photo widget passes ``**self._build(image)`` for ``arrays``, ``meta``,
        ``derived`` and ``attributes``: :meth:`use_image` rebuilds with the same call.
        """
        self._specs = {spec["name"]: dict(spec) for spec in controls}
        shipped = self._ship(arrays, meta, derived, attributes)
        self._apply(shipped)
        first = self.normalise(dict(state), None)
        super().__init__(
            values=first,
            caption=self.CAPTION,
            _controls=list(controls),
            _arrays=shipped["payload"],
            _meta=shipped["sent"],
        )
        self.on_msg(self._on_page_message)

    def _build(self, image, size: int) -> dict:  # pragma: no cover - photo widgets
        """Everything that depends on the picture, computed and not applied: a dict of
        ``arrays``, ``meta``, ``derived`` and ``attributes`` (see :meth:`__init__`).

        ``image`` is anything the widget's ``image=`` takes (a file is loaded at
        ``size``). Pure: it changes nothing, so a refused picture leaves the widget as
        it was. Photo widgets (``PHOTO = True``) implement it; their ``__init__`` and
        :meth:`use_image` both build through it.
        """
        raise NotImplementedError

    def _ship(self, arrays: dict, meta=None, derived=None, attributes=None) -> dict:
        """What a build becomes, computed and not applied: the arrays as Python keeps
        them (``data``), their bytes (``payload``), the full ``meta`` and the JSON copy
        sent to the page (``sent``), and the ``attributes``."""
        data = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
        payload, shapes, dtypes = {}, {}, {}
        for name, a in data.items():
            if a.dtype != np.uint8:
                a = a.astype(np.float32)
                data[name] = a
            payload[name] = a.tobytes()
            shapes[name] = list(a.shape)
            dtypes[name] = "uint8" if a.dtype == np.uint8 else "float32"
        derived = {name: dict(spec) for name, spec in (derived or {}).items()}
        for name, spec in derived.items():
            a = derive(spec, data)
            spec.setdefault("shape", list(a.shape))
            data[name] = a.reshape(spec["shape"])
            shapes[name], dtypes[name] = list(spec["shape"]), "float32"
        meta = {
            "name": self.MODULE,
            "photo": self.PHOTO,
            "text": {**COMMON_TEXT, **self.TEXT},
            **(meta or {}),
            "shapes": shapes,
            "dtypes": dtypes,
        }
        if derived:
            meta["derived"] = derived
        return {
            "data": data,
            "payload": payload,
            "meta": meta,
            "sent": json.loads(json.dumps(meta)),
            "attributes": dict(attributes or {}),
        }

    def _apply(self, shipped: dict) -> None:
        """Keep a shipped build (:meth:`_ship`) on the Python side: ``data``, ``meta`` and
        the widget's own attributes. (The synced traits are set by the caller.)"""
        for name, value in shipped["attributes"].items():
            setattr(self, name, value)
        self.data = shipped["data"]
        self.meta = shipped["meta"]

    # ---- state ------------------------------------------------------------------
    @property
    def widget(self):
        """What a notebook displays: the widget itself (kept for the older API)."""
        return self

    @property
    def state(self) -> dict:
        """The current value of every control (and any state it implies), by name."""
        return dict(self.values)

    @property
    def controls(self) -> dict:
        """Name -> the control's description (kind, label, range or options)."""
        return {name: dict(spec) for name, spec in self._specs.items()}

    def check_value(self, name: str, value, state: dict | None = None):
        """``value`` for control ``name`` in ``state`` (default: now), checked.

        A wrong kind of value raises ``TypeError``, a value out of range or not among
        the options ``ValueError``; either names the control, what it takes and the value.
        """
        spec = self._specs[name]
        if spec["kind"] == "select":
            if value not in spec["options"]:
                raise ValueError(
                    f"{name} must be one of {', '.join(map(repr, spec['options']))}; got {value!r}"
                )
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r}")
        low, high = self.limits(self.values if state is None else state, name)
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}; got {value!r}")
        steps = (value - spec["min"]) / spec["step"]
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(
                f"{name} must be a multiple of {spec['step']} from {spec['min']}; got {value!r}"
            )
        if isinstance(spec["step"], int) and isinstance(spec["min"], int):
            return int(round(value))
        return float(round(value, 6))

    def limits(self, state: dict, name: str) -> tuple:
        """The range control ``name`` allows in ``state`` (subclasses narrow it)."""
        spec = self._specs[name]
        return spec["min"], spec["max"]

    def set(self, **values) -> None:
        """Move controls from code, e.g. ``w.set(channel=2)``; the page follows.

        Controls are applied in the order given, each as if moved by hand.
        """
        self._refuse_unknown(values, [*self._specs, *self.ALIASES])
        state = dict(self.values)
        for name, value in values.items():
            if name in self.ALIASES:
                name, value = self.alias(name, value, state)
            state[name] = self.check_value(name, value, state)
            state = self.normalise(state, name)
        self.values = state

    #: Names ``set`` takes besides the controls' (``groups`` for a slider over its
    #: divisors): :meth:`alias` says which control each moves, and to what.
    ALIASES: tuple = ()

    def alias(self, name: str, value, state: dict) -> tuple:
        """``(control, value)`` that ``set(name=value)`` moves, ``name`` in :attr:`ALIASES`."""
        raise NotImplementedError(name)

    def _refuse_unknown(self, values: dict, names: list) -> None:
        """A ValueError naming every key of ``values`` not in ``names``, and ``names``."""
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no control named {', '.join(map(repr, unknown))}; "
                f"its controls are {', '.join(map(repr, names))}"
            )

    def normalise(self, state: dict, changed: str | None) -> dict:
        """The state after control ``changed`` moved (None: the first state)."""
        return state

    @traitlets.validate("values")
    def _valid_values(self, proposal):
        state = dict(proposal["value"])
        missing = [n for n in self._specs if n not in state]
        if missing:
            raise traitlets.TraitError(f"values lacks {', '.join(missing)}")
        return state

    # ---- your own photo -----------------------------------------------------------
    def use_image(self, image) -> None:
        """Rebuild everything on another picture; the controls keep their values.

        ``image``: a path, bytes, a binary file or a PIL image (see
        :func:`convtutor.data.load_image`; it is loaded at the size of the current
        picture), or numbers (an array, nested lists, a tensor; see
        :func:`convtutor._validate.picture`). On a bad picture a ``ValueError`` or
        ``TypeError`` says why and the widget keeps its current photo.

        The widget's :meth:`_build` computes the new arrays and words, as ``__init__``
        does, before anything changes; only then are they applied.
        """
        if not self.PHOTO:
            raise TypeError(f"{type(self).__name__} is not built on a photo")
        if image is None:
            raise TypeError("image must be a picture (an array, a path, bytes or a file); got None")
        size = int(np.shape(self.image)[-1])
        shipped = self._ship(**self._build(image, size))
        with self.hold_sync():
            self._apply(shipped)
            self._arrays = shipped["payload"]
            self._meta = shipped["sent"]
            self.error = ""
            self.values = self.normalise(dict(self.values), None)

    def _on_page_message(self, widget, content, buffers) -> None:
        """The page sent a picture (the "your own photo" control)."""
        if not isinstance(content, dict) or content.get("kind") != "image":
            return
        name = str(content.get("name", "your file"))[:80]
        if not buffers:
            self.error = f"Your photo {name!r} did not arrive; the current photo stays."
            return
        try:
            self.use_image(bytes(buffers[0]))
        except (ValueError, TypeError) as exc:
            self.error = f"Your photo {name!r} was not used: {exc}. The current photo stays."
        except Exception as exc:  # never silent: the student sees why, the photo stays
            self.error = (
                f"Your photo {name!r} was not used: {type(exc).__name__}: {exc}. "
                "The current photo stays."
            )

    # ---- what is shown -------------------------------------------------------------
    def view(self, state: dict | None = None) -> dict:  # pragma: no cover - overridden
        """What the page shows for ``state`` (default: now): ``{"panels", "texts"}``."""
        raise NotImplementedError

    def frames(self, state: dict | None = None) -> dict:
        """Panel name -> the ``(H, W, 4)`` uint8 picture its canvas shows."""
        return {p["name"]: p["rgba"] for p in self.view(state)["panels"] if "rgba" in p}

    def figure(self, state: dict | None = None):
        """A matplotlib figure of what the page shows (the PNG fallback).

        The same panels (pictures as they are, tables with their colours), their
        titles, and the texts under them, wrapped to the figure's width.
        """
        v = self.view(state)
        panels = [p for p in v["panels"] if not p.get("hidden")]
        n = len(panels)
        cols = min(n, 4)
        rows = -(-n // cols)
        lines = text_lines(v["texts"].values())
        text_height = 0.2 * len(lines) + 0.2
        fig = new_figure(2.5 * rows + text_height + 0.2)
        for i, p in enumerate(panels):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.set_axis_off()
            ax.set_title(p["title"], fontsize=8)
            if "rgba" in p:
                ax.imshow(p["rgba"], interpolation="nearest")
            else:
                draw_table(ax, p["cells"], em_width=self.TABLE_EM_WIDTH)
        bottom = text_height / fig.get_figheight()
        fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=bottom + 0.02, hspace=0.6)
        draw_texts(fig, lines, bottom)
        return fig

    def png(self, state: dict | None = None) -> bytes:
        """The PNG fallback as bytes (kept in convtutor's cache: every kernel that shows the
        same picture reads it, see :func:`convtutor.light.cached`)."""

        def draw():
            buf = io.BytesIO()
            self.figure(state).savefig(buf, format="png", dpi=100)
            return np.frombuffer(buf.getvalue(), dtype=np.uint8)

        key = {"widget": type(self).__name__, "view": self.view(state)}
        return cached("png", key, draw).tobytes()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        data["image/png"] = self.png()
        data["text/plain"] = f"{type(self).__name__} widget. {STATIC_NOTE}"
        return data
