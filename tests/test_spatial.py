"""Spatial separability: rank-1 kernels split exactly, others raise, two passes equal 2-D."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convtutor as ct
from convtutor import kernels as K
from tests.support.conv import TOL, torch_conv
from tests.support.optional_torch import F, torch


@st.composite
def vectors(draw, low=1, high=9):
    """A random non-zero 1-D vector."""
    n = draw(st.integers(low, high))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    v = rng.standard_normal(n)
    return v if np.any(v) else v + 1.0


@settings(max_examples=200)
@given(vectors(), vectors())
def test_random_rank1_kernels_separate_exactly(column, row):
    """outer(column, row) of any shape separates back into factors whose outer product equals it."""
    kernel = np.outer(column, row)
    c, r = ct.separate(kernel)
    assert c.shape == column.shape and r.shape == row.shape
    np.testing.assert_allclose(
        np.outer(c, r), kernel, rtol=1e-12, atol=1e-12 * np.abs(kernel).max()
    )
    assert ct.kernel_rank(kernel) == 1


@settings(max_examples=100)
@given(st.integers(2, 7), st.integers(2, 7), st.integers(0, 2**32 - 1))
def test_full_rank_kernels_raise(h, w, seed):
    """A random (full-rank) kernel raises NotSeparableError, a ValueError stating its rank."""
    kernel = np.random.default_rng(seed).standard_normal((h, w))
    rank = min(h, w)
    assert ct.kernel_rank(kernel) == rank
    with pytest.raises(ct.NotSeparableError, match=f"rank {rank}") as info:
        ct.separate(kernel)
    assert isinstance(info.value, ValueError)


def test_sobel_factors_are_the_textbook_ones():
    """separate(SOBEL_X) gives [1, 2, 1] and [-1, 0, 1]; SOBEL_Y the same, swapped."""
    c, r = ct.separate(K.SOBEL_X)
    np.testing.assert_array_equal(c, [1, 2, 1])
    np.testing.assert_array_equal(r, [-1, 0, 1])
    c, r = ct.separate(K.SOBEL_Y)
    np.testing.assert_array_equal(np.outer(c, r), K.SOBEL_Y)
    np.testing.assert_array_equal(K.SOBEL_X, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_classic_kernel_ranks():
    """Sobel, Scharr, Prewitt, box, Gaussian and identity have rank 1; Laplacian and sharpen 2."""
    for kernel in (
        K.SOBEL_X,
        K.SOBEL_Y,
        K.SCHARR_X,
        K.PREWITT_Y,
        K.box(5),
        K.gaussian(7, 1.5),
        K.IDENTITY,
    ):
        assert ct.kernel_rank(kernel) == 1
    assert ct.kernel_rank(K.LAPLACIAN) == 2
    assert ct.kernel_rank(K.SHARPEN) == 2
    with pytest.raises(ct.NotSeparableError, match="rank 2"):
        ct.separate(K.LAPLACIAN)


def test_laplacian_is_sum_of_two_separable_terms():
    """The Laplacian is the sum of its two SVD terms, each a column times a row."""
    terms = ct.separable_terms(K.LAPLACIAN)
    assert len(terms) == 2
    np.testing.assert_allclose(sum(np.outer(c, r) for c, r in terms), K.LAPLACIAN, atol=1e-12)


@settings(max_examples=50)
@given(st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_low_rank_approximation_error_is_tail_of_singular_values(n, seed):
    """Best rank-r error (Frobenius) = sqrt(sum of the dropped singular values squared)."""
    kernel = np.random.default_rng(seed).standard_normal((n, n))
    s = ct.singular_values(kernel)
    for r in range(n + 1):
        err = np.linalg.norm(kernel - ct.low_rank_approximation(kernel, r))
        assert err == pytest.approx(np.sqrt(np.sum(s[r:] ** 2)), abs=1e-9)


@settings(max_examples=200)
@given(
    vectors(1, 6),
    vectors(1, 6),
    st.sampled_from([0, 1, 2, (1, 0), "same", "valid"]),
    st.integers(0, 2**32 - 1),
    st.sampled_from([(12, 10), (3, 12, 10), (2, 3, 12, 10)]),
)
def test_two_passes_equal_the_2d_filter(column, row, padding, seed, shape):
    """separable_filter2d(column, row) equals filtering with outer(column, row), and torch."""
    image = np.random.default_rng(seed).standard_normal(shape)
    two_pass = ct.separable_filter2d(image, column, row, padding=padding)
    direct = ct.filter2d(image, np.outer(column, row), padding=padding)
    np.testing.assert_allclose(two_pass, direct, rtol=0, atol=1e-9)
    batch = image.reshape(1, -1, *shape[-2:])
    weight = np.broadcast_to(np.outer(column, row), (batch.shape[1], 1, column.size, row.size))
    expected = F.conv2d(
        torch.from_numpy(batch.copy()), torch.from_numpy(weight.copy()), padding=padding,
        groups=batch.shape[1],
    ).numpy().reshape(two_pass.shape)  # fmt: skip
    np.testing.assert_allclose(two_pass, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kernel", [K.SOBEL_X, K.LAPLACIAN, K.box(4)])
def test_filter2d_matches_torch(kernel):
    """filter2d cross-correlates every channel with one kernel, like torch groups=C."""
    img = ct.data.sample_image(32)
    w = np.broadcast_to(kernel, (3, 1, *kernel.shape))
    np.testing.assert_allclose(
        ct.filter2d(img, kernel, padding=1), torch_conv(img, w, padding=1, groups=3), atol=TOL
    )
