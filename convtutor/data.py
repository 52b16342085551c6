"""Images to filter: a real photograph and seeded synthetic patterns. Never a download.

* :func:`sample_image` -- the portrait of Grace Hopper that matplotlib ships in its
  sample data, as a ``(3, H, W)`` float array in ``[0, 1]``.
* :func:`load_image` -- your own picture (a path, bytes, a file object or a PIL
  image), made square and small, as the same ``(3, size, size)`` float array.
* :func:`stripes`, :func:`checkerboard`, :func:`shapes` -- patterns made here, with
  a seed, so the same call always gives the same picture.

All images are channels-first, ``(C, H, W)``, like PyTorch.
"""

from __future__ import annotations

import functools

import numpy as np

from . import _validate as v

__all__ = ["sample_image", "load_image", "stripes", "checkerboard", "shapes", "to_gray"]


@functools.lru_cache(maxsize=8)
def _photo(size: int) -> np.ndarray:
    # matplotlib and Pillow are imported here, not at module level: the core stays numpy-only.
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:  # 512 wide x 600 high, RGB
        img = Image.open(f).convert("RGB")
        img.load()
    w, h = img.size
    side = min(w, h)
    top = (h - side) // 4  # keep the face: crop nearer the top than the bottom
    img = img.crop((0, top, side, top + side))
    img = img.resize((size, size), Image.Resampling.BOX)
    arr = np.asarray(img, dtype=np.float64) / 255.0
    arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
    arr.setflags(write=False)
    return arr


def sample_image(size: int = 128) -> np.ndarray:
    """A real colour photograph, ``(3, size, size)``, values in ``[0, 1]``.

    The portrait of Grace Hopper from matplotlib's sample data (installed with
    matplotlib, so it works offline), cropped square and averaged down to
    ``size x size`` pixels.

    Parameters
    ----------
    size : int, default 128
        Side in pixels, from 16 to 512.

    Returns
    -------
    ndarray of shape (3, size, size), float64
        Channels red, green, blue. A fresh copy: change it freely.

    Examples
    --------
    >>> img = sample_image(64)
    >>> img.shape, float(img.min()) >= 0, float(img.max()) <= 1
    ((3, 64, 64), True, True)
    """
    size = v.positive_int(size, "size")
    if not 16 <= size <= 512:
        raise ValueError(f"size must be between 16 and 512 pixels; got {size}")
    return _photo(size).copy()


def to_gray(image) -> np.ndarray:
    """Luminance of an RGB image ``(3, H, W)`` -> ``(H, W)`` (ITU-R BT.601 weights).

    >>> import numpy as np
    >>> round(float(to_gray(np.ones((3, 2, 2)))[0, 0]), 12)
    1.0
    """
    arr = v.as_array(image, "image")
    if arr.ndim != 3 or arr.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W); got shape {arr.shape}")
    return np.tensordot([0.299, 0.587, 0.114], arr, axes=1)


def _grid(size: int):
    size = v.positive_int(size, "size")
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    return size, yy, xx


def stripes(size: int = 64, angle: float = 30.0, period: float = 8.0, *, channels: int = 3):
    """Soft stripes at an angle (degrees from vertical), ``(channels, size, size)`` in [0, 1].

    Each channel has the same stripes shifted by a third of a period, so colour and
    orientation both carry information.

    Examples
    --------
    >>> stripes(32, angle=0).shape
    (3, 32, 32)
    """
    size, yy, xx = _grid(size)
    if not period > 0:
        raise ValueError(f"period must be > 0 pixels; got {period!r}")
    channels = v.positive_int(channels, "channels")
    theta = np.deg2rad(float(angle))
    t = xx * np.cos(theta) + yy * np.sin(theta)
    phases = np.arange(channels) * 2 * np.pi / 3
    return 0.5 + 0.5 * np.sin(2 * np.pi * t[None] / period + phases[:, None, None])


