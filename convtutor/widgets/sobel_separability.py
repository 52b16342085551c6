"""Sobel's kernel is a column times a row: filter in two 1-D passes, get the same picture.

:class:`SobelSeparability` shows a kernel, its singular values, its column and row
factors and their product, and the photo filtered with the 2-D kernel beside the
photo filtered in two 1-D passes. A "perturb" slider adds a little noise to the
kernel: its second singular value grows from 0, the kernel is no longer a column
times a row, and two passes can only give its best rank-1 approximation.

Python computes everything here, once (``convtutor``'s SVD, factors and filters); the
page (``static/sobel_separability.js``) only looks values up and adds arrays up:

* the kernel with noise is ``base + t * ||base|| * noise``, linear in the slider ``t``;
* everything that is not linear in ``t`` (singular values, rank, factors, their
  product, the error, the largest difference) is computed for every slider position
  and looked up;
* a filtered picture is linear in its kernel: ``filter2d(photo, K) = sum_ij K[i, j] *
  S_ij``, where ``S_ij = filter2d(photo, E_ij)`` is the photo filtered with a kernel
  that is 1 at ``(i, j)`` and 0 elsewhere (the photo shifted). Python ships the 49
  ``S_ij`` of a 7x7 window; the page adds them up with the kernel's entries (the 2-D
  filter) and with the entries of column x row (the two passes).
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np

from .. import data, kernels
from ..light import cached
from ..spatial import (
    filter2d,
    kernel_rank,
    low_rank_approximation,
    separable_filter2d,
    separable_terms,
    separate,
    singular_values,
)
from ._base import (
    Widget,
    derive,
    fill_template,
    format_count,
    format_number,
    format_significant,
    lut,
    map_values,
    shifted,
    symmetric_limit,
    table_cells,
)
from ._photo import picture as _picture

__all__ = [
    "SobelSeparability",
    "KERNEL_CHOICES",
    "chosen_kernel",
    "factors",
    "noise_direction",
    "format_significant",
]

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
#: The slider grids. Everything not linear in a slider is computed for each value.
SIZES = (3, 5, 7)
SIGMAS = tuple(0.5 + 0.25 * i for i in range(11))
PERTURB_STEP = 0.025
PERTURBS = tuple(round(PERTURB_STEP * i, 6) for i in range(21))
#: The menu's kernels that do not depend on the size and sigma sliders.
NAMED = tuple(name for name in KERNEL_CHOICES if name != "Gaussian")
#: The centre of the 7x7 window of shifts: the photo itself.
CENTRE = (MAX_SIZE // 2) * MAX_SIZE + MAX_SIZE // 2
SUBSCRIPTS = "₁₂₃₄₅₆₇"


def noise_direction(size: int) -> np.ndarray:
    """A fixed random ``size x size`` direction of length 1 (seeded: the same every run)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"size must be a whole number from 1 to {MAX_SIZE}; got {size!r}")
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be a whole number from 1 to {MAX_SIZE}; got {size!r}")
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


def _grey(image, size: int = IMAGE_SIZE) -> np.ndarray:
    """The grey picture to filter: a grey ``image`` as it is, an RGB one made grey.

    ``image`` as :func:`convtutor.widgets._photo.picture` takes it (an array ``(H, W)``,
    ``(3, H, W)`` or ``(H, W, 3)``, a path, bytes, a file; default the sample photo).
    """
    arr = _picture(image, size)
    return arr[0] if arr.shape[0] == 1 else data.to_gray(arr)


def _configs() -> list:
    """Every kernel the menu and sliders can give before noise: (name, size, sigma)."""
    out = [(name, 3, None) for name in NAMED]
    out += [("Gaussian", size, sigma) for size in SIZES for sigma in SIGMAS]
    return out


