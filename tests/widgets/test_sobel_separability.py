"""SobelSeparability: what the page shows equals convtutor on every slider value.

The page forms the kernel (base + t * noise), adds up the shipped shifted photos with
the kernel's entries (the 2-D filter) and with column x row's (the two passes), and
looks the rest up. These tests hold those numbers equal to convtutor's own float64
results for every state the controls can reach, the texts to the same numbers, the
module to Python (Node, every state), and bad values to clear errors.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets import SobelSeparability
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.sobel_separability import (
    KERNEL_CHOICES,
    PERTURBS,
    SIGMAS,
    SIZES,
    chosen_kernel,
    factors,
    format_significant,
    noise_direction,
)
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    needs_node,
    raises_naming,
    run_node,
)

SMALL = ct.data.to_gray(ct.data.sample_image(24))  # a small picture keeps the full sweep quick


def every_state():
    """Every state that shows something different: each kernel at each perturb value."""
    for kernel in KERNEL_CHOICES:
        if kernel == "Gaussian":
            for size, sigma, t in itertools.product(SIZES, SIGMAS, PERTURBS):
                yield {"kernel": kernel, "perturb": t, "size": size, "sigma": sigma}
        else:
            for t in PERTURBS:
                yield {"kernel": kernel, "perturb": t, "size": 5, "sigma": 1.0}


@pytest.fixture(scope="module")
def widget():
    return SobelSeparability()


DEFAULT = {"kernel": "Sobel x", "perturb": 0.0, "size": 5, "sigma": 1.0}


@pytest.fixture(scope="module")
def small_widget():
    return SobelSeparability(image=SMALL)


@pytest.fixture
def small(small_widget):
    """The widget on the small picture, back at its first state."""
    small_widget.values = dict(DEFAULT)
    return small_widget


def expected(image, state):
    """convtutor's own float64 results for ``state``."""
    kernel, _ = chosen_kernel(state["kernel"], state["size"], state["sigma"], state["perturb"])
    k = kernel.shape[0]
    column, row, rank = factors(kernel)
    rank1 = ct.low_rank_approximation(kernel, 1)
    direct = ct.filter2d(image, kernel, padding=k // 2)
    passes = ct.separable_filter2d(image, column, row, padding=k // 2)
    return {
        "kernel": kernel,
        "column": column,
        "row": row,
        "rank": rank,
        "rank1": rank1,
        "singular": ct.singular_values(kernel),
        "error": np.linalg.norm(kernel - rank1),
        "relative": np.linalg.norm(kernel - rank1) / np.linalg.norm(kernel),
        "direct": direct,
        "passes": passes,
        "difference": float(np.max(np.abs(direct - passes))),
    }


def assert_close(actual, desired, rtol=1e-7, atol=0.0, err_msg=""):
    """``np.testing.assert_allclose``, the same test, quicker when it passes: equal shapes
    and, everywhere, ``|actual - desired| <= atol + rtol * |desired|`` with ``desired``
    finite (``np.isclose``'s test) is its verdict too; anything else (a NaN, an
    infinity, a difference) goes to assert_allclose, which decides and says what differs."""
    a, d = np.asarray(actual), np.asarray(desired)
    with np.errstate(invalid="ignore"):
        if a.shape == d.shape and np.all(
            (np.abs(a - d) <= atol + rtol * np.abs(d)) & np.isfinite(d)
        ):
            return
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)


def check_numbers(w, state):
    """The numbers the page paints for ``state`` equal convtutor's within float32 rounding."""
    got = w.shown(state)
    want = expected(w.image, state)
    scale = float(np.max(np.abs(want["kernel"])))
    tol = 1e-6 * scale
    assert got["size"] == want["kernel"].shape[0]
    assert_close(got["kernel"], want["kernel"], rtol=0, atol=tol)
    assert_close(got["column"], want["column"], rtol=1e-6, atol=1e-6 * scale)
    assert_close(got["row"], want["row"], rtol=1e-6, atol=1e-6 * scale)
    assert_close(np.outer(want["column"], want["row"]), want["rank1"], atol=1e-12)
    assert_close(got["product"], want["rank1"], rtol=0, atol=tol)
    assert_close(got["residual"], want["kernel"] - want["rank1"], rtol=0, atol=tol)
    assert got["rank"] == want["rank"] == ct.kernel_rank(want["kernel"])
    assert_close(got["singular"], want["singular"], rtol=0, atol=tol)
    assert_close(got["error"], want["error"], rtol=1e-6, atol=1e-7 * scale)
    assert_close(got["relative"], want["relative"], rtol=1e-6, atol=1e-7)
    assert_close(got["difference"], want["difference"], rtol=1e-6, atol=1e-13)
    picture = max(float(np.max(np.abs(want["direct"]))), 1.0)
    assert_close(got["direct"], want["direct"], rtol=0, atol=1e-5 * picture)
    assert_close(got["passes"], want["passes"], rtol=0, atol=1e-5 * picture)
    assert_close(
        got["picture_difference"], want["direct"] - want["passes"], rtol=0, atol=1e-5 * picture
    )
    return got, want


def test_every_state_equals_convtutor_on_a_small_picture(small):
    """All 903 states (kernels x Gaussian sizes x sigmas x perturb values), every number."""
    states = list(every_state())
    assert len(states) == 10 * 21 + 3 * 11 * 21
    for state in states:
        small.set(**state)
        check_numbers(small, small.state)


def test_the_default_photo_equals_convtutor(widget):
    """The photo students see: every kernel at four perturb values, every Gaussian at two."""
    for state in every_state():
        if state["perturb"] in (0.0, 0.025, 0.25, 0.5) and (
            state["kernel"] != "Gaussian" or state["perturb"] in (0.0, 0.5)
        ):
            check_numbers(widget, state)


def number_after(text, marker):
    return float(re.search(re.escape(marker) + r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)", text).group(1))


def test_texts_and_tables_say_convtutors_numbers(small):
    """Every number in the texts, titles and tables is convtutor's, rounded as printed."""
    for state in every_state():
        if state["perturb"] not in (0.0, 0.05, 0.5):
            continue
        view = small.view(state)
        want = expected(small.image, state)
        texts, panels = view["texts"], {p["name"]: p for p in view["panels"]}
        k, rank = want["kernel"].shape[0], want["rank"]
        d = want["difference"]
        if rank == 1:
            assert texts["verdict"].startswith("Separable (rank 1)") and texts["error"] == ""
            assert panels["product"]["title"] == "column × row = kernel"
            assert (panels["column"]["title"], panels["row"]["title"]) == ("column", "row")
            assert d < 1e-12
            if d > 0:
                assert "which is 0 up to rounding" in texts["difference"]
                shown = number_after(texts["difference"], "max |2-D − two passes| = ")
                assert shown == pytest.approx(d, rel=0.06)
            else:
                assert texts["difference"].endswith("= 0.")
            assert "passes, " + str(2 * k) + " multiplies" in panels["passes"]["title"]
        else:
            assert texts["verdict"] == (
                f"Not separable (rank {rank}): no column × row equals this kernel."
            )
            assert number_after(texts["error"], "‖ = ") == pytest.approx(want["error"], rel=6e-3)
            percent = number_after(texts["error"], ", ")
            assert percent == pytest.approx(100 * want["relative"], abs=0.05 + 1e-6)
            shown = number_after(texts["difference"], "max |2-D − two passes| = ")
            assert shown == pytest.approx(d, rel=6e-3)
            assert "≈ kernel" in panels["product"]["title"]
            assert f"{rank} column-row pairs, {rank} × {2 * k} = {2 * rank * k}" in texts["cost"]
        assert f"2-D filter {k}² = {k * k}; two 1-D passes {k} + {k} = {2 * k}." in texts["cost"]
        assert panels["kernel"]["title"] == f"kernel K ({k}×{k})"
        assert panels["direct"]["title"].startswith(f"2-D filter, {k * k} multiplies")
        assert f"rank {rank} = how many are not 0" in panels["singular"]["title"]
        # Tables: the kernel, column x row and the residual to 3 decimals, as printed.
        for name, values in [
            ("kernel", want["kernel"]),
            ("product", want["rank1"]),
            ("residual", want["kernel"] - want["rank1"]),
            ("column", want["column"][:, None]),
            ("row", want["row"][None]),
        ]:
            cells = panels[name]["cells"]
            printed = np.array([[float(c["text"]) for c in row] for row in cells])
            assert_close(printed, values, rtol=0, atol=5e-4 + 1e-5, err_msg=name)
        labels, sigmas = panels["singular"]["cells"]
        assert [c["text"] for c in labels] == [f"σ{'₁₂₃₄₅₆₇'[i]}" for i in range(k)]
        for i, cell in enumerate(sigmas):
            assert cell["em"] == (i < rank)
            if i < rank:
                assert float(cell["text"]) == pytest.approx(want["singular"][i], rel=6e-3)
            else:
                assert cell["text"] == "0" and want["singular"][i] <= 1e-10 * want["singular"][0]


def test_sobel_x_is_column_times_row_and_the_two_pictures_agree(widget):
    """The textbook factors; the notebook's check that both pictures agree."""
    view = widget.view()
    cells = {p["name"]: p.get("cells") for p in view["panels"]}
    assert [c[0]["text"] for c in cells["column"]] == ["1", "2", "1"]
    assert [c["text"] for c in cells["row"][0]] == ["-1", "0", "1"]
    np.testing.assert_array_equal(widget.kernel, ct.kernels.SOBEL_X)
    np.testing.assert_allclose(widget.result_passes(), widget.result_2d(), atol=1e-12)
    np.testing.assert_array_equal(
        widget.result_2d(), ct.filter2d(widget.image, ct.kernels.SOBEL_X, padding=1)
    )
    assert "which is 0 up to rounding" in view["texts"]["difference"]


def test_perturb_grows_the_second_singular_value_and_the_difference(small):
    """Noise makes σ₂ grow from 0, the kernel not separable, the two pictures drift apart."""
    w = small
    seconds, differences = [], []
    for value in (0.0, 0.1, 0.2, 0.4):
        w.set(perturb=value)
        shown = w.shown()
        seconds.append(shown["singular"][1])
        differences.append(shown["difference"])
    assert seconds[0] < 1e-12 and differences[0] < 1e-12
    assert all(a < b for a, b in itertools.pairwise(seconds))
    assert all(a < b for a, b in itertools.pairwise(differences))
    assert w.view()["texts"]["verdict"].startswith("Not separable (rank 3)")


def test_gaussian_factors_are_the_1d_gaussian_twice(small):
    """A Gaussian kernel's column and row factors are the 1-D Gaussian of its size and sigma."""
    w = small
    w.set(kernel="Gaussian")
    for size, sigma in [(3, 0.5), (5, 1.0), (7, 3.0)]:
        w.set(size=size, sigma=sigma)
        g = ct.kernels.gaussian_1d(size, sigma)
        shown = w.shown()
        np.testing.assert_allclose(shown["column"], g, atol=1e-7)
        np.testing.assert_allclose(shown["row"], g, atol=1e-7)
        assert shown["rank"] == 1


def test_size_and_sigma_change_only_the_gaussian(small):
    """Size and sigma change nothing while another kernel is shown."""
    w = small
    before = w.view()
    w.set(size=7, sigma=2.5)
    after = w.view()
    assert before["texts"] == after["texts"]
    assert all(
        np.array_equal(a["rgba"], b["rgba"])
        for a, b in zip(before["panels"], after["panels"], strict=True)
        if "rgba" in a
    )
    w.set(kernel="Gaussian")
    assert w.shown()["size"] == 7


def test_controls_keep_the_old_names_and_ranges(widget):
    """The controls keep their names, options and ranges."""
    specs = widget.controls
    assert list(specs) == ["kernel", "perturb", "size", "sigma"]
    assert specs["kernel"]["options"] == list(KERNEL_CHOICES)
    assert (specs["size"]["min"], specs["size"]["max"], specs["size"]["step"]) == (3, 7, 2)
    assert (specs["sigma"]["min"], specs["sigma"]["max"], specs["sigma"]["step"]) == (
        0.5, 3.0, 0.25,
    )  # fmt: skip
    assert (specs["perturb"]["min"], specs["perturb"]["max"]) == (0.0, 0.5)
    assert specs["perturb"]["step"] == 0.025
    assert specs["perturb"]["labels"][4] == "10 %" and len(specs["perturb"]["labels"]) == 21
    assert SobelSeparability(image=SMALL).state == DEFAULT
    assert SobelSeparability(kernel="Laplacian", image=SMALL).state["kernel"] == "Laplacian"


def test_image_keyword_takes_grey_or_rgb():
    """The image keyword takes a grey or an RGB picture and shows the same."""
    rgb = ct.data.sample_image(20)
    a = SobelSeparability(image=rgb)
    b = SobelSeparability(image=ct.data.to_gray(rgb))
    np.testing.assert_array_equal(a.image, b.image)
    assert a.view()["panels"][-1]["rgba"].shape == (20, 20, 4)
    check_numbers(a, {"kernel": "Laplacian", "perturb": 0.1, "size": 5, "sigma": 1.0})


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'perturb'"]),
        ({"kernel": "Roberts"}, ValueError, ["kernel must be one of", "'Roberts'"]),
        ({"size": 9}, ValueError, ["size must be between 3 and 7", "9"]),
        ({"size": 4}, ValueError, ["size must be a multiple of 2 from 3", "4"]),
        ({"sigma": "wide"}, TypeError, ["sigma must be a number", "'wide'"]),
        ({"sigma": 3.5}, ValueError, ["sigma must be between 0.5 and 3.0", "3.5"]),
        ({"perturb": 0.6}, ValueError, ["perturb must be between 0.0 and 0.5", "0.6"]),
        ({"perturb": 0.01}, ValueError, ["perturb must be a multiple of 0.025", "0.01"]),
        ({"perturb": True}, TypeError, ["perturb must be a number", "True"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(small, values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(small, values, error, words)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"kernel": "Roberts"}, ValueError, ["kernel must be one of", "'Sobel x'", "'Roberts'"]),
        ({"image": np.zeros(5)}, ValueError, ["image must be", "(H, W)", "(5,)"]),
        ({"image": np.zeros((2, 8, 8))}, ValueError, ["image must have shape (3, H, W)"]),
        ({"image": np.full((9, 9), np.nan)}, ValueError, ["image must hold finite numbers"]),
    ],
)
def test_bad_construction_names_the_argument(kwargs, error, words):
    """A bad constructor argument raises an error that names it."""
    raises_naming(error, words, SobelSeparability, **kwargs)


def test_module_functions_keep_their_behaviour():
    """noise_direction, chosen_kernel and factors give the kernels and factors they promise."""
    d = noise_direction(5)
    assert d.shape == (5, 5) and np.linalg.norm(d) == pytest.approx(1.0)
    np.testing.assert_array_equal(noise_direction(3), noise_direction(3))
    kernel, base = chosen_kernel("Sobel x", perturb=0.1)
    np.testing.assert_array_equal(base, ct.kernels.SOBEL_X)
    assert np.linalg.norm(kernel - base) / np.linalg.norm(base) == pytest.approx(0.1)
    column, row, rank = factors(ct.kernels.SOBEL_X)
    assert (column.tolist(), row.tolist(), rank) == ([1, 2, 1], [-1, 0, 1], 1)
    column, row, rank = factors(ct.kernels.LAPLACIAN)
    assert rank == 2 and column[np.argmax(np.abs(column))] > 0
    np.testing.assert_allclose(
        np.outer(column, row), ct.low_rank_approximation(ct.kernels.LAPLACIAN, 1)
    )
    with pytest.raises(ValueError, match="size must be a whole number from 1 to 7; got 9"):
        noise_direction(9)
    with pytest.raises(TypeError, match="size must be a whole number"):
        noise_direction(2.5)


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (3.4641016, 3, "3.46"),
        (0.0873, 3, "0.0873"),
        (4.4e-16, 2, "4.4e-16"),
        (2.0, 3, "2"),
        (9.996, 3, "10"),
        (0.0625, 2, "0.063"),  # the exact binary value is a tie: rounded up, as toPrecision
        (1234.5, 3, "1.23e+3"),
        (0.0, 3, "0"),
        (-0.000012345, 3, "-0.0000123"),
        (1.5e-7, 3, "1.5e-7"),
    ],
)
def test_format_significant(value, digits, text):
    """format_significant writes a number to the digits asked."""
    assert format_significant(value, digits) == text


