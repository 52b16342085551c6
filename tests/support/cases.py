"""States to test a widget in: every control through its values, from varied starts.

``cases(widget, per_control, seed)`` returns moves ``(start, name, value, end)``: from
a ``start`` state, control ``name`` is set to ``value`` and the widget's own rules
(``Widget.normalise``) give ``end``. Range controls with few steps are swept whole;
longer ones are sampled (always with both ends). The Node tests replay the same
moves in the ES module and must reach the same ``end`` and the same picture.
"""

from __future__ import annotations

import numpy as np


def control_values(widget, state, name, per_control, rng):
    spec = widget.controls[name]
    if spec["kind"] == "select":
        return list(spec["options"])
    low, high = widget.limits(state, name)
    steps = int(round((high - low) / spec["step"]))
    if steps + 1 <= per_control:
        picks = range(steps + 1)
    else:
        picks = sorted({0, steps, *rng.integers(0, steps + 1, per_control - 2).tolist()})
    integer = isinstance(spec["step"], int) and isinstance(spec["min"], int)
    out = []
    for k in picks:
        v = low + k * spec["step"]
        out.append(int(round(v)) if integer else float(round(v, 6)))
    return out


def cases(widget, per_control: int = 12, seed: int = 0, starts: int = 3):
    """Moves ``(start, name, value, end)`` covering every control of ``widget``."""
    rng = np.random.default_rng(seed)
    original = widget.state
    moves = []
    try:
        start = widget.state
        for round_ in range(starts):
            for name in widget.controls:
                for value in control_values(widget, start, name, per_control, rng):
                    widget.values = start
                    widget.set(**{name: value})
                    moves.append((start, name, value, widget.state))
                # the next control starts from a state this one left behind
                start = moves[int(rng.integers(len(moves)))][3] if round_ else moves[-1][3]
    finally:
        widget.values = original
    return moves
