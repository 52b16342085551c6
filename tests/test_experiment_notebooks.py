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
    for other in {"claim held", "did not hold", "Inconclusive"} - set(phrases):
        assert other not in text