def checkerboard(size: int = 64, square: int = 8, *, channels: int = 3) -> np.ndarray:
    """A black-and-white checkerboard, ``(channels, size, size)``, values 0 and 1.

    Examples
    --------
    >>> checkerboard(4, 2)[0]
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    size, yy, xx = _grid(size)
    square = v.positive_int(square, "square")
    channels = v.positive_int(channels, "channels")
    board = ((yy // square + xx // square) % 2 == 0).astype(np.float64)
    return np.repeat(board[None], channels, axis=0)


def shapes(size: int = 64, *, seed: int = 0, count: int = 4) -> np.ndarray:
    """Coloured discs and rectangles on a dark background, ``(3, size, size)`` in [0, 1].

    The same ``seed`` always gives the same picture.

    Examples
    --------
    >>> import numpy as np
    >>> np.array_equal(shapes(32, seed=1), shapes(32, seed=1))
    True
    """
    size, yy, xx = _grid(size)
    count = v.positive_int(count, "count")
    rng = np.random.default_rng(seed)
    img = np.full((3, size, size), 0.1)
    for _ in range(count):
        colour = rng.uniform(0.3, 1.0, size=3)
        cy, cx = rng.uniform(0.15, 0.85, size=2) * size
        r = rng.uniform(0.08, 0.22) * size
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
        else:
            mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= 0.6 * r)
        img[:, mask] = colour[:, None]
    return img


#: The largest picture :func:`load_image` opens, in pixels (about 40 megapixels: a
#: large phone photo is 12-50). Bigger files are refused before they are decoded, so
#: a small file that claims a huge size (a "decompression bomb") cannot fill memory.
MAX_PIXELS = 40_000_000

#: Pillow modes :func:`load_image` reads, and how it reads them. 8-bit modes become
#: RGB (Pillow's conversion; alpha dropped); 16-bit grey is divided by 65535; 32-bit
#: floating point is taken as it is and must lie in [0, 1].
_MODES = {
    "1": "black and white",
    "L": "grey",
    "LA": "grey with alpha",
    "P": "palette",
    "PA": "palette with alpha",
    "RGB": "colour",
    "RGBA": "colour with alpha",
    "RGBX": "colour",
    "CMYK": "CMYK colour",
    "YCbCr": "YCbCr colour",
    "I;16": "16-bit grey",
    "I;16L": "16-bit grey",
    "I;16B": "16-bit grey",
    "I;16N": "16-bit grey",
    "I": "16-bit grey (a PNG file only)",
    "F": "floating-point grey, values from 0 to 1",
}
_GREY_16 = ("I;16", "I;16L", "I;16B", "I;16N", "I")

#: How common picture files begin: a file that begins so but that Pillow cannot open
#: is a damaged picture, not some other kind of file.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"RIFF": "WebP",
}


def _looks_like(data: bytes) -> str | None:
    """The format whose signature ``data`` begins with (or, when shorter, begins)."""
    for signature, fmt in _SIGNATURES.items():
        if len(data) >= 2 and (data.startswith(signature) or signature.startswith(data)):
            if fmt != "WebP" or len(data) < 12 or data[8:12] == b"WEBP":
                return fmt
    return None


def _image_bytes(source) -> tuple[bytes, str]:
    """The bytes of ``source`` and a name for it in messages."""
    import os

    if isinstance(source, (bytes, bytearray, memoryview)):
        try:
            return bytes(source), "the image data"
        except (ValueError, TypeError) as exc:  # a released memoryview
            kind = type(source).__name__
            raise ValueError(f"source: the {kind} could not be read ({exc})") from None
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if os.path.isdir(path):
            raise ValueError(f"source: {path!r} is a folder, not an image file")
        if not os.path.isfile(path):
            raise ValueError(f"source: no image file at {path!r}")
        try:
            with open(path, "rb") as f:
                return f.read(), repr(os.path.basename(path))
        except OSError as exc:  # no permission, a device, ...
            raise ValueError(f"source: the file {path!r} could not be read ({exc})") from None
    if hasattr(source, "read"):
        import io

        name = repr(getattr(source, "name", "the file"))
        if isinstance(source, io.TextIOBase):
            raise TypeError(
                "source: a file object must be opened in binary mode ('rb'); "
                f"{name} is open in text mode, its read() gives str"
            )
        try:
            data = source.read()
        except (OSError, ValueError) as exc:  # closed, opened for writing only
            raise ValueError(
                f"source: the file object {name} could not be read ({exc}); "
                "give a file open for reading in binary mode ('rb')"
            ) from None
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(
                "source: a file object must be opened in binary mode ('rb'); "
                f"its read() gave {type(data).__name__}"
            )
        return bytes(data), name
    raise TypeError(
        "source must be a path, bytes, a binary file object or a PIL image; "
        f"got {type(source).__name__} {source!r:.60}"
    )


def _damaged(name: str, exc: BaseException, when: str, fmt: str | None = None) -> ValueError:
    kind = f"a {fmt} file" if fmt else "a picture"
    return ValueError(
        f"source: {name} is damaged or cut short (truncated): it is {kind}, but Pillow "
        f"failed {when} ({type(exc).__name__}: {exc})"
    )


def _open(source):
    """``source`` as a loaded Pillow image (its first frame), a name for messages and
    its EXIF orientation.

    Every way Pillow fails on the file ends here as a ``ValueError`` that says which.
    """
    import io
    import warnings

    from PIL import Image, ImageFile, UnidentifiedImageError

    if isinstance(source, Image.Image):
        img, name = source, "the PIL image"
    else:
        data, name = _image_bytes(source)
        if not data:
            raise ValueError(f"source: {name} is empty (0 bytes), not an image")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                img = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            fmt = _looks_like(data)
            if fmt:
                raise ValueError(
                    f"source: {name} begins like a {fmt} file but is damaged or cut short "
                    f"(truncated): Pillow could not read its header ({len(data):,} bytes)"
                ) from None
            raise ValueError(
                f"source: {name} is not an image Pillow can read ({len(data):,} bytes; "
                "try a PNG or JPEG file)"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValueError(
                f"source: {name} claims a size far larger than {MAX_PIXELS:,} pixels "
                "(a decompression bomb?); it was not opened"
            ) from None
        except MemoryError:
            raise
        except Exception as exc:  # Pillow's plugins fail in many ways on a broken header
            raise _damaged(name, exc, "while reading its header", _looks_like(data)) from None
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ValueError(
            f"source: {name} is {width}×{height} = {width * height:,} pixels, more than "
            f"the {MAX_PIXELS:,} this loader opens (a decompression bomb?); "
            "make it smaller first"
        )
    if width < 1 or height < 1:
        raise ValueError(f"source: {name} is {width}×{height} pixels: there is nothing in it")
    if img.mode not in _MODES or (img.mode == "I" and img.format != "PNG"):
        raise ValueError(
            f"source: {name} has image mode {img.mode!r}, which this loader does not read "
            f"(it reads {', '.join(f'{m} ({w})' for m, w in _MODES.items())}); "
            "save it as an 8-bit PNG or JPEG"
        )
    # A truncated file must fail, whatever a notebook set Pillow to do elsewhere.
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        early = _orientation(img)  # while the file is open: a TIFF reads it from there
        img.load()
        # After decoding, as ImageOps.exif_transpose reads it: a decoder that turned
        # the picture itself (newer Pillow, TIFF) has removed the tag by then. Older
        # Pillow cannot read a TIFF of several pages' tag once it is decoded.
        orientation = _orientation(img)
        orientation = early if orientation is None else orientation
    except MemoryError:
        raise
    except Exception as exc:  # "image file is truncated", broken data, ...
        raise _damaged(name, exc, "while decoding it", img.format) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    if orientation is None:
        raise ValueError(
            f"source: {name} has EXIF data (its orientation) Pillow cannot read; "
            "save the picture again without it"
        )
    return img, name, orientation


def _orientation(img):
    """The EXIF orientation of ``img`` (1, upright, when it has none), or None when
    Pillow cannot read its EXIF data."""
    try:
        return img.getexif().get(_ORIENTATION, 1)
    except MemoryError:
        raise
    except Exception:
        return None


#: The EXIF tag of a picture's orientation, and the turn that puts each value upright
#: (names of ``PIL.Image.Transpose``), as ``PIL.ImageOps.exif_transpose`` does.
_ORIENTATION = 0x0112
_UPRIGHT = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}


def _upright(img, orientation):
    """``img`` turned upright by its EXIF orientation (as phones save photos); an
    orientation that is not one of EXIF's eight values is taken as upright."""
    from PIL import Image

    turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return img.transpose(getattr(Image.Transpose, turn)) if turn else img


