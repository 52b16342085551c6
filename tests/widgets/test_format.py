"""The widgets' number formats and slot rule: one specification (docs/widgets.md), two
implementations (``convtutor.widgets._base`` and ``static/common.js``), one table of
cases (``tests/support/format_cases.json``) that both must print character for
character, and random float64 values that both must print alike."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convtutor.widgets._base import (
    fill_template,
    format_count,
    format_number,
    format_significant,
)
from tests.support.widgets import ROOT, needs_node, run_node

CASES = json.loads((ROOT / "tests" / "support" / "format_cases.json").read_text(encoding="utf-8"))
ERRORS = {"type": TypeError, "range": ValueError, "missing": KeyError}


def number(v):
    """A case's value: a number as written, or a string read as Python reads a float."""
    return float(v) if isinstance(v, str) else v


@pytest.mark.parametrize(("value", "digits", "want"), CASES["numbers"])
def test_format_number_prints_every_case(value, digits, want):
    """Each number of the table prints as written there (numpy floats alike)."""
    assert format_number(number(value), digits) == want
    # numpy's floats are numbers like any other
    assert format_number(np.float64(number(value)), digits) == want


@pytest.mark.parametrize(("value", "digits", "error"), CASES["numbers_refused"])
def test_format_number_refuses_every_refused_case(value, digits, error):
    """NaN, infinities, 1e21 and more, and digits outside 0..20, are refused."""
    with pytest.raises(ERRORS[error], match="must be"):
        format_number(number(value), digits)


@pytest.mark.parametrize("value", ["1", True, None, [1.0]])
def test_format_number_refuses_what_is_not_a_number(value):
    """Text, a bool, None or a list is not a number to print."""
    with pytest.raises(TypeError, match="value must be a real number"):
        format_number(value)


@pytest.mark.parametrize(("value", "digits", "want"), CASES["significant"])
def test_format_significant_prints_every_case(value, digits, want):
    """Each ratio of the table prints to its significant digits as written there."""
    assert format_significant(number(value), digits) == want
    assert format_significant(np.float64(number(value)), digits) == want


@pytest.mark.parametrize(("value", "digits", "error"), CASES["significant_refused"])
def test_format_significant_refuses_every_refused_case(value, digits, error):
    """What would need an exponent, NaN, infinities and digits outside 1..21 are refused."""
    with pytest.raises(ERRORS[error]):
        format_significant(number(value), digits)


@pytest.mark.parametrize(("n", "want"), CASES["counts"])
def test_format_count_prints_every_case(n, want):
    """Each count of the table prints with its commas as written there."""
    assert format_count(number(n)) == want


@pytest.mark.parametrize(("n", "error"), CASES["counts_refused"])
def test_format_count_refuses_every_refused_case(n, error):
    """A fraction, NaN, infinity or a number past 2**53 - 1 is refused."""
    with pytest.raises(ERRORS[error], match="n must be"):
        format_count(number(n))


def test_format_count_takes_numpy_integers_and_refuses_text():
    """numpy numbers are counts like any other; text is refused."""
    assert format_count(np.int64(9800)) == format_count(np.float32(9800)) == "9,800"
    with pytest.raises(TypeError, match="n must be a whole number"):
        format_count("7")


@pytest.mark.parametrize("case", CASES["templates"], ids=lambda c: c["template"])
def test_fill_template_fills_every_case(case):
    """Each template of the table fills as written there."""
    assert fill_template(case["template"], **case["slots"]) == case["expected"]


@pytest.mark.parametrize("case", CASES["templates_refused"], ids=lambda c: c["template"])
def test_fill_template_refuses_every_refused_case(case):
    """A missing slot or a value that is not a string is refused, naming the slot."""
    with pytest.raises(ERRORS[case["error"]], match=case["names"]):
        fill_template(case["template"], **case["slots"])


@needs_node
def test_node_prints_every_case_alike():
    """tests/js/format.test.mjs holds common.js to the same table."""
    run_node(["format.test.mjs"], {}, passed=5, skips=True)


def node_batch(pairs, tmp: Path) -> list:
    """common.js's formatNumber on every ``(value, digits)``, in one Node run."""
    batch, out = tmp / "batch.json", tmp / "out.json"
    batch.write_text(json.dumps([[struct.pack("<d", v).hex(), d] for v, d in pairs]))
    env = {"CONVTUTOR_FORMAT_BATCH": str(batch), "CONVTUTOR_FORMAT_OUT": str(out)}
    run_node(["format.test.mjs"], env, passed=6)
    return json.loads(out.read_text())


def python_outcome(value: float, digits: int) -> dict:
    try:
        return {"text": format_number(value, digits)}
    except (TypeError, ValueError):
        return {"error": "RangeError"}  # what common.js throws for a number it refuses


@needs_node
@settings(max_examples=4, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True, width=64),
                st.floats(-1e6, 1e6),
                # ties and near-ties at the places printed
                st.integers(-(10**9), 10**9).map(lambda i: (i + 0.5) / 10 ** (i % 7)),
            ),
            st.integers(0, 20),
        ),
        min_size=150,
        max_size=150,
    )
)
def test_python_and_node_print_random_float64_alike(tmp_path_factory, pairs):
    """format_number in Python equals formatNumber in Node on random float64 values
    (every magnitude, NaN, infinities, ties), every digits from 0 to 20."""
    got = node_batch(pairs, tmp_path_factory.mktemp("format"))
    want = [python_outcome(v, d) for v, d in pairs]
    for pair, g, w in zip(pairs, got, want, strict=True):
        assert g == w, pair
