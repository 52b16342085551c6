"""Self-checking exercises: each check says what is right, or gives a hint aimed at the
likely mistake.

One module per notebook (``convtutor.checks.standard`` for 01, ``depthwise`` for 02,
``pointwise`` for 03, ``separable`` for 04, ``sobel`` for 05, ``experiments`` for 06-07,
``mobilenet`` for 08).
A check returns a :class:`Feedback`, which shows as a coloured line in a notebook and is
truthy only when the answer is right:

>>> from convtutor.checks import Feedback
>>> bool(Feedback(True, "Right."))
True

Every check opens the same way: an exercise cell that still holds its ``None``
placeholder is told to replace it, and an answer that should be a count but is not a
whole number is told so. :func:`exercise` writes that opening once; a check declares
it and then only judges real answers:

>>> from convtutor.checks import exercise, right, wrong
>>> @exercise(whole_number=True)
... def weights(answer):
...     return right("3 x 3 = 9.") if answer == 9 else wrong("Count the kernel's taps.")
>>> print(weights(None))
Not yet. Replace None with your answer, then run the cell again.
>>> print(weights("9"))
Not yet. Give a whole number without quotes (text is not a number); got '9'.
>>> bool(weights(9))
True
"""

from __future__ import annotations

import functools
import html
import inspect
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Feedback",
    "right",
    "wrong",
    "is_number",
    "same_array",
    "REPLACE_NONE",
    "not_a_whole_number",
    "first_match",
    "exercise",
]

#: What a check says to an exercise cell that still holds its ``None`` placeholder.
REPLACE_NONE = "Replace None with your answer, then run the cell again."


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``ok`` and a message (what is right, or a hint)."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("Correct! " if self.ok else "Not yet. ") + self.message

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#b35900"
        mark = "&#10004; Correct!" if self.ok else "&#10008; Not yet."
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px">'
            f'<b style="color:{colour}">{mark}</b> {html.escape(self.message)}</div>'
        )


def right(message: str) -> Feedback:
    """A correct answer, with a sentence saying why it is right."""
    return Feedback(True, message)


def wrong(hint: str) -> Feedback:
    """A wrong answer, with a hint aimed at the likely mistake."""
    return Feedback(False, hint)


def is_number(value) -> bool:
    """True for a real number (int, float, numpy scalar); False for bool, str, None..."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def same_array(answer, expected, *, atol: float = 1e-9) -> bool:
    """True when ``answer`` has ``expected``'s shape and values (within ``atol``)."""
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    b = np.asarray(expected, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=0))


def not_a_whole_number(answer) -> Feedback | None:
    """A hint when ``answer`` is not a whole number (text, a list, 2.5...); None when it is."""
    if isinstance(answer, str):
        return wrong(f"Give a whole number without quotes (text is not a number); got {answer!r}.")
    if not is_number(answer):
        return wrong(f"Give a single whole number (an int); got {answer!r}.")
    if float(answer) != int(answer):
        return wrong(f"A count of numbers is a whole number; got {answer!r}.")
    return None


def first_match(answer, mistakes) -> Feedback | None:
    """The hint of the first ``(value, hint)`` in ``mistakes`` whose value equals ``answer``."""
    for value, hint in mistakes:
        if int(answer) == value:
            return wrong(hint)
    return None


def exercise(*, answers: int = 1, whole_number: bool = False):
    """Decorator: the opening every check shares, written once.

    The check's first ``answers`` parameters are the student's answers. When any of them
    is ``None`` (the exercise cell's placeholder) the check returns ``wrong(REPLACE_NONE)``;
    with ``whole_number=True`` an answer that is not a whole number (text, a list, 2.5)
    gets :func:`not_a_whole_number`'s hint. Otherwise the check itself runs, and sees only
    real answers. The check keeps its name, signature and docstring.
    """
    if isinstance(answers, bool) or not isinstance(answers, int) or answers < 1:
        raise ValueError(f"answers must be a whole number >= 1; got {answers!r}")

    def decorate(check):
        params = list(inspect.signature(check).parameters)
        if len(params) < answers:
            raise ValueError(
                f"answers={answers}, but {check.__name__} has only {len(params)} "
                f"parameter(s): {params}"
            )
        names = params[:answers]

        @functools.wraps(check)
        def opened(*args, **kwargs) -> Feedback:
            given = dict(zip(names, args, strict=False))
            given.update((n, kwargs[n]) for n in names if n in kwargs)
            if len(given) < len(names):  # an answer left out: Python's own TypeError
                return check(*args, **kwargs)
            values = [given[n] for n in names]
            if any(v is None for v in values):
                return wrong(REPLACE_NONE)
            if whole_number:
                for value in values:
                    problem = not_a_whole_number(value)
                    if problem is not None:
                        return problem
            return check(*args, **kwargs)

        return opened

    return decorate
