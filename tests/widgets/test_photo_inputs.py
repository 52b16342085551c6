"""Every picture a photo widget can be given: a correct picture, or a clear error.

A photo widget takes a picture three ways: ``image=`` when it is built, ``use_image``
from code, and the "your own photo" upload (the page sends the file's bytes). Each family
of input is tried on each way: numbers (every dtype, shape and kind of value; views,
masked arrays, lists, tensors) and files (paths, bytes, file objects, PIL images, broken
files). The decision for each family is :func:`convtutor._validate.picture`'s and
:func:`convtutor.data.load_image`'s: converted as documented, or a ``ValueError`` /
``TypeError`` that names ``image``, what was expected and what was given. A refused
picture leaves the widget as it was; an upload says why on the widget.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

import convtutor as ct
from convtutor._validate import PICTURE_SIDES, picture
from convtutor.widgets import ALL
from convtutor.widgets._base import Widget
from tests.support.optional_torch import HAVE_TORCH, torch

PHOTO_WIDGETS = {name: cls for name, cls in ALL.items() if cls.PHOTO}
RNG = np.random.default_rng(18)
#: A small RGB picture in [0, 1] (channels first): quick to build every widget on.
RGB = RNG.random((3, 16, 18))
BYTES = np.floor(RGB * 255 + 0.5).astype(np.uint8)  # the same picture, 8 bits


def png(array_hwc: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array_hwc).save(buffer, fmt)
    return buffer.getvalue()


def image_of(widget) -> np.ndarray:
    """The picture the widget is built on (Sobel's is grey)."""
    return np.asarray(widget.image)


# ---- numbers: the decision for each family, on convtutor._validate.picture ---------------
@pytest.mark.parametrize(
    ("given", "want"),
    [
        (RGB, RGB),  # (3, H, W) floats in [0, 1]: as they are
        (RGB.transpose(1, 2, 0), RGB),  # (H, W, 3): channels last, moved first
        (RGB.astype(np.float32), RGB.astype(np.float32)),
        (RGB.astype(np.float16), RGB.astype(np.float16)),
        (RGB.astype(np.longdouble), RGB),
        (BYTES, BYTES / 255),  # uint8: an 8-bit picture, / 255
        (BYTES.transpose(1, 2, 0), BYTES / 255),
        ((BYTES.astype(np.uint16) * 257), BYTES / 255),  # uint16: / 65535
        (RGB > 0.5, (RGB > 0.5).astype(float)),  # bool: 0 or 1
        ((RGB > 0.5).astype(np.int64), (RGB > 0.5).astype(float)),  # other ints: as they are
        ((RGB > 0.5).astype(np.int8), (RGB > 0.5).astype(float)),
        (RGB[0], RGB[:1]),  # (H, W): grey
        (RGB[:1], RGB[:1]),  # (1, H, W)
        (RGB[0][..., None], RGB[:1]),  # (H, W, 1)
        (RGB.tolist(), RGB),  # nested lists
        (RGB[:, ::2, ::-1], RGB[:, ::2, ::-1]),  # a view with strides, not contiguous
        (np.ma.masked_array(RGB, mask=False), RGB),  # a masked array with nothing masked
        *(  # CPU tensors (where torch is installed: make test-py has none)
            [
                (torch.from_numpy(RGB), RGB),
                (torch.from_numpy(RGB).requires_grad_(), RGB),
                (torch.from_numpy(BYTES), BYTES / 255),
            ]
            if HAVE_TORCH
            else []
        ),
        (np.minimum(RGB + 1e-9, 1 + 1e-9), np.minimum(RGB + 1e-9, 1)),  # rounding: clipped
    ],
    ids=lambda v: getattr(v, "dtype", type(v).__name__).__str__()[:12],
)
def test_numbers_that_are_a_picture_are_converted_as_documented(given, want):
    """Arrays, lists and tensors of a picture become (C, H, W) float64 in [0, 1], as documented."""
    got = picture(given)
    assert got.dtype == np.float64 and got.flags.c_contiguous
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, np.asarray(want, dtype=np.float64), rtol=0, atol=1e-15)
    assert 0 <= got.min() and got.max() <= 1


