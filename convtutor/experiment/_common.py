"""Helpers shared by the experiments: argument checks and progress bars."""

from __future__ import annotations

import numbers


def whole(value, name: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a TypeError / ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {value}")
    return int(value)


def seed_number(value, name: str = "seed") -> int:
    """A whole number (any sign) used as a random seed."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number; got {value!r}")
    return int(value)


def progress(total: int, desc: str, *, enabled: bool, unit: str = "epoch"):
    """A tqdm bar (a widget in Jupyter, text on stderr elsewhere), or None if not enabled."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit)
