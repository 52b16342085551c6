"""Notebook 08: its exercise checks (right answers pass; each known mistake gets its hint),
and the claims and numbers its prose types."""

import re
from pathlib import Path

import pytest

from convtutor import blocks
from convtutor.checks import Feedback
from convtutor.checks import mobilenet as check

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_after_mobilenet.md"


def assert_right(fb):
    assert isinstance(fb, Feedback) and fb.ok, fb.message


def assert_hint(fb, *words):
    assert isinstance(fb, Feedback) and not fb.ok, "a wrong answer was accepted"
    for word in words:
        assert word.lower() in fb.message.lower(), (word, fb.message)


def test_pointwise_at_width():
    """Right multiply-adds of a 1x1 layer at width alpha pass, at the default and other sizes."""
    assert_right(check.pointwise_at_width(256 * 256 * 196))
    assert_right(check.pointwise_at_width(384 * 48 * 49, 512, 64, 7, 0.75))
    assert "12,845,056" in check.pointwise_at_width(256 * 256 * 196).message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (512 * 512 * 196, ["alpha = 1", "AND"]),
        (256 * 512 * 196, ["one side", "512 -> 256"]),
        (256 * 256, ["weights", "14x14"]),
        (1234, ["C_in x C_out x H x W"]),
        (None, ["Replace None"]),
        ("12845056", ["whole number"]),
    ],
)
def test_pointwise_at_width_hints(answer, words):
    """Each known wrong count for the 1x1 layer at width alpha gets its own hint."""
    assert_hint(check.pointwise_at_width(answer), *words)


def test_inverted_residual_weights():
    """The right weight count of an inverted residual block passes, default and other sizes."""
    assert_right(check.inverted_residual_weights(24 * 144 + 144 * 9 + 144 * 24))
    assert_right(check.inverted_residual_weights(16 * 96 + 96 * 9 + 96 * 24, 16, 24, 6))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (8208 + 2 * (144 + 144 + 24), ["BatchNorm"]),
        (24 * 24 + 24 * 9 + 24 * 24, ["forgot the expansion", "144"]),
        (24 * 144 + 144 * 144 * 9 + 144 * 24, ["depth-wise"]),
        (24 * 144 + 144 * 9, ["projection"]),
        (1, ["Add three layers"]),
    ],
)
def test_inverted_residual_weights_hints(answer, words):
    """Each known wrong weight count of an inverted residual block gets its own hint."""
    assert_hint(check.inverted_residual_weights(answer), *words)


def test_depthwise_bytes():
    """The right bytes a depth-wise layer moves pass, and the message types the number."""
    values = 64 * 56 * 56 * 2 + 64 * 9
    assert_right(check.depthwise_bytes(4 * values))
    assert "1,607,936" in check.depthwise_bytes(4 * values).message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (64 * 56 * 56 * 2 + 64 * 9, ["values", "4 bytes"]),
        (4 * 64 * 56 * 56 * 2, ["weights"]),
        (4 * (64 * 56 * 56 + 64 * 9), ["output"]),
        (4 * 64 * 56 * 56, ["reads its input"]),
        (7, ["times 4"]),
    ],
)
def test_depthwise_bytes_hints(answer, words):
    """Each known wrong byte count of a depth-wise layer gets its own hint."""
    assert_hint(check.depthwise_bytes(answer), *words)


def test_linear_projection():
    """Only (b) passes, in any case or spacing; each other answer or type gets its own hint."""
    assert_right(check.linear_projection("b"))
    assert_right(check.linear_projection(" B "))
    assert_hint(check.linear_projection("a"), "no multiply-adds", "section 6")
    assert_hint(check.linear_projection("c"), "two ReLU6")
    assert_hint(check.linear_projection("d"), "one letter", "'d'")
    assert_hint(check.linear_projection(2), "one letter")
    assert_hint(check.linear_projection(None), "Replace None")
    assert set(check.CHOICES) == {"a", "b", "c"}


def test_linear_projection_hint_names_the_spiral_section():
    """The hint for (a) sends the student to the section that computes the spiral."""
    hint = check.linear_projection("a").message
    number = re.search(r"section (\d+)", hint).group(1)
    heading = re.search(rf"^## {number}\. (.*)$", NOTEBOOK.read_text(encoding="utf-8"), re.M)
    assert heading and "spiral" in heading.group(1), (hint, heading)


def _prose() -> str:
    """Notebook 08's text outside its code cells, with line breaks folded to spaces."""
    text = re.sub(r"```\{code-cell\}.*?```", "", NOTEBOOK.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(text.split())


@pytest.mark.parametrize(
    "phrase",
    [
        "04 ended on a question",  # 04 showed what the ReLU does; it asked nothing
        "answers a question 04 left open",
        "answers 04's question",  # V2 keeps a ReLU between the steps: it answers another one
        "harmless where channels are many",
        "a relu in few dimensions destroys information; in many it does not",  # no condition
        "counts the least a layer can move",  # the pair's count assumes separate layers
    ],
)
def test_retired_claims_stay_out_of_the_prose(phrase):
    """Sentences a review found wrong or unqualified are not typed in 08 again."""
    assert phrase not in _prose().lower()


def test_the_prose_states_its_assumptions():
    """Which ReLU V2 leaves out, the manifold condition, separate layers for the bytes."""
    prose = _prose()
    for said in [
        "keeps a ReLU6 between its depth-wise and 1×1 steps",
        "leaves out the one after its last 1×1 step",
        "It does not settle notebook 04's question",
        "low-dimensional manifold",
        "separate layers",
        "Cited, not measured here",
    ]:
        assert said in prose, said


def test_the_spiral_numbers_in_the_prose_are_computed():
    """The medians and the 27 % typed in section 6 are relu_spiral's, rounded as printed."""
    prose = _prose()
    low = re.search(r"median errors are (\d\.\d\d) and (\d\.\d\d)\. In 15 and 30", prose)
    high = re.search(r"they fall to (\d\.\d\d) and (\d\.\d\d)\.", prose)
    share = re.search(r"in 2 dimensions (\d+) %", prose)
    assert low and high and share
    spiral = blocks.relu_spiral()
    typed = [float(x) for x in (*low.groups(), *high.groups())]
    assert typed == [round(spiral.median_error(n), 2) for n in (2, 3, 15, 30)]
    assert int(share.group(1)) == round(100 * spiral.recovered[2].mean())
    assert all((spiral.recovered[n] == 1).all() for n in (15, 30))  # "every point"