def test_the_result_is_a_copy():
    """The picture is a copy: changing the array given afterwards does not change it."""
    given = RGB.copy()
    got = picture(given)
    given[:] = 0
    assert got.max() > 0


BAD_NUMBERS = [
    # values
    (np.full((3, 9, 9), np.nan), ValueError, ["finite numbers", "243 NaN"]),
    (np.where(RGB > 0.5, np.inf, RGB), ValueError, ["finite numbers", "infinite"]),
    (-np.inf * np.ones((9, 9)), ValueError, ["finite numbers", "81 infinite"]),
    (RGB * 255, ValueError, ["from 0 to 1", "Divide them by 255"]),
    (BYTES.astype(np.int64), ValueError, ["from 0 to 1", "dtype int64", "Divide them by 255"]),
    (BYTES.astype(np.float32), ValueError, ["from 0 to 1", "float32"]),
    (RGB - 0.5, ValueError, ["from 0 to 1", "normalised"]),
    (RGB * 1000, ValueError, ["from 0 to 1", "65535"]),
    # dtypes
    (RGB.astype(complex), TypeError, ["real numbers", "complex"]),
    (RGB.astype(object), TypeError, ["real numbers", "object"]),
    (np.full((3, 9, 9), "0.5"), TypeError, ["real numbers", "<U3"]),
    (np.zeros((3, 9, 9), "datetime64[s]"), TypeError, ["real numbers", "datetime64"]),
    ([[0.5, 0.5], [0.5]], TypeError, ["array of numbers", "list"]),
    ({"r": 1}, TypeError, ["real numbers", "object", "dict"]),
    *(
        [(torch.zeros((3, 9, 9), dtype=torch.bfloat16), TypeError, ["Tensor", "numpy"])]
        if HAVE_TORCH
        else []
    ),
    # shapes
    (np.float64(0.5), ValueError, ["0 dimension(s)", "shape ()"]),
    (np.zeros(9), ValueError, ["1 dimension(s)", "(9,)"]),
    (np.zeros((0, 0)), ValueError, ["from 8 to 512", "(0, 0)"]),
    (np.zeros((3, 0, 9)), ValueError, ["from 8 to 512", "(3, 0, 9)"]),
    (np.zeros((3, 7, 20)), ValueError, ["image must have shape (3, H, W)", "7×20"]),
    (np.zeros((3, 8, 513)), ValueError, ["from 8 to 512", "8×513", "load_image"]),
    (np.zeros((4, 9, 9)), ValueError, ["4 channels", "(4, 9, 9)", "image[:3]"]),
    (np.zeros((9, 9, 4)), ValueError, ["4 channels", "(9, 9, 4)", "image[..., :3]"]),
    (np.zeros((2, 9, 9)), ValueError, ["image must have shape (3, H, W)", "(2, 9, 9)"]),
    (np.zeros((9, 9, 5)), ValueError, ["image must have shape (3, H, W)", "(9, 9, 5)"]),
    (np.zeros((1, 3, 9, 9)), ValueError, ["one picture", "4 dimensions", "image[0]"]),
    (np.zeros((1, 1, 3, 9, 9)), ValueError, ["5 dimension(s)", "(1, 1, 3, 9, 9)"]),
    # masked pixels: no value there
    (np.ma.masked_array(RGB, mask=RGB > 0.9), ValueError, ["masked", "filled"]),
]


@pytest.mark.parametrize(("given", "error", "words"), BAD_NUMBERS)
def test_numbers_that_are_not_a_picture_are_refused_by_name(given, error, words):
    """Numbers that are not a picture raise an error that starts with 'image' and says why."""
    with pytest.raises(error) as info:
        picture(given)
    message = str(info.value)
    assert message.startswith("image"), message
    for word in words:
        assert word in message, message


