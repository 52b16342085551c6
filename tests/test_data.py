"""convtutor.data: the sample photo and load_image, the student's own picture."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import convtutor as ct
from convtutor.data import MAX_PIXELS, load_image


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("mode", "colour"),
    [("RGB", (200, 100, 50)), ("RGBA", (200, 100, 50, 7)), ("L", 128), ("LA", (128, 3)),
     ("1", 1), ("CMYK", (0, 0, 0, 0))],
)  # fmt: skip
def test_every_mode_gives_three_channels_in_0_1(mode, colour):
    """Colour, grey, black-and-white, with or without alpha: (3, size, size) in [0, 1]."""
    picture = load_image(
        _png(Image.new(mode, (50, 30), colour), "JPEG" if mode == "CMYK" else "PNG"), size=12
    )
    assert picture.shape == (3, 12, 12) and picture.dtype == np.float64
    assert 0.0 <= picture.min() <= picture.max() <= 1.0


def test_grey_becomes_three_equal_channels_and_alpha_is_dropped():
    """A grey file gives three equal channels; transparency is dropped, the colour kept."""
    grey = load_image(_png(Image.new("L", (20, 20), 51)), size=8)
    np.testing.assert_array_equal(grey[0], grey[1])
    np.testing.assert_array_equal(grey[1], grey[2])
    np.testing.assert_allclose(grey, 0.2)
    clear = load_image(_png(Image.new("RGBA", (20, 20), (255, 0, 0, 0))), size=8)
    np.testing.assert_allclose(clear[:, 0, 0], [1.0, 0.0, 0.0])  # the colour, not the alpha


def test_centre_crop_keeps_the_middle_square():
    """A wide picture: left third black, middle white, right third black -> all white."""
    img = Image.new("L", (90, 30), 0)
    img.paste(255, (30, 0, 60, 30))
    np.testing.assert_allclose(load_image(_png(img), size=10), 1.0)


def test_palette_with_transparency_reads_its_colours():
    """A palette image with a transparent entry is read as its palette's colours."""
    img = Image.new("P", (16, 16), 0)
    img.putpalette([0, 0, 255] + [0] * 765)
    img.info["transparency"] = 0
    picture = load_image(_png(img), size=8)
    np.testing.assert_allclose(picture[:, 3, 3], [0.0, 0.0, 1.0])


def test_path_bytes_and_file_object_give_the_same_picture(tmp_path):
    """A path, its text, the file's bytes and an open file all give the same picture."""
    data = _png(Image.fromarray(np.arange(64 * 48, dtype=np.uint8).reshape(48, 64) % 251))
    path = tmp_path / "mine.png"
    path.write_bytes(data)
    by_path = load_image(path, size=16)
    by_str = load_image(str(path), size=16)
    by_bytes = load_image(data, size=16)
    with open(path, "rb") as f:
        by_file = load_image(f, size=16)
    for other in (by_str, by_bytes, by_file, load_image(io.BytesIO(data), size=16)):
        np.testing.assert_array_equal(by_path, other)


def test_the_sample_photo_round_trips():
    """The sample photo saved as PNG and loaded at its size is itself (to 8 bits)."""
    photo = ct.data.sample_image(32)
    png = _png(Image.fromarray(np.rint(photo.transpose(1, 2, 0) * 255).astype(np.uint8)))
    np.testing.assert_allclose(load_image(png, size=32), photo, atol=0.5 / 255 + 1e-12)


@given(st.integers(8, 80), st.integers(8, 80), st.integers(8, 40))
def test_any_size_gives_the_size_asked(width, height, size):
    """Any picture of any shape comes out (3, size, size)."""
    picture = load_image(_png(Image.new("RGB", (width, height), (1, 2, 3))), size=size)
    assert picture.shape == (3, size, size)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (b"", ["empty", "0 bytes"]),
        (b"this is a text file, not a picture", ["not an image", "PNG or JPEG"]),
        ("truncated", ["damaged or cut short", "truncated"]),
        ("bomb", ["decompression bomb", f"{MAX_PIXELS:,}"]),
        # Pillow 13 opens a 16-bit grey PNG as mode 'I;16', Pillow 9.2 (the floor) as 'I'
        ("sixteen", ["mode 'I", "8-bit PNG or JPEG"]),
        ("float", ["mode 'F'", "does not read"]),
    ],
)
def test_bad_files_raise_a_value_error_that_says_what_is_wrong(source, words):
    """An unreadable, too large or unusual file raises a ValueError saying what is wrong."""
    if source == "truncated":
        source = _png(Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 77))[:-40]
    elif source == "bomb":
        source = _png(Image.new("1", (8000, 6000)))  # 48 megapixels in a small file
    elif source == "sixteen":
        source = _png(Image.new("I;16", (20, 20)))
    elif source == "float":
        source = _png(Image.new("F", (20, 20)), "TIFF")
    with pytest.raises(ValueError) as info:
        load_image(source)
    for word in words:
        assert word in str(info.value)
    assert str(info.value).startswith("source: ")


def test_a_huge_claimed_size_is_refused_before_decoding():
    """A header that claims far more pixels than Pillow's own limit: refused, not decoded."""
    header = _png(Image.new("1", (10, 10)))
    big = bytearray(header)
    big[16:24] = (200_000).to_bytes(4, "big") + (200_000).to_bytes(4, "big")  # IHDR w, h
    big[29:33] = zlib.crc32(bytes(big[12:29])).to_bytes(4, "big")  # the chunk's CRC
    with pytest.raises(ValueError, match="decompression bomb"):
        load_image(bytes(big))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"source": 3}, TypeError, ["source must be a path, bytes or a binary file object", "3"]),
        ({"source": io.StringIO("x")}, TypeError, ["binary mode", "str"]),
        ({"source": "no/such/file.png"}, ValueError, ["no image file at", "no/such/file.png"]),
        ({"source": b"x", "size": 4}, ValueError, ["size must be from 8 to 512", "4"]),
        ({"source": b"x", "size": 2.5}, TypeError, ["size must be a whole number", "2.5"]),
    ],
)
def test_wrong_arguments_name_the_argument(kwargs, error, words):
    """A wrong argument raises an error that names it and what was given."""
    with pytest.raises(error) as info:
        load_image(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_sample_image_offline_photo():
    """sample_image is a (3, H, W) photo in [0, 1], >= 64 px a side, with real colour detail."""
    img = ct.data.sample_image()
    assert img.shape[0] == 3 and min(img.shape[1:]) >= 64
    assert img.dtype == np.float64 and 0 <= img.min() and img.max() <= 1
    assert img.std() > 0.1  # a photo, not a flat colour
    assert not np.allclose(img[0], img[2])  # the channels differ
    img[:] = 0  # a copy: changing it does not change the next call
    assert ct.data.sample_image().max() > 0


def test_synthetic_patterns_are_seeded():
    """Synthetic patterns are deterministic for a seed and have the documented shapes."""
    assert ct.data.stripes(32, angle=45).shape == (3, 32, 32)
    np.testing.assert_array_equal(ct.data.shapes(32, seed=3), ct.data.shapes(32, seed=3))
    assert not np.array_equal(ct.data.shapes(32, seed=3), ct.data.shapes(32, seed=4))
    board = ct.data.checkerboard(8, 2)
    assert set(np.unique(board)) == {0.0, 1.0}
