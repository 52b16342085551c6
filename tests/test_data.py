"""convtutor.data: the sample photo and load_image, the student's own picture."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
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
        ("int32", ["mode 'I'", "does not read", "8-bit PNG or JPEG"]),
        ("float", ["mode 'F'", "from -2 to 3", "[0, 1]"]),
        ("lab", ["mode 'LAB'", "does not read"]),
    ],
)
def test_bad_files_raise_a_value_error_that_says_what_is_wrong(source, words):
    """An unreadable, too large or unusual file raises a ValueError saying what is wrong."""
    if source == "truncated":
        source = _png(Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 77))[:-40]
    elif source == "bomb":
        source = _png(Image.new("1", (8000, 6000)))  # 48 megapixels in a small file
    elif source == "int32":  # 32-bit integers (a TIFF): no fixed full scale
        source = _png(Image.new("I", (20, 20), 70000), "TIFF")
    elif source == "float":
        values = np.linspace(-2, 3, 400, dtype=np.float32).reshape(20, 20)
        source = _png(Image.fromarray(values), "TIFF")
    elif source == "lab":
        source = _png(Image.new("LAB", (20, 20)), "TIFF")
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
        ({"source": 3}, TypeError, ["source must be a path, bytes, a binary file object", "3"]),
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


# ---- every family of picture file, systematically ---------------------------------------
def _photo_like(width: int = 50, height: int = 40, seed: int = 0) -> np.ndarray:
    """A random 8-bit RGB picture, (height, width, 3)."""
    return (np.random.default_rng(seed).random((height, width, 3)) * 255).astype(np.uint8)


FORMATS = ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "PPM", "TGA"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_cut_short_anywhere_is_refused_or_read_whole(fmt):
    """Every prefix of a file (each of the first 400 bytes, then every 23rd): a ValueError
    that names the source, or (when only padding or an end marker is missing) exactly
    the whole picture. Never a raw OSError/SyntaxError from Pillow, never a wrong picture."""
    data = _png(Image.fromarray(_photo_like()), fmt)
    whole = load_image(data, size=16)
    cuts = sorted({*range(1, min(400, len(data))), *range(400, len(data), 23)})
    refused = 0
    for n in cuts:
        try:
            got = load_image(data[:n], size=16)
        except ValueError as exc:
            message = str(exc)
            assert message.startswith("source: the image data "), (n, message)
            # BMP and TGA have no signature Pillow can tell from fewer than 18 bytes
            assert "damaged or cut short" in message or n < 18, (n, message)
            refused += 1
        else:
            np.testing.assert_array_equal(got, whole, err_msg=f"cut at {n} of {len(data)}")
    assert refused >= 0.9 * len(cuts)


def test_a_jpeg_cut_short_in_its_header_says_so():
    """The case the issue found: the failure happens while Pillow opens the header."""
    data = _png(Image.fromarray(_photo_like()), "JPEG")
    for n in (2, 20, 100, 200):
        with pytest.raises(ValueError) as info:
            load_image(data[:n])
        assert "damaged or cut short" in str(info.value) and "header" in str(info.value)


def test_pillows_lenient_setting_does_not_let_a_cut_file_through():
    """A notebook may set ImageFile.LOAD_TRUNCATED_IMAGES (Pillow then pads with grey);
    load_image still refuses, and leaves the setting as it found it."""
    from PIL import ImageFile

    data = _png(Image.fromarray(_photo_like()), "JPEG")
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with pytest.raises(ValueError, match="damaged or cut short"):
            load_image(data[: len(data) // 2])
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def test_paths_of_every_kind(tmp_path):
    """Missing, a folder, an empty file, not a picture: a ValueError naming the path.
    A picture with the wrong extension is still read (Pillow reads the content)."""
    png = _png(Image.fromarray(_photo_like()))
    (tmp_path / "photo.jpg").write_bytes(png)  # a PNG named .jpg
    np.testing.assert_array_equal(load_image(tmp_path / "photo.jpg"), load_image(png))
    (tmp_path / "notes.png").write_text("not a picture")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "folder.png").mkdir()
    cases = [
        ("missing.png", ["no image file at", "missing.png"]),
        ("folder.png", ["is a folder, not an image file", "folder.png"]),
        ("empty.png", ["'empty.png' is empty (0 bytes)"]),
        ("notes.png", ["'notes.png' is not an image", "13 bytes"]),
    ]
    for name, words in cases:
        for source in (tmp_path / name, str(tmp_path / name)):
            with pytest.raises(ValueError) as info:
                load_image(source)
            for word in words:
                assert word in str(info.value)


def test_an_unreadable_file_says_so(tmp_path, monkeypatch):
    """No permission to read it (or any other failure of the operating system)."""
    path = tmp_path / "secret.png"
    path.write_bytes(_png(Image.fromarray(_photo_like())))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ct.data, "open", refuse, raising=False)
    with pytest.raises(ValueError, match=r"could not be read \(\[Errno 13\] Permission denied"):
        load_image(path)


def test_bytes_of_every_kind_and_file_objects(tmp_path):
    """bytes, bytearray, memoryview, a file open 'rb' and a BytesIO give one picture;
    a file open in text mode, closed, or open for writing only, says why."""
    data = _png(Image.fromarray(_photo_like()))
    want = load_image(data)
    for source in (bytearray(data), memoryview(data), io.BytesIO(data)):
        np.testing.assert_array_equal(load_image(source), want)
    released = memoryview(data)
    released.release()
    path = tmp_path / "mine.png"
    path.write_bytes(data)
    closed = open(path, "rb")  # noqa: SIM115 - closed on purpose
    closed.close()
    with open(path) as text, open(tmp_path / "out.png", "wb") as written:
        cases = [
            (io.BytesIO(b""), ValueError, ["is empty (0 bytes)"]),
            (io.BytesIO(data[:30]), ValueError, ["damaged or cut short"]),
            (text, TypeError, ["binary mode ('rb')", "str"]),
            (closed, ValueError, ["could not be read", "closed file"]),
            (written, ValueError, ["could not be read", "'rb'"]),
            (released, ValueError, ["memoryview could not be read"]),
            (np.zeros((3, 8, 8)), TypeError, ["source must be a path", "ndarray"]),
        ]
        for source, error, words in cases:
            with pytest.raises(error) as info:
                load_image(source)
            for word in words:
                assert word in str(info.value), (source, str(info.value))


def test_sixteen_bit_grey_is_read_to_its_full_scale():
    """A 16-bit grey PNG (mode I;16, or I on older Pillow): value / 65535, three channels."""
    values = np.arange(400, dtype=np.uint16).reshape(20, 20) * 160
    picture = load_image(_png(Image.fromarray(values)), size=20)
    np.testing.assert_allclose(picture[0], values / 65535, atol=1e-7)
    np.testing.assert_array_equal(picture[0], picture[2])
    # big-endian 16-bit, as some TIFFs are
    big = Image.fromarray(values.astype(">u2"))
    np.testing.assert_allclose(load_image(big, size=20), picture, atol=1e-7)


def test_float_grey_in_0_1_is_taken_as_it_is():
    """A float grey picture in [0, 1] is taken as it is; one that is not all finite is refused."""
    values = np.linspace(0, 1, 400, dtype=np.float32).reshape(20, 20)
    picture = load_image(_png(Image.fromarray(values), "TIFF"), size=20)
    np.testing.assert_allclose(picture[1], values, atol=1e-7)
    nan = values.copy()
    nan[3, 3] = np.nan
    with pytest.raises(ValueError, match="not all finite"):
        load_image(Image.fromarray(nan))


def test_pil_images_are_read_like_files():
    """A PIL image (any mode load_image reads) gives what its PNG file gives."""
    for mode, colour in [("RGB", (9, 99, 199)), ("L", 77), ("P", 3), ("LA", (5, 0)),
                         ("RGBA", (1, 2, 3, 0)), ("1", 1), ("CMYK", (10, 20, 30, 40))]:  # fmt: skip
        img = Image.new(mode, (30, 20), colour)
        if mode == "P":
            img.putpalette([7 * i % 256 for i in range(768)])
        fmt = "JPEG" if mode == "CMYK" else "PNG"
        from_file = load_image(Image.open(io.BytesIO(_png(img, fmt))), size=10)
        np.testing.assert_array_equal(load_image(img if fmt == "PNG" else
                                                 Image.open(io.BytesIO(_png(img, fmt))),
                                                 size=10), from_file)  # fmt: skip
        assert from_file.shape == (3, 10, 10) and 0 <= from_file.min() <= from_file.max() <= 1
    lazy = Image.open(io.BytesIO(_png(Image.fromarray(_photo_like()), "PNG")[:3000]))
    with pytest.raises(ValueError, match="the PIL image is damaged or cut short"):
        load_image(lazy)
    with pytest.raises(ValueError, match="mode 'I'"):
        load_image(Image.new("I", (20, 20)))


def test_an_animation_gives_its_first_frame():
    """An animated GIF, PNG, WebP or TIFF gives its first frame."""
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    for fmt in ("GIF", "PNG", "WEBP", "TIFF"):
        buffer = io.BytesIO()
        frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:])
        picture = load_image(buffer.getvalue(), size=8)
        np.testing.assert_allclose(picture[:, 4, 4], [1, 0, 0], atol=0.02, err_msg=fmt)


def test_a_tiny_picture_is_enlarged_to_one_colour():
    """A one-pixel picture is enlarged to the requested size, all of its one colour."""
    picture = load_image(_png(Image.new("RGB", (1, 1), (255, 0, 51))), size=8)
    np.testing.assert_allclose(picture, np.array([1, 0, 0.2])[:, None, None] + np.zeros((3, 8, 8)))


def test_exif_orientation_turns_the_picture_upright():
    """A phone photo saved sideways with EXIF orientation 6 (turn 90° clockwise)."""
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 20, 20))  # the left half white
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif, quality=100)
    upright = load_image(buffer.getvalue(), size=8)
    # turned clockwise, the picture is 20 wide, 40 high, its top half white; the
    # centre square's top rows are white, its bottom rows black
    assert upright[:, 0].min() > 0.9 and upright[:, -1].max() < 0.1


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"]),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1,
             max_size=4),
)  # fmt: skip
def test_a_file_with_changed_bytes_is_refused_or_read_as_a_picture(fmt, changes):
    """Bytes changed anywhere (a bad disk, a bad download): a ValueError naming the source,
    or a picture of the right shape with every value finite and in [0, 1] (a JPEG has no
    checksum, so changed pixel data can still be read). Never a raw Pillow exception."""
    data = bytearray(_FILES[fmt])
    for where, value in changes:
        data[int(where * len(data))] = value
    try:
        picture = load_image(bytes(data), size=12)
    except ValueError as exc:
        assert str(exc).startswith("source: the image data "), str(exc)
        return
    assert picture.shape == (3, 12, 12) and np.isfinite(picture).all()
    assert 0 <= picture.min() and picture.max() <= 1


_FILES = {fmt: _png(Image.fromarray(_photo_like(seed=7)), fmt) for fmt in FORMATS}


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "WEBP"])
def test_every_exif_orientation_is_turned_as_pillow_turns_it(fmt):
    """Orientations 1-8 (and a value EXIF does not have): as ImageOps.exif_transpose."""
    from PIL import ImageOps

    img = Image.fromarray(_photo_like(30, 20, seed=3))
    for orientation in range(0, 10):
        exif = Image.Exif()
        exif[0x0112] = orientation
        buffer = io.BytesIO()
        img.save(buffer, fmt, exif=exif, lossless=True)
        data = buffer.getvalue()
        upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        want = load_image(_png(upright.convert("RGB")), size=20)
        np.testing.assert_array_equal(load_image(data, size=20), want, err_msg=str(orientation))
