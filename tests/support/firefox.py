"""A second engine: Debian's ``firefox-esr``, headless, in its screenshot mode.

Playwright cannot drive Debian's Firefox (it needs its own patched build, which our
machines cannot download), so Firefox is only asked for a picture:

    firefox-esr --headless --no-remote --profile DIR --window-size=W,H \\
        --screenshot out.png file:///.../page.html

It loads the page, runs its scripts and writes what the window shows. The window is
made as tall as the page, so one screenshot holds every widget. Chromium reports where
each canvas is on the page (at the same width) and how it looks there; each canvas is
then found in Firefox's picture near that place (text wraps a little differently in
the two engines, so a canvas far down the page sits some pixels lower or higher) and
compared with Chromium's crop (:func:`compare_canvas`). Nothing here knows about pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Debian's Firefox ESR; CONVTUTOR_FIREFOX points elsewhere (e.g. to check the skip rule).
FIREFOX = Path(os.environ.get("CONVTUTOR_FIREFOX", "/usr/bin/firefox-esr"))

#: A pixel of Firefox's picture matches when each channel lies within TOLERANCE levels
#: of the range Chromium shows in the 3x3 neighbourhood of the same place. The canvases
#: hold the same numbers in both engines (the page computes them), and both scale them
#: up with nearest-neighbour (``image-rendering: pixelated``); but a canvas scaled by a
#: fraction (96 px shown at 144) or placed at a fractional x can put a boundary between
#: two canvas pixels one screen pixel apart in the two engines. The neighbourhood
#: absorbs that, the level tolerance absorbs colour rounding.
TOLERANCE = 8
#: At most this share of a canvas's pixels may miss. Measured 2026-12-06, firefox-esr
#: 153 against Chromium 156, every canvas of the edition (46): 0 % on all but one, 0.32 %
#: on one canvas of 04 in one of three runs. A blank Firefox picture misses 22 % or more
#: on every canvas of 02.
MAX_MISSING = 0.01


def firefox_problem() -> str | None:
    """Why Firefox cannot run here, or None when it can."""
    if not FIREFOX.exists():
        return f"{FIREFOX} is missing (install it with: sudo apt-get install firefox-esr)"
    return None


def screenshot(
    page: Path,
    out: Path,
    width: int,
    height: int,
    profile: Path | None = None,
    timeout: float = 120.0,
) -> Path:
    """Firefox's picture of ``page`` in a ``width`` x ``height`` window.

    ``profile``: a folder for Firefox's profile, reused from one call to the next (the
    first call fills it; later ones start about a second faster). Without it, a fresh
    temporary profile is made and removed.
    """
    own = profile is None
    if own:
        profile = Path(tempfile.mkdtemp(prefix="convtutor-firefox-"))
    try:
        env = dict(os.environ, MOZ_HEADLESS="1")
        result = subprocess.run(
            [
                str(FIREFOX),
                "--headless",
                "--no-remote",
                "--profile",
                str(profile),
                f"--window-size={width},{height}",
                "--screenshot",
                str(out),
                Path(page).resolve().as_uri(),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        if own:
            shutil.rmtree(profile, ignore_errors=True)
    if not out.exists():
        raise RuntimeError(
            f"firefox wrote no screenshot of {page} (exit {result.returncode}):\n"
            f"{result.stderr[-2000:]}"
        )
    return out


#: Chromium's page rectangles (page coordinates, CSS px) of every visible canvas of
#: every convtutor widget, in page order.
CANVAS_RECTS = """() => [...document.querySelectorAll('.ct-widget canvas')]
  .map((c) => { const r = c.getBoundingClientRect();
                return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })
  .filter(([x, y, w, h]) => w > 0 && h > 0)"""


@dataclass
class Match:
    """Where a canvas of Chromium's picture was found in Firefox's, and how well."""

    rect: tuple[int, int, int, int]  # Chromium: x, y, width, height
    shift: tuple[int, int]  # Firefox's place minus Chromium's (dx, dy)
    missing: float  # share of pixels beyond TOLERANCE of Chromium's neighbourhood
    colours: int  # distinct colours of Firefox's crop
    reference_colours: int  # distinct colours of Chromium's crop

    @property
    def blank(self) -> bool:
        """Firefox shows one flat colour where Chromium shows a picture."""
        return self.colours <= 1 < self.reference_colours


def _missing(crop: np.ndarray, reference: np.ndarray) -> float:
    """Share of ``crop``'s pixels beyond TOLERANCE of ``reference``'s 3x3 range."""
    padded = np.pad(reference, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = reference.shape[:2]
    views = [padded[i : i + h, j : j + w] for i in range(3) for j in range(3)]
    lo, hi = np.min(views, axis=0), np.max(views, axis=0)
    out = np.maximum(lo - crop, 0) + np.maximum(crop - hi, 0)
    return float((out.max(axis=2) > TOLERANCE).mean())


def compare_canvas(
    firefox: np.ndarray,
    chromium: np.ndarray,
    rect,
    drift: int = 0,
    reach: int = 60,
    side: int = 3,
) -> Match:
    """Find Chromium's canvas at ``rect`` in Firefox's picture, near ``drift`` px lower.

    Both pictures are int16 arrays (rows, columns, RGB) of the whole page at the same
    width. The search tries every vertical shift within ``reach`` of ``drift`` and every
    horizontal one within ``side`` near the best row, on every third pixel, then every
    pixel around the best; it keeps the place with the fewest missing pixels.
    """
    x, y = round(rect[0]), round(rect[1])
    w, h = max(1, int(rect[2])), max(1, int(rect[3]))
    reference = chromium[y : y + h, x : x + w]
    h, w = reference.shape[:2]
    coarse = reference[::3, ::3]

    def distance(dx: int, dy: int) -> float | None:
        top, left = y + dy, x + dx
        crop = firefox[top : top + h : 3, left : left + w : 3]
        if top < 0 or left < 0 or crop.shape != coarse.shape:
            return None
        return float(np.abs(crop - coarse).mean())

    # Rows first (on every third pixel, no sideways shift), then sideways near the best.
    rows = [(distance(0, dy), 0, dy) for dy in range(drift - reach, drift + reach + 1)]
    rows = [r for r in rows if r[0] is not None]
    best = min(rows) if rows else None
    if best is not None:
        near = [
            (distance(dx, dy), dx, dy)
            for dy in range(best[2] - 2, best[2] + 3)
            for dx in range(-side, side + 1)
        ]
        best = min([n for n in near if n[0] is not None] + [best])
    if best is None:
        return Match((x, y, w, h), (0, drift), 1.0, 0, len(_colours(reference)))
    # Exactly: at the best place, and at its eight neighbours if that one misses some.
    places = [(best[1], best[2])]
    places += [(best[1] + i, best[2] + j) for j in (-1, 0, 1) for i in (-1, 0, 1) if i or j]
    found = None
    for dx, dy in places:
        top, left = y + dy, x + dx
        crop = firefox[top : top + h, left : left + w]
        if top < 0 or left < 0 or crop.shape != reference.shape:
            continue
        missing = _missing(crop, reference)
        if found is None or missing < found[0]:
            found = (missing, dx, dy, crop)
        if missing == 0:
            break
    missing, dx, dy, crop = found
    return Match((x, y, w, h), (dx, dy), missing, len(_colours(crop)), len(_colours(reference)))


def _colours(crop: np.ndarray) -> np.ndarray:
    rgb = crop.reshape(-1, 3).astype(np.int32)
    return np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])


def compare_page(firefox: np.ndarray, chromium: np.ndarray, rects) -> list[Match]:
    """:func:`compare_canvas` for every rectangle, top to bottom; each search starts
    from the shift found for the canvas above (the drift grows down the page)."""
    matches, drift = [], 0
    for rect in sorted(rects, key=lambda r: (round(r[1]), r[0])):
        match = compare_canvas(firefox, chromium, rect, drift)
        if match.missing > MAX_MISSING:  # far off? look further
            wider = compare_canvas(firefox, chromium, rect, drift, reach=250)
            match = min(match, wider, key=lambda m: m.missing)
        if match.missing <= MAX_MISSING:
            drift = match.shift[1]
        matches.append(match)
    return matches
