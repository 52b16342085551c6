"""convtutor/kernels.py: the named kernels, built from their factors."""

import numpy as np
import pytest

from convtutor import kernels as K


def test_kernels_are_read_only_and_built_from_factors():
    """Kernels cannot be changed by accident and equal the outer products of their factors."""
    with pytest.raises(ValueError):
        K.SOBEL_X[0, 0] = 5
    np.testing.assert_array_equal(K.SCHARR_X, np.outer([3, 10, 3], [-1, 0, 1]))
    np.testing.assert_array_equal(K.PREWITT_X, np.outer([1, 1, 1], [-1, 0, 1]))
    g = K.gaussian_1d(5, 1.0)
    np.testing.assert_allclose(K.gaussian(5, 1.0), np.outer(g, g))
    assert K.gaussian(5, 1.0).sum() == pytest.approx(1.0)
    assert K.box(3).sum() == pytest.approx(1.0)
    for name, kernel in K.NAMED.items():
        assert K.get(name) is kernel