def _tables(grey: np.ndarray) -> dict:
    """Everything the page needs, computed with convtutor for every slider value."""
    configs = _configs()
    n, steps = len(configs), len(PERTURBS)
    noises = np.zeros((len(SIZES), MAX_SIZE, MAX_SIZE))
    noise_maps = {}
    for s, k in enumerate(SIZES):
        noises[s, :k, :k] = noise_direction(k)
        noise_maps[k] = filter2d(grey, noise_direction(k), padding=k // 2)
    base = np.zeros((n, MAX_SIZE, MAX_SIZE))
    product = np.zeros((n, steps, MAX_SIZE, MAX_SIZE))
    pairs = np.zeros((n, steps, 2, MAX_SIZE))
    singular = np.zeros((n, steps, MAX_SIZE))
    scalars = np.zeros((n, steps, 4))  # rank, ||K - K1||, ||K - K1|| / ||K||, max difference
    top = max(1.0, float(np.max(np.abs(grey))))
    meta_configs = []
    for c, (name, size, sigma) in enumerate(configs):
        _, b = chosen_kernel(name, size, sigma if sigma is not None else 1.0, 0.0)
        k = b.shape[0]
        pad = k // 2
        norm = float(np.linalg.norm(b))
        base[c, :k, :k] = b
        direct_base = filter2d(grey, b, padding=pad)
        for ti, t in enumerate(PERTURBS):
            kernel, _ = chosen_kernel(name, size, sigma if sigma is not None else 1.0, t)
            column, row, rank = factors(kernel)
            outer = np.outer(column, row)
            product[c, ti, :k, :k] = outer
            pairs[c, ti, 0, :k], pairs[c, ti, 1, :k] = column, row
            singular[c, ti, :k] = singular_values(kernel)
            error = float(np.linalg.norm(kernel - low_rank_approximation(kernel, 1)))
            # The 2-D filter is linear in its kernel: filter2d(base + t n) = f(base) + t f(n).
            direct = direct_base if t == 0 else direct_base + (t * norm) * noise_maps[k]
            passes = separable_filter2d(grey, column, row, padding=pad)
            difference = float(np.max(np.abs(direct - passes)))
            scalars[c, ti] = rank, error, error / float(np.linalg.norm(kernel)), difference
        if b.min() >= 0 or abs(b.sum() - 1) < 1e-9:  # a blur or a sharpen: still a picture
            kind, lo, hi = "grey", 0.0, top
        else:  # an edge detector: signed, 0 is white
            lim = 0.25 * float(np.abs(b).sum()) * top
            kind, lo, hi = "signed", -lim, lim
        # The difference picture's scale: the largest difference any perturb gives for
        # this kernel (so it grows with perturb); the results' span / 10 if that is 0.
        largest = float(scalars[c, :, 3].max())
        diff = largest if largest > 1e-12 else (hi - lo) / 10
        meta_configs.append(
            {"size": k, "norm": norm, "kind": kind, "lo": lo, "hi": hi, "diff": diff}
        )
    return {
        "arrays": {
            "grey": grey,
            "base": base,
            "noise": noises,
            "product": product,
            "factors": pairs,
            "singular": singular,
            "scalars": scalars,
        },
        "configs": meta_configs,
        "top": top,
    }


@functools.lru_cache(maxsize=2)
def _cached_tables(shape: tuple, raw: bytes) -> dict:
    grey = np.frombuffer(raw, dtype=np.float64).reshape(shape)

    def compute() -> dict:  # as arrays only, for the per-machine cache
        tables = _tables(grey)
        meta = json.dumps({"configs": tables["configs"], "top": tables["top"]})
        return {**{f"array_{k}": v for k, v in tables["arrays"].items()}, "meta": np.array(meta)}

    stored = cached("sobel-tables", {"grey": grey}, compute, kind="arrays")
    arrays = {k.removeprefix("array_"): v for k, v in stored.items() if k.startswith("array_")}
    return {"arrays": arrays, **json.loads(str(stored["meta"]))}


def _tables_for(grey: np.ndarray) -> dict:
    """:func:`_tables`, kept for the last two pictures (a notebook builds one widget often)."""
    grey = np.ascontiguousarray(grey, dtype=np.float64)
    return _cached_tables(grey.shape, grey.tobytes())


class SobelSeparability(Widget):
    """A kernel as column x row; the 2-D filter versus two 1-D passes; noise breaks it.

    Parameters
    ----------
    kernel : str, default "Sobel x"
        The first kernel shown, one of :data:`KERNEL_CHOICES`.
    image : array_like of shape (H, W) or (3, H, W), optional
        The picture to filter (an RGB one is made grey). Default: the sample photo,
        96 x 96, in grey. The page gets it as float32 and makes 49 shifted copies of
        it (49 x H x W float32: 1.8 MB at 96 x 96), so keep it small.

    Controls
    --------
    kernel : a name from :data:`KERNEL_CHOICES`
    size, sigma : the Gaussian's size (3, 5, 7) and sigma (0.5 to 3); used when
        ``kernel`` is "Gaussian"
    perturb : noise added to the kernel, as a fraction of its size (0 to 0.5)

    Methods ``result_2d()`` and ``result_passes()`` give convtutor's own (float64)
    pictures for the current state; :attr:`kernel` is the kernel in use.
    """

    PHOTO = True
    CAPTION = (
        "Try: with Sobel x the two pictures agree (difference 0). Pick the Laplacian: it is "
        "not a column times a row. Back on Sobel x, raise 'perturb': σ₂ grows from 0 and "
        "the two passes drift away from the 2-D filter."
    )
    #: Every word the page shows, written once (``meta["text"]``): Python's :meth:`view`
    #: and the module fill the same templates.
    TEXT = {
        # the tables
        "kernel_title": "kernel K ({k}×{k})",
        "column_title": "column",
        "column_title_best": "best\ncolumn",
        "row_title": "row",
        "row_title_best": "best row",
        "product_title": "column × row = kernel",
        "product_title_best": "column × row ≈ kernel\n(the rank-1 approximation)",
        "residual_title": "kernel − column × row",
        "singular_title": "singular values of K\nrank {rank} = how many are not 0",
        # the pictures
        "grey_key": "black {lo} → white {hi}",
        "signed_key": "blue < 0 < red, ±{limit}",
        "photo_title": "the photo, in grey\n{key}",
        "direct_title": "2-D filter, {n} multiplies\n{key}",
        "passes_title": "two 1-D passes, {n} multiplies\n{key}",
        "passes_title_best": "two passes: rank-1 part only\n{key}",
        "difference_title": "2-D − two passes\n{key}",
        # the texts under the pictures
        "verdict_separable": (
            "Separable (rank 1): the kernel is exactly column × row, so two 1-D passes give "
            "the 2-D filter's picture."
        ),
        "verdict_not_separable": "Not separable (rank {rank}): no column × row equals this kernel.",
        "error": (
            "The closest column × row (the rank-1 approximation) is off by "
            "‖K − column × row‖ = {error}, {percent} % of ‖K‖."
        ),
        "difference_zero": "The two pictures are identical: max |2-D − two passes| = 0.",
        "difference_rounding": (
            "The two pictures agree: max |2-D − two passes| = {difference}, which is 0 up to "
            "rounding."
        ),
        "difference": "The two pictures differ: max |2-D − two passes| = {difference}.",
        "cost": (
            "Multiplies per pixel: 2-D filter {k}² = {square}; two 1-D passes {k} + {k} = {passes}."
        ),
        "cost_exact": "Exact with passes: {rank} column-row pairs, {rank} × {passes} = {pairs}.",
    }

    def __init__(self, kernel: str = "Sobel x", image=None):
        if kernel not in KERNEL_CHOICES:
            raise ValueError(
                f"kernel must be one of {', '.join(map(repr, KERNEL_CHOICES))}; got {kernel!r}"
            )
        controls = [
            {"name": "kernel", "label": "kernel", "kind": "select",
             "options": list(KERNEL_CHOICES), "row": 0},
            {"name": "perturb", "label": "perturb (noise)", "kind": "range", "min": 0.0,
             "max": PERTURBS[-1], "step": PERTURB_STEP, "digits": 3, "row": 0,
             "labels": [f"{format_number(100 * t, 1)} %" for t in PERTURBS]},
            {"name": "size", "label": "Gaussian size", "kind": "range", "min": SIZES[0],
             "max": SIZES[-1], "step": 2, "row": 1, "labels": [f"{k}×{k}" for k in SIZES]},
            {"name": "sigma", "label": "Gaussian sigma", "kind": "range", "min": SIGMAS[0],
             "max": SIGMAS[-1], "step": 0.25, "digits": 2, "unit": "px", "row": 1},
        ]  # fmt: skip
        super().__init__(
            controls=controls,
            state={"kernel": kernel, "perturb": 0.0, "size": 5, "sigma": 1.0},
            **self._build(image, IMAGE_SIZE),
        )

    def _build(self, image, size: int) -> dict:
        """Everything that depends on the picture (see :meth:`Widget._build`)."""
        # the grey picture being filtered, float64 as given: kept as ``self.image``
        grey = _grey(image, size)
        tables = _tables_for(grey)
        lut_names = {"lut_diverging": "RdBu_r", "lut_grey": "gray", "lut_singular": "Oranges"}
        # The photo filtered with each 7x7 one-hot kernel: the photo shifted, zeros
        # outside. The page shifts the grey photo itself: 49 copies are not shipped.
        derived = {"shifts": shifted("grey", MAX_SIZE)}
        # ``self._shifts``: those shifts as Python paints from them (float64 of float32)
        shifts = derive(derived["shifts"], {"grey": grey.astype(np.float32)})
        return {
            "arrays": {**tables["arrays"], **{key: lut(name) for key, name in lut_names.items()}},
            "derived": derived,
            "attributes": {"image": grey, "_shifts": shifts.astype(np.float64)},
            "meta": {
                "configs": tables["configs"],
                "named": list(NAMED),
                "sizes": list(SIZES),
                "sigma": {"min": SIGMAS[0], "step": 0.25, "count": len(SIGMAS)},
                "perturb": {"min": 0.0, "step": PERTURB_STEP, "count": len(PERTURBS)},
                "window": MAX_SIZE,
                "top": tables["top"],
            },
        }

    # ---- convtutor's own results for the current state ------------------------------
    @property
    def kernel(self) -> np.ndarray:
        """The kernel in use (after noise), float64, as :func:`chosen_kernel` gives it."""
        s = self.values
        return chosen_kernel(s["kernel"], s["size"], s["sigma"], s["perturb"])[0]

    def result_2d(self) -> np.ndarray:
        """``ct.filter2d(image, kernel, padding=k // 2)``: the 2-D filter's picture."""
        k = self.kernel
        return filter2d(self.image, k, padding=k.shape[0] // 2)

    def result_passes(self) -> np.ndarray:
        """``ct.separable_filter2d`` with :func:`factors` of the kernel: the two passes."""
        k = self.kernel
        column, row, _ = factors(k)
        return separable_filter2d(self.image, column, row, padding=k.shape[0] // 2)

    # ---- what the page computes (mirror of the module) ------------------------------
    def config_index(self, state: dict | None = None) -> int:
        """Which kernel before noise ``state`` shows: its row in the shipped tables."""
        s = self.values if state is None else state
        meta = self.meta
        if s["kernel"] != "Gaussian":
            return meta["named"].index(s["kernel"])
        size = meta["sizes"].index(s["size"])
        sigma = math.floor((s["sigma"] - meta["sigma"]["min"]) / meta["sigma"]["step"] + 0.5)
        return len(meta["named"]) + size * meta["sigma"]["count"] + sigma

    def shown(self, state: dict | None = None) -> dict:
        """The numbers the page paints for ``state``, float64 as the page computes them."""
        s = self.values if state is None else state
        meta, d = self.meta, self.data
        c = self.config_index(s)
        cfg = meta["configs"][c]
        k = cfg["size"]
        ti = math.floor((s["perturb"] - meta["perturb"]["min"]) / meta["perturb"]["step"] + 0.5)
        t = s["perturb"]
        b = d["base"][c, :k, :k].astype(np.float64)
        n = d["noise"][meta["sizes"].index(k), :k, :k].astype(np.float64)
        kernel = b + (t * cfg["norm"]) * n
        product = d["product"][c, ti, :k, :k].astype(np.float64)
        rank, error, relative, difference = d["scalars"][c, ti].astype(np.float64)
        window = meta["window"]
        offset = window // 2 - k // 2  # kernel entry (i, j) -> shift (i + offset, j + offset)
        direct = np.zeros(self._shifts.shape[1:])
        passes = np.zeros(self._shifts.shape[1:])
        for i in range(k):
            for j in range(k):
                shift = self._shifts[(i + offset) * window + (j + offset)]
                direct = direct + kernel[i, j] * shift
                passes = passes + product[i, j] * shift
        return {
            "config": c,
            "step": ti,
            "size": k,
            "kernel": kernel,
            "column": d["factors"][c, ti, 0, :k].astype(np.float64),
            "row": d["factors"][c, ti, 1, :k].astype(np.float64),
            "product": product,
            "residual": kernel - product,
            "singular": d["singular"][c, ti, :k].astype(np.float64),
            "rank": int(round(rank)),
            "error": float(error),
            "relative": float(relative),
            "difference": float(difference),
            "direct": direct,
            "passes": passes,
            "picture_difference": direct - passes,
        }

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta, d = self.meta, self.data
        v = self.shown(s)
        cfg = meta["configs"][v["config"]]
        k, rank = v["size"], v["rank"]
        separable = rank == 1
        best = "" if separable else "_best"  # the titles' form for a rank-1 approximation
        num = format_count
        diverging, grey = d["lut_diverging"], d["lut_grey"]
        limit = symmetric_limit(v["kernel"])
        singular_cells = table_cells(v["singular"][None], 0.0, v["singular"][0], d["lut_singular"])
        for i, cell in enumerate(singular_cells[0]):
            cell["text"] = format_significant(v["singular"][i], 3) if i < rank else "0"
            cell["em"] = i < rank
        labels = [
            {"text": f"σ{SUBSCRIPTS[i]}", "bg": "#ffffff", "fg": "#000000", "em": False}
            for i in range(k)
        ]
        column_limit = symmetric_limit(v["column"])
        row_limit = symmetric_limit(v["row"])
        panels = [
            {"name": "kernel", "kind": "table", "row": 0, "title": _say("kernel_title", k=num(k)),
             "cells": table_cells(v["kernel"], -limit, limit, diverging)},
            {"name": "column", "kind": "table", "row": 0, "title": _say("column_title" + best),
             "cells": table_cells(v["column"][:, None], -column_limit, column_limit, diverging)},
            {"name": "row", "kind": "table", "row": 0, "title": _say("row_title" + best),
             "cells": table_cells(v["row"][None], -row_limit, row_limit, diverging)},
            {"name": "product", "kind": "table", "row": 1, "title": _say("product_title" + best),
             "cells": table_cells(v["product"], -limit, limit, diverging)},
            {"name": "residual", "kind": "table", "row": 1, "title": _say("residual_title"),
             "cells": table_cells(v["residual"], -limit, limit, diverging)},
            {"name": "singular", "kind": "table", "row": 1,
             "title": _say("singular_title", rank=num(rank)),
             "cells": [labels, singular_cells[0]]},
        ]  # fmt: skip
        h, w = v["direct"].shape
        lo, hi = cfg["lo"], cfg["hi"]
        if cfg["kind"] == "grey":
            table, key = grey, _say("grey_key", lo=format_number(lo), hi=format_number(hi))
        else:
            table, key = diverging, _say("signed_key", limit=format_number(hi))
        photo = self._shifts[CENTRE]
        top = meta["top"]
        photo_key = _say("grey_key", lo=format_number(0), hi=format_number(top))
        difference_key = _say("signed_key", limit=format_significant(cfg["diff"], 3))
        pictures = [
            ("photo", _say("photo_title", key=photo_key), map_values(photo, 0.0, top, grey)),
            ("direct", _say("direct_title", n=num(k * k), key=key),
             map_values(v["direct"], lo, hi, table)),
            ("passes", _say("passes_title" + best, n=num(2 * k), key=key),
             map_values(v["passes"], lo, hi, table)),
            ("difference", _say("difference_title", key=difference_key),
             map_values(v["picture_difference"], -cfg["diff"], cfg["diff"], diverging)),
        ]  # fmt: skip
        for name, title, rgba in pictures:
            panels.append(
                {"name": name, "row": 2, "title": title, "rgba": rgba, "width": w, "height": h,
                 "scale": 2}
            )  # fmt: skip
        return {"panels": panels, "texts": self.texts(v)}

    @staticmethod
    def texts(v: dict) -> dict:
        """The lines under the pictures (mirror of the module's ``texts``)."""
        k, rank = v["size"], v["rank"]
        num = format_count
        if rank == 1:
            verdict, error = _say("verdict_separable"), ""
        else:
            verdict = _say("verdict_not_separable", rank=num(rank))
            error = _say(
                "error",
                error=format_significant(v["error"], 3),
                percent=format_number(100 * v["relative"], 1),
            )
        d = v["difference"]
        if d == 0:
            difference = _say("difference_zero")
        elif d < 1e-12:
            difference = _say("difference_rounding", difference=format_significant(d, 2))
        else:
            difference = _say("difference", difference=format_significant(d, 3))
        cost = _say("cost", k=num(k), square=num(k * k), passes=num(2 * k))
        if rank > 1:
            exact = _say("cost_exact", rank=num(rank), passes=num(2 * k), pairs=num(2 * rank * k))
            cost = f"{cost} {exact}"
        return {"verdict": verdict, "error": error, "difference": difference, "cost": cost}


def _say(entry: str, /, **slots: str) -> str:
    """``SobelSeparability.TEXT[entry]`` filled with ``slots`` (the module's ``say``)."""
    return fill_template(SobelSeparability.TEXT[entry], **slots)