def test_png_fallback_is_a_picture(widget):
    """Displaying the widget also gives a PNG picture of it."""
    assert_png_fallback(widget)


# ---- the module, in Node, on every state ---------------------------------------------
def shown_view(view: dict) -> dict:
    panels = []
    for p in view["panels"]:
        q = {k: v for k, v in p.items() if k != "rgba"}
        if "rgba" in p:
            q["sha256"] = hashlib.sha256(p["rgba"].tobytes()).hexdigest()
        panels.append(q)
    return {"panels": panels, "texts": view["texts"]}


def format_cases(n: int = 12_000, seed: int = 1) -> list:
    """Random values over many scales, and ties and carries, with Python's text for each."""
    rng = np.random.default_rng(seed)
    values = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-20, 8, n)
    # Numbers with few binary digits make exact ties (0.0625 at 2 digits), and 9.99x carries.
    ties = rng.integers(1, 4096, 2000) / 2.0 ** rng.integers(0, 16, 2000)
    carries = 10.0 ** rng.integers(-8, 5, 500) * (1 - rng.uniform(0, 1e-3, 500))
    values = np.concatenate([values, ties, carries, np.float32(values[:2000]).astype(float)])
    out = []
    for v in values.tolist():
        for digits in (2, 3):
            out.append([v, digits, format_significant(v, digits)])
    return out


@needs_node
def test_module_equals_python_on_every_state(widget, tmp_path):
    """The ES module's view (pictures by SHA-256, tables, titles, texts) and limits, on all
    903 states; its formatter on 33,000 values."""
    saved = saved_state(widget)["state"][widget.model_id]
    states = list(every_state())
    fixture = {
        "saved": saved,
        "states": [{"state": s, "view": shown_view(widget.view(s))} for s in states],
        "limits": [
            {"state": s, "disabled": s["kernel"] != "Gaussian"}
            for s in states
            if s["perturb"] == 0.0
        ],
        "format": format_cases(),
    }
    path = tmp_path / "sobel_separability.json"
    path.write_text(json.dumps(fixture))
    run_node(["sobel_separability.test.mjs"], {"SOBEL_SEPARABILITY_FIXTURE": str(path)}, passed=3)