DTYPES = st.sampled_from(
    [np.bool_, np.uint8, np.uint16, np.int8, np.int16, np.int32, np.int64, np.uint32,
     np.uint64, np.float16, np.float32, np.float64, np.complex64]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=12)))
def test_any_array_is_a_correct_picture_or_a_named_error(arr):
    """Any dtype, shape and values: an error naming image, or the documented conversion."""
    try:
        got = picture(arr)
    except (ValueError, TypeError) as exc:
        assert str(exc).startswith("image"), str(exc)
        return
    scale = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}.get(arr.dtype, 1)
    want = arr.astype(np.float64) / scale
    if arr.ndim == 2:
        want = want[None]
    elif arr.shape[0] not in (1, 3):
        want = np.moveaxis(want, -1, 0)
    low, high = PICTURE_SIDES
    assert got.shape[0] in (1, 3) and all(low <= n <= high for n in got.shape[1:])
    np.testing.assert_allclose(got, np.clip(want, 0, 1), rtol=0, atol=1e-15)
    assert np.all(np.isfinite(got)) and 0 <= got.min() and got.max() <= 1


# ---- the widgets: image=, use_image and the upload, for every photo widget ---------------
@pytest.fixture(scope="module", params=list(PHOTO_WIDGETS))
def built(request):
    """(class, a widget built on RGB)."""
    cls = PHOTO_WIDGETS[request.param]
    return cls, cls(image=RGB)


def grey_or_rgb(cls, rgb: np.ndarray) -> np.ndarray:
    """What the widget holds for an RGB picture: itself, or Sobel's grey of it."""
    return ct.data.to_gray(rgb) if cls.__name__ == "SobelSeparability" else rgb


def test_the_issues_three_pictures(built):
    """A JPEG cut short in its header, an array full of NaN, and (3, H, W) uint8 0–255."""
    cls, _ = built
    jpeg = png(BYTES.transpose(1, 2, 0), "JPEG")
    with pytest.raises(ValueError, match="image: the image data .*damaged or cut short"):
        cls(image=jpeg[:40])
    with pytest.raises(ValueError, match="image must hold finite numbers"):
        cls(image=np.full((3, 16, 18), np.nan))
    as_bytes = cls(image=BYTES)
    np.testing.assert_allclose(image_of(as_bytes), grey_or_rgb(cls, BYTES / 255), atol=1e-15)
    as_floats = cls(image=BYTES / 255).frames()
    for name, frame in as_bytes.frames().items():
        np.testing.assert_array_equal(frame, as_floats[name])


VIEW = np.concatenate([RGB, RGB], axis=2)[:, :, ::2]  # strided: not contiguous
GOOD = {
    "channels last, uint8": (BYTES.transpose(1, 2, 0), BYTES / 255),
    "uint16": (BYTES.astype(np.uint16) * 257, BYTES / 255),
    "grey": (RGB[0], np.repeat(RGB[:1], 3, axis=0)),
    **({"a tensor": (torch.from_numpy(RGB), RGB)} if HAVE_TORCH else {}),
    "nested lists": (RGB.tolist(), RGB),
    "a view": (VIEW, np.ascontiguousarray(VIEW)),
    "a PIL image": (Image.fromarray(BYTES.transpose(1, 2, 0)), "file"),
    "PNG bytes": (png(BYTES.transpose(1, 2, 0)), "file"),
}