def load_image(source, size: int = 96) -> np.ndarray:
    """Your own picture as the widgets use it: ``(3, size, size)``, values in ``[0, 1]``.

    The picture is turned upright (by its EXIF orientation, as phones save it), cut to
    the largest square around its centre, and scaled to ``size x size`` pixels (each
    new pixel the average of the pixels it covers; a picture smaller than ``size`` is
    enlarged smoothly, bicubic). How its values become numbers in [0, 1]:

    * 8-bit pictures (colour, grey, palette, black and white, CMYK, with or without
      alpha): Pillow's conversion to RGB, divided by 255. Grey pictures become three
      equal channels; an alpha channel (transparency) is dropped;
    * 16-bit grey (mode ``I;16``; a 16-bit PNG): divided by 65535, three equal channels;
    * 32-bit floating point grey (mode ``F``, e.g. a TIFF): taken as it is; its values
      must lie in [0, 1];
    * an animation (GIF, WebP, PNG) or a file of several pages (TIFF): its first frame.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray, memoryview, binary file object or PIL image
        A PNG, JPEG, GIF, BMP, TIFF or WebP file (anything Pillow reads), by path, as
        bytes, or open in ``"rb"`` mode; or a ``PIL.Image.Image``.
    size : int, default 96
        Side in pixels, from 8 to 512.

    Returns
    -------
    ndarray of shape (3, size, size), float64

    Raises
    ------
    ValueError
        When the file is missing, a folder, empty, not an image, damaged or cut short
        (truncated) anywhere (its header included), larger than :data:`MAX_PIXELS` (a
        "decompression bomb"), of a mode this loader does not read (32-bit integer,
        LAB, ...), or floating point with values outside [0, 1]. The message says which.
    TypeError
        When ``source`` is none of the kinds above, or a file opened in text mode.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (40, 20), color=255).save(buffer, format="PNG")
    >>> picture = load_image(buffer.getvalue(), size=10)
    >>> picture.shape, float(picture.min()), float(picture.max())
    ((3, 10, 10), 1.0, 1.0)
    """
    import warnings

    from PIL import Image

    size = v.positive_int(size, "size")
    if not 8 <= size <= 512:
        raise ValueError(f"size must be from 8 to 512 pixels; got {size}")
    # Pillow warns about some broken files (a TIFF's "Truncated File Read") before it
    # fails or reads them whole; what happens then is said here, once.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        img, name, orientation = _open(source)
        img = _upright(img, orientation)
    side = min(img.size)
    left, top = (img.size[0] - side) // 2, (img.size[1] - side) // 2
    box = (left, top, left + side, top + side)
    resample = Image.Resampling.BOX if side >= size else Image.Resampling.BICUBIC
    if img.mode in _GREY_16 or img.mode == "F":
        values = np.asarray(img).astype(np.float64)
        if img.mode in _GREY_16:
            values /= 65535.0
        elif not np.isfinite(values).all() or values.min() < 0 or values.max() > 1:
            raise ValueError(
                f"source: {name} holds floating-point values (mode 'F') from "
                f"{np.nanmin(values):g} to {np.nanmax(values):g}, not all finite and in "
                "[0, 1]; save it as an 8-bit PNG or JPEG, or scale it to [0, 1] first"
            )
        grey = Image.fromarray(values.astype(np.float32)).crop(box)
        grey = np.asarray(grey.resize((size, size), resample), dtype=np.float64)
        arr = np.repeat(grey[np.newaxis], 3, axis=0)
        return np.ascontiguousarray(np.clip(arr, 0.0, 1.0))
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    img = img.convert("RGB")  # grey -> three equal channels; alpha dropped
    img = img.crop(box).resize((size, size), resample)
    arr = np.asarray(img, dtype=np.float64) / 255.0
    return np.ascontiguousarray(np.clip(arr, 0.0, 1.0).transpose(2, 0, 1))
