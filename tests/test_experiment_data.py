"""Tests for convtutor.experiment.data: the offline data set of notebook 06."""

import numpy as np
import pytest

from convtutor.experiment import data as ex


def test_dataset_is_deterministic_for_a_seed():
    """The same seed gives identical images and labels; another seed gives other images."""
    x1, y1 = ex.make_dataset(40, seed=5)
    x2, y2 = ex.make_dataset(40, seed=5)
    x3, _ = ex.make_dataset(40, seed=6)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("n", [4, 40, 42])
def test_dataset_shapes_and_balanced_labels(n):
    """Images are (n, 3, size, size) float32 and class counts differ by at most one."""
    x, y = ex.make_dataset(n, size=12, seed=0)
    assert x.shape == (n, 3, 12, 12) and x.dtype == np.float32
    assert y.dtype == np.int64 and set(np.unique(y)) <= {0, 1, 2, 3}
    counts = np.bincount(y, minlength=4)
    assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_dataset_colour_pattern_needs_two_channels():
    """Without noise, red equals green in 'together' classes and red = -green in 'against'."""
    x, y = ex.make_dataset(16, seed=2, noise=0.0)
    red, green = x[:, 0].astype(np.float64), x[:, 1].astype(np.float64)
    together = y % 2 == 0
    assert np.allclose(red[together], green[together], atol=1e-6)
    assert np.allclose(red[~together] + green[~together], 0.0, atol=1e-6)
    # each channel alone has the same spread in both patterns: no single-channel shortcut
    assert abs(red[together].std() - red[~together].std()) < 0.05


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"n": 3}, ValueError), ({"n": 2.5}, TypeError), ({"n": 8, "noise": -1}, ValueError)],
)
def test_dataset_rejects_bad_arguments(kwargs, error):
    """Bad n or noise raises an error naming the argument."""
    with pytest.raises(error, match="n|noise"):
        ex.make_dataset(**kwargs)
