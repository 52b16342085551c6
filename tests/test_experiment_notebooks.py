"""Notebooks 06 and 07 say what their numbers say: conclusions and prose checked here."""

import numpy as np
import pytest

import convtutor.experiment as ex


def _conclusion(std_gap, sep_gap, std_val, sep_val, std_train, sep_train, big_std, big_sep):
    """Run notebook 06's summary helper and conclusion cell on made-up final numbers."""
    import time
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "06_overfitting_experiment.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    helpers = next(s for s in code if s.startswith("def pm(")).split("def summary")[0]
    cell = next(s for s in code if "**Setting.**" in s)
    seeds = tuple(range(len(std_gap)))
    shown = []
    ns = {
        "np": np,
        "ex": ex,
        "time": time,
        "start_of_notebook": time.perf_counter(),
        "QUICK": False,
        "N_TRAIN": 128,
        "N_VAL": 256,
        "EPOCHS": 30,
        "SEEDS": seeds,
        "BIGGER_N_TRAIN": 256,
        "counted": {"standard": 14468, "separable": 2306},
        "ratio": 14468 / 2306,
        "Markdown": str,
        "display": shown.append,
    }
    exec(helpers, ns)
    a = np.asarray
    ns["final"] = {
        "standard": {"acc_gap": a(std_gap), "val_acc": a(std_val), "train_acc": a(std_train)},
        "separable": {"acc_gap": a(sep_gap), "val_acc": a(sep_val), "train_acc": a(sep_train)},
    }
    ns["verdict"] = ex.compare_gaps(std_gap, sep_gap)
    ns["by_size"] = {"standard": [a(std_gap), a(big_std)], "separable": [a(sep_gap), a(big_sep)]}
    ns["val_by_size"] = {"standard": [a(std_val)] * 2, "separable": [a(sep_val)] * 2}
    ns["bigger_verdict"] = ex.compare_gaps(big_std, big_sep)
    exec(cell, ns)
    return shown[0]


@pytest.mark.parametrize(
    ("numbers", "phrases"),
    [
        (  # held, but only because the separable net fits its training set less
            (
                [0.3, 0.28, 0.25],
                [0.1, 0.12, 0.08],
                [0.9, 0.91, 0.92],
                [0.6, 0.62, 0.63],
                [1, 1, 1],
                [0.7, 0.72, 0.71],
                [0.1, 0.12, 0.11],
                [0.1, 0.12, 0.11],
            ),
            ["claim held", "LOWER validation", "fits the training set less", "'inconclusive'"],
        ),
        (  # held, and better on new images
            (
                [0.3, 0.28, 0.25],
                [0.1, 0.12, 0.08],
                [0.6, 0.61, 0.62],
                [0.8, 0.82, 0.83],
                [0.9, 0.9, 0.9],
                [0.9, 0.92, 0.91],
                [0.3, 0.32, 0.31],
                [0.1, 0.12, 0.11],
            ),
            ["claim held", "HIGHER validation", "the same verdict"],
        ),
        (  # reversed, as in the default run of notebook 06
            (
                [0.08, 0.07, 0.1],
                [0.2, 0.21, 0.25],
                [0.92, 0.9, 0.93],
                [0.63, 0.62, 0.65],
                [1, 1, 1],
                [0.85, 0.86, 0.87],
                [0.04, 0.02, 0.06],
                [0.18, 0.2, 0.15],
            ),
            ["did not hold", "MORE on every seed", "training accuracy was lower too"],
        ),
        (  # overlapping ranges; a different verdict with more data
            (
                [0.2, 0.1, 0.15],
                [0.12, 0.18, 0.09],
                [0.8, 0.82, 0.81],
                [0.81, 0.8, 0.82],
                [1, 1, 1],
                [0.99, 1, 1],
                [0.1, 0.12, 0.11],
                [0.2, 0.22, 0.21],
            ),
            ["Inconclusive", "about the same", "a different verdict"],
        ),
        (  # overlapping gaps, the separable net fits its training set less: no "still"
            (
                [0.2, 0.1, 0.15],
                [0.12, 0.18, 0.09],
                [0.8, 0.82, 0.81],
                [0.81, 0.8, 0.82],
                [1, 1, 1],
                [0.8, 0.82, 0.81],
                [0.1, 0.12, 0.11],
                [0.2, 0.22, 0.21],
            ),
            ["Inconclusive", "training accuracy was lower too", "cannot tell whose gap"],
        ),
        (  # one seed: an anecdote
            ([0.2], [0.1], [0.8], [0.7], [1], [0.8], [0.1], [0.05]),
            ["claim held", "1 seed per network", "single seed", "anecdote"],
        ),
    ],
)
def test_notebook_06_conclusion_follows_the_numbers(numbers, phrases):
    """Notebook 06's conclusion says held / reversed / inconclusive as the numbers say."""
    text = _conclusion(*numbers)
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    # each verdict's sentences agree with it: no "larger one" unless the claim was reversed
    assert ("its gap was the larger one" in text) == (
        "did not hold" in text and "training accuracy was lower" in text
    )
    for other in {"claim held", "did not hold", "Inconclusive"} - set(phrases):
        assert other not in text


# ----------------------------------------------------------------- notebook 07's conclusion


def _code_cells(name):
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / name
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _why(memory, arithmetic, call, *, left=True, speedups=(2.0, 3.0), half=None):
    """Run notebook 07's conclusion cell with depth-wise layers whose time shares are given."""
    import time

    cell = next(s for s in _code_cells("07_speed_in_practice.ipynb") if "**Why.**" in s)
    t = 1e-4
    depthwise = [
        {
            "t": t,
            "t_memory": memory * t,
            "t_compute": arithmetic * t,
            "t_call": call * t,
            "t_half": (max(0.5, call) if half is None else half) * t,
            "limit": "memory" if left else "compute",
            "roof_share": max(memory, arithmetic),
        }
        for _ in range(3)
    ]
    shares = {
        "moving its bytes": np.full(3, memory),
        "its arithmetic": np.full(3, arithmetic),
        "the fixed cost of a call": np.full(3, call),
    }
    shown = []
    ns = {
        "np": np,
        "time": time,
        "start_of_notebook": time.perf_counter(),
        "QUICK": False,
        "CHANNELS": (16, 64),
        "KERNEL_SIZES": (3,),
        "rows": [{"channels": 16}, {"channels": 64}],
        "speedup": np.array(speedups),
        "mac_ratio": np.array([5.8, 7.9]),
        "filter_rows": [
            {"kernel_size": 3, "speedup": 1.6, "predicted": 1.5},
            {"kernel_size": 9, "speedup": 4.6, "predicted": 4.5},
        ],
        "shares": shares,
        "depthwise": depthwise,
        "ridge": 4.0,
        "Markdown": str,
        "display": shown.append,
    }
    exec(cell, ns)
    return shown[0]


@pytest.mark.parametrize(
    ("shares", "left", "phrases", "absent"),
    [
        (
            (0.8, 0.1, 0.1),
            True,
            ["memory-bound on this machine", "3 of 3"],
            ["cost per call dominated"],
        ),
        (
            (0.1, 0.05, 0.9),
            True,
            ["not memory-bound", "even where memory was the lower roof", "fixed cost per call"],
            ["compute-bound", "unexplained"],
        ),
        ((0.1, 0.05, 0.9), False, ["not memory-bound on this machine.", "0 of 3"], ["even"]),
        ((0.3, 0.7, 0.1), False, ["compute-bound"], ["memory-bound", "cost per call dominated"]),
        ((0.2, 0.1, 0.3), True, ["not memory-bound", "leave most of the time unexplained"], []),
    ],
)
def test_notebook_07_conclusion_follows_the_measurements(shares, left, phrases, absent):
    """07 says memory-bound, compute-bound or per-call cost only as the measured shares say."""
    text = _why(*shares, left=left)
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    for phrase in absent:
        assert phrase not in text, (phrase, text)


def test_notebook_07_conclusion_says_when_the_cost_of_a_call_was_not_measured():
    """A fixed cost below zero, or above the half-size time, is not a measurement: no verdict."""
    for call, half in ((-0.2, 0.5), (0.9, 0.6)):
        text = _why(0.1, 0.05, call, half=half)
        assert "did not fit a straight line" in text and "per call dominated" not in text, text
    assert "did not fit" not in _why(0.1, 0.05, 0.9, half=0.95)


def test_notebook_07_conclusion_on_speed_ups():
    """The layer summary says 'SLOWER' only when a speed-up is below 1, and counts the rest."""
    assert "SLOWER" in _why(0.1, 0.1, 0.9, speedups=(0.8, 3.0))
    assert "SLOWER" not in _why(0.1, 0.1, 0.9, speedups=(1.2, 3.0))
    # faster everywhere, and one setting even beat its MAC ratio (5.8, 7.9): counted, not assumed
    assert "faster in every setting; in 1 of 2 by less than" in _why(0.1, 0.1, 0.9, speedups=(2, 9))


# ----------------------------------------------------------------- prose of 06 and 07


def _cells(name):
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / name
    return nbformat.read(path, as_version=4).cells


def test_exercise_2_solution_quotes_the_puzzle_ranges():
    """06's solution text gives the min-max ranges of the seed puzzle's gaps, and seeds 0 and 1
    do point opposite ways."""
    import re

    from convtutor.checks import experiments as chk

    text = next(
        c.source
        for c in _cells("06_overfitting_experiment.ipynb")
        if c.cell_type == "markdown" and "The standard gaps run from" in c.source
    )
    found = [float(x) for x in re.findall(r"from (\d\.\d+) to (\d\.\d+)", text)[0]]
    found += [float(x) for x in re.findall(r"ones from (\d\.\d+) to (\d\.\d+)", text)[0]]
    std, sep = chk.SEED_PUZZLE["standard"], chk.SEED_PUZZLE["separable"]
    assert found == [min(std), max(std), min(sep), max(sep)]
    assert "seed 1 says the opposite of seed 0" in text
    assert sep[0] < std[0] and sep[1] > std[1]  # seed 0 for the claim, seed 1 against it


@pytest.mark.parametrize("name", ["06_overfitting_experiment.ipynb", "07_speed_in_practice.ipynb"])
def test_every_result_figure_has_a_predict_first_prompt(name):
    """Each cell that draws a figure follows a markdown cell with a 'Predict first' line."""
    cells = _cells(name)
    figures = [
        i for i, c in enumerate(cells) if c.cell_type == "code" and "plt.subplots" in c.source
    ]
    assert figures
    for i in figures:
        above = next(c for c in reversed(cells[:i]) if c.cell_type == "markdown")
        assert "**Predict first:**" in above.source, cells[i].source.splitlines()[0]


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("06_overfitting_experiment.ipynb", "in under a minute"),
        ("06_overfitting_experiment.ipynb", "the largest possible with 4 classes"),
        ("06_overfitting_experiment.ipynb", "would leave it far behind"),
        ("06_overfitting_experiment.ipynb", "matters most for the separable"),
        ("07_speed_in_practice.ipynb", "is the best case"),
        ("07_speed_in_practice.ipynb", "how much of that promise survives"),
        ("07_speed_in_practice.ipynb", "the share of the promise"),
        ("07_speed_in_practice.ipynb", "a call on a 1×1 image, which does almost no work"),
        ("07_speed_in_practice.ipynb", "is a best case"),
        ("07_speed_in_practice.ipynb", "larger than the processor's caches"),
        ("07_speed_in_practice.ipynb", "it is **memory-bound**"),
        ("07_speed_in_practice.ipynb", "why it makes a depth-wise"),
    ],
)
def test_unmeasured_claims_stay_out_of_the_prose(name, phrase):
    """Claims the issue found unproven are not typed in the prose; cells print measurements."""
    prose = "\n".join(c.source for c in _cells(name) if c.cell_type == "markdown")
    assert phrase not in prose.lower()