@pytest.mark.parametrize("family", list(GOOD))
def test_image_and_use_image_take_every_good_family_alike(built, family):
    """image= and use_image give the documented picture; a file is loaded square, at
    the widget's size (image=: 96) or at the current picture's width (use_image)."""
    cls, _ = built
    given, want = GOOD[family]
    built_on = cls(image=given)
    other = cls(image=RGB)
    other.use_image(given)
    if isinstance(want, str):
        first, second = ct.data.load_image(given, size=96), ct.data.load_image(given, size=18)
    else:
        first = second = want
    if cls.__name__ == "SobelSeparability" and family == "grey":  # Sobel keeps grey as it is
        first = second = RGB[:1]
    for widget, want in ((built_on, first), (other, second)):
        want = want[0] if want.shape[0] == 1 else grey_or_rgb(cls, want)
        np.testing.assert_allclose(image_of(widget), want, rtol=0, atol=1e-15)


BAD_PICTURES = {
    "NaN": (np.full((3, 16, 18), np.nan), ValueError, "finite numbers"),
    "inf": (np.where(RGB > 0.5, np.inf, RGB), ValueError, "finite numbers"),
    "0-255 as floats": (RGB * 255, ValueError, "from 0 to 1"),
    "negative": (RGB - 1, ValueError, "from 0 to 1"),
    "complex": (RGB.astype(complex), TypeError, "real numbers"),
    "strings": (np.full((3, 16, 18), "x"), TypeError, "real numbers"),
    "RGBA": (np.zeros((12, 14, 4)), ValueError, "4 channels"),
    "a batch": (RGB[None], ValueError, "one picture"),
    "too small": (RGB[:, :7], ValueError, "from 8 to 512"),
    "0-d": (np.float64(0.5), ValueError, "0 dimension(s)"),
    "masked": (np.ma.masked_array(RGB, mask=RGB > 0.9), ValueError, "masked"),
    "ragged lists": ([[0.1, 0.2], [0.3]], TypeError, "array of numbers"),
    "empty bytes": (b"", ValueError, "image: the image data is empty"),
    "text bytes": (b"just some text", ValueError, "not an image"),
    "cut JPEG": (png(BYTES.transpose(1, 2, 0), "JPEG")[:300], ValueError, "cut short"),
    "missing path": ("no/such/photo.png", ValueError, "image: no image file at"),
    "text file object": (io.StringIO("x"), TypeError, "binary mode"),
    "a number": (7, ValueError, "0 dimension(s)"),
}


@pytest.mark.parametrize("family", list(BAD_PICTURES))
def test_a_bad_picture_is_refused_and_the_widget_keeps_its_photo(built, family):
    """image= and use_image raise naming image; after use_image the widget is unchanged."""
    cls, widget = built
    given, error, words = BAD_PICTURES[family]
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        cls(image=given)
    before_image, before_frames, before_state = (
        image_of(widget).copy(),
        widget.frames(),
        widget.state,
    )
    before = everything(widget)
    with pytest.raises(error) as info:
        widget.use_image(given)
    assert str(info.value).startswith("image"), str(info.value)
    np.testing.assert_array_equal(image_of(widget), before_image)
    assert widget.state == before_state
    for name, frame in widget.frames().items():
        np.testing.assert_array_equal(frame, before_frames[name])
    assert_same(widget, before)


def everything(widget) -> dict:
    """Every attribute of ``widget`` and every trait value, each as the object it is."""
    return {
        "attributes": dict(vars(widget)),
        "traits": {name: getattr(widget, name) for name in widget.trait_names()},
    }


def assert_same(widget, before: dict) -> None:
    """``widget`` holds the very objects ``before`` recorded: no attribute, array,
    word or trait was added, dropped or replaced."""
    now = everything(widget)
    for part in ("attributes", "traits"):
        assert set(now[part]) == set(before[part]), part
        replaced = [k for k in before[part] if now[part][k] is not before[part][k]]
        assert not replaced, f"{part} replaced: {replaced}"


