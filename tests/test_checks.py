"""convtutor/checks/__init__.py: Feedback and the helpers every exercise check shares."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from convtutor.checks import (
    REPLACE_NONE,
    Feedback,
    exercise,
    first_match,
    not_a_whole_number,
    right,
    same_array,
    wrong,
)


def test_feedback_is_truthy_only_when_right_and_says_so():
    """right() is truthy and starts 'Correct!'; wrong() is falsy and starts 'Not yet.'."""
    assert bool(right("Yes.")) and str(right("Yes.")) == "Correct! Yes."
    assert not wrong("Hint.") and str(wrong("Hint.")) == "Not yet. Hint."


def test_feedback_html_escapes_the_message():
    """A message is shown as text in a notebook, never as HTML."""
    assert "&lt;b&gt;" in Feedback(False, "<b>")._repr_html_()


@pytest.mark.parametrize(
    ("answer", "words"),
    [("9", "without quotes"), ([9], "single whole number"), (2.5, "whole number"), (True, "int")],
)
def test_not_a_whole_number_names_the_problem(answer, words):
    """Text, a list, a fraction and a bool each get a hint; whole numbers pass."""
    problem = not_a_whole_number(answer)
    assert problem is not None and not problem and words in problem.message
    assert not_a_whole_number(9) is None and not_a_whole_number(np.int64(9)) is None
    assert not_a_whole_number(9.0) is None


def test_first_match_and_same_array():
    """first_match finds the first listed mistake; same_array compares shape and values."""
    assert first_match(4, [(3, "a"), (4, "b"), (4, "c")]).message == "b"
    assert first_match(5, [(3, "a")]) is None
    assert same_array([[1, 2]], np.array([[1.0, 2.0]]))
    assert not same_array([1, 2], [[1, 2]]) and not same_array("ab", [1, 2])


@exercise(whole_number=True)
def _count(answer, *, expected=9):
    """Right when the answer is ``expected``."""
    return right("Yes.") if answer == expected else wrong("Count again.")


@exercise(answers=2)
def _pair(column, row, scale=1):
    return right("Both.")


def test_exercise_answers_the_placeholder_once_for_every_check():
    """None in any answer gets REPLACE_NONE, by position or by name; the check is not run."""
    assert _count(None).message == REPLACE_NONE
    assert _count(answer=None).message == REPLACE_NONE
    assert _pair([1], None).message == REPLACE_NONE
    assert _pair(None, row=[1]).message == REPLACE_NONE
    assert _pair([1], [1], None)  # a setting left at None is not an answer


def test_exercise_can_ask_for_a_whole_number():
    """With whole_number=True, text and fractions get the whole-number hint; 9 is judged."""
    assert "without quotes" in _count("9").message
    assert "whole number" in _count(2.5).message
    assert _count(9) and not _count(8)
    assert _count(8, expected=8)


def test_exercise_keeps_the_check_readable():
    """The decorated check keeps its name, docstring and signature (for help() in Jupyter)."""
    assert _count.__name__ == "_count" and _count.__doc__.startswith("Right when")
    assert list(inspect.signature(_count).parameters) == ["answer", "expected"]


def test_exercise_leaves_a_missing_answer_to_python():
    """Leaving an answer out is a TypeError, as for any function, not a hint."""
    with pytest.raises(TypeError):
        _pair([1])


@pytest.mark.parametrize("answers", [0, -1, 1.5, True])
def test_exercise_refuses_a_bad_answers_count(answers):
    """answers must be a whole number >= 1; the error names it and shows the value."""
    with pytest.raises(ValueError, match=f"answers must be a whole number >= 1; got {answers!r}"):
        exercise(answers=answers)


def test_exercise_refuses_more_answers_than_parameters():
    """A check cannot declare more answers than it has parameters."""
    with pytest.raises(ValueError, match=r"has only 1 parameter\(s\): \['answer'\]"):
        exercise(answers=2)(lambda answer: right("x"))
