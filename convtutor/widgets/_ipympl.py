"""The canvas the widgets use under ``%matplotlib widget`` (ipympl).

It is ipympl's own :class:`~ipympl.backend_nbagg.Canvas` with four changes, each for
a measured reason (``benchmarks/results/browser.md``):

1. **A frame is pushed, not requested.** ipympl's ``draw_idle()`` only tells the page
   "please ask me for a drawing"; the page then asks and the kernel draws. That is a
   second kernel <-> browser round trip on every slider move. :meth:`LiveCanvas.push`
   draws and sends the frame at once, but only after the page has said it is ready
   (ipympl's ``"initialized"`` message); before that, and with no page at all (a
   notebook run by nbclient), it falls back to ``draw_idle()``.
2. **Frames are encoded by :func:`encode_png`**: no per-row filter search and zlib
   level 1, where Pillow (ipympl's encoder) tries every filter on every row and uses
   level 6. A frame is encoded 2-4 times faster (measured per widget in the report);
   it may come out larger, which costs little over a local connection.
3. **The canvas knows its size before it is shown.** The page sizes a figure from the
   canvas's ``_size``. ipympl sets it before display only for a bare canvas; in a box
   (as here) it comes in a later message, which can arrive after the page has sized
   the canvas: the figure then stays 0 x 0 px, blank for good (about one page load in
   eight in our measurements). Setting ``_size`` at creation closes that race.
4. **Every frame is a full frame**, never a diff: see :meth:`LiveCanvas.get_diff_image`.
   With diffs, a frame the page dropped left a wrong picture (the browser tests caught
   one about once in five runs, after a preset change).

Figures made here are not registered with pyplot: a class that re-runs a cell 20 times
gets no "More than 20 figures have been opened" warning, and ``plt.show()`` never shows a
widget's figure a second time.
"""

from __future__ import annotations

import itertools
import struct
import zlib

import numpy as np
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

#: zlib level for the PNG frames (Pillow's default is 6).
PNG_COMPRESS_LEVEL = 1

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_numbers = itertools.count(1)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(kind))
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def encode_png(rgba: np.ndarray, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An 8-bit RGBA image, shape ``(height, width, 4)``, as PNG bytes.

    Every row uses PNG filter 0 ("none"); the rows are deflated at zlib ``level``.
    Any PNG reader gives back exactly ``rgba``.

    >>> import io, numpy as np
    >>> from PIL import Image
    >>> rgba = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    >>> np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(rgba)))), rgba)
    True
    """
    rgba = np.asarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(
            "rgba must be a uint8 array of shape (height, width, 4); "
            f"got {rgba.dtype} of shape {rgba.shape}"
        )
    height, width, _ = rgba.shape
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none"
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join(
        [
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
            _png_chunk(b"IEND", b""),
        ]
    )


class LiveCanvas(Canvas):
    """ipympl's canvas, with :meth:`push` and faster frame encoding."""

    def push(self) -> None:
        """Show the figure as it stands now, as fast as ipympl allows.

        With a page attached: draw and send the frame now. Without one (yet): ask for
        a draw the usual way, which costs nothing until a page asks for the drawing.
        """
        if self.syncing_data_url:  # no page has said "initialized": nobody to send to
            self.draw_idle()
        else:
            self.draw()

    def get_diff_image(self):
        # Unlike matplotlib's FigureCanvasWebAggCore.get_diff_image, every frame is a
        # full frame. A diff frame (the changed pixels only) is laid over the page's
        # last frame, so it is right only if the page painted every frame before it.
        # ipympl's page loads each frame into one <img>; a frame that arrives while the
        # one before is still loading replaces it, and that one is never painted. With
        # pushed frames, which can follow each other closely, that happens, and diffs
        # then leave a wrong picture behind; a full frame is right whatever was
        # dropped before it.
        if not self._png_is_old:
            return None
        pixels = np.asarray(self.get_renderer().buffer_rgba())
        self.set_image_mode("full")
        # ipympl reads the last frame from here for its static copy (``_data_url``).
        self._last_buff = pixels.view(np.uint32).squeeze(2).copy()
        self._force_full = False
        self._png_is_old = False
        return encode_png(pixels)


def live_figure(figsize, **kwargs) -> Figure:
    """A new figure on a :class:`LiveCanvas`, sized and managed like ipympl's own."""
    fig = Figure(figsize=figsize, **kwargs)
    canvas = LiveCanvas(fig)
    FigureManager(canvas, next(_numbers))
    width, height = fig.bbox.size / canvas.device_pixel_ratio
    canvas._size = (float(width), float(height))
    return fig