def test_a_refused_picture_is_caught_before_anything_changes(built, monkeypatch):
    """Whatever fails while the new picture is built -- even late, after the photo
    was read -- the widget is left exactly as it was: use_image builds first, applies
    after (and nothing it builds is a second widget)."""
    cls, widget = built
    before = everything(widget)
    created = []
    monkeypatch.setattr(cls, "__init__", lambda *a, **k: created.append(a))

    def late(self, *args, **kwargs):
        Widget._ship(self, *args, **kwargs)  # everything built, then a failure
        raise ValueError("image: failed late")

    monkeypatch.setattr(cls, "_ship", late)
    with pytest.raises(ValueError, match="failed late"):
        widget.use_image(RGB[:, ::-1].copy())
    assert_same(widget, before)
    assert created == []


def test_use_image_keeps_the_constructors_own_options():
    """A widget-specific option of the constructor survives use_image: ChannelFilter's
    kernels and SobelSeparability's kernel stay as chosen, and the rebuilt widget is
    the one a new constructor call with those options gives."""
    from convtutor.widgets import ChannelFilter, SobelSeparability

    kernels = ("Laplacian", "sharpen", "identity")
    widget = ChannelFilter(image=RGB, kernels=kernels)
    widget.use_image(BYTES / 255)
    fresh = ChannelFilter(image=BYTES / 255, kernels=kernels)
    assert [widget.kernel_name(c) for c in range(3)] == list(kernels)
    assert widget.state == fresh.state and widget._meta == fresh._meta
    for name, frame in fresh.frames().items():
        np.testing.assert_array_equal(widget.frames()[name], frame)
    sobel = SobelSeparability(kernel="Laplacian", image=RGB)
    sobel.use_image(BYTES / 255)
    fresh = SobelSeparability(kernel="Laplacian", image=BYTES / 255)
    assert sobel.state["kernel"] == "Laplacian" and sobel.state == fresh.state
    assert sobel._meta == fresh._meta
    np.testing.assert_array_equal(sobel._shifts, fresh._shifts)
    for name, frame in fresh.frames().items():
        np.testing.assert_array_equal(sobel.frames()[name], frame)


UPLOADS = {
    "empty": (b"", "is empty (0 bytes)"),
    "text": (b"a shopping list", "not an image"),
    "JPEG cut in its header": (png(BYTES.transpose(1, 2, 0), "JPEG")[:60], "cut short"),
    "PNG cut in its pixels": (png(BYTES.transpose(1, 2, 0))[:-60], "cut short"),
    "a decompression bomb": (png(np.zeros((7000, 7000), np.uint8)), "decompression bomb"),
    "32-bit integers": (png(np.zeros((20, 20), np.int32), "TIFF"), "does not read"),
}


@pytest.mark.parametrize("family", list(UPLOADS))
def test_a_bad_upload_says_why_on_the_widget_and_the_photo_stays(built, family):
    """A bad upload says why on the widget and the photo stays; a good one next is used."""
    cls, widget = built
    data, words = UPLOADS[family]
    before_image, before_state = image_of(widget).copy(), widget.state
    widget._on_page_message(widget, {"kind": "image", "name": "holiday.jpg"}, [memoryview(data)])
    assert widget.error.startswith("Your photo 'holiday.jpg' was not used: image: ")
    assert words in widget.error and widget.error.endswith("The current photo stays.")
    np.testing.assert_array_equal(image_of(widget), before_image)
    assert widget.state == before_state
    # a good one next: used, and the message goes
    widget._on_page_message(
        widget, {"kind": "image", "name": "ok.png"}, [png(BYTES.transpose(1, 2, 0))]
    )
    assert widget.error == ""
    assert not np.array_equal(image_of(widget), before_image)
    widget.use_image(RGB)  # back, for the next family
    np.testing.assert_array_equal(image_of(widget), before_image)


def test_an_unexpected_failure_in_an_upload_is_shown_too(built, monkeypatch):
    """Should anything but ValueError/TypeError escape, the student still reads why."""
    cls, widget = built

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(ct.data, "load_image", broken)
    widget._on_page_message(widget, {"kind": "image", "name": "big.png"}, [b"\x89PNG"])
    assert "MemoryError: no room" in widget.error and "current photo stays" in widget.error
