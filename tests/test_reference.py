"""convtutor/reference.py: the plain-loop definition of 2-D convolution."""

import numpy as np
from hypothesis import given, settings

import convtutor as ct
from tests.support.conv import TOL, conv_case, torch_conv


@settings(max_examples=60)
@given(conv_case())
def test_loop_reference_equals_vectorised(case):
    """The plain-loop definition equals the vectorised conv2d (small cases)."""
    x, weight, bias, kw = case
    np.testing.assert_allclose(
        ct.conv2d_loop(x, weight, bias, **kw), ct.conv2d(x, weight, bias, **kw), rtol=0, atol=TOL
    )


@settings(max_examples=30)
@given(conv_case())
def test_loop_reference_equals_torch(case):
    """The plain-loop definition equals PyTorch's conv2d."""
    x, weight, bias, kw = case
    np.testing.assert_allclose(
        ct.conv2d_loop(x, weight, bias, **kw), torch_conv(x, weight, bias, **kw), rtol=0, atol=TOL
    )
