"""SVD solves and eigen-solvers against numpy."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mf import linalg
from keras_mf.linalg.decompositions import _orthonormalize

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("n", [2, 5, 20])
def test_svd_inverse_matches_numpy(n):
    a = RNG.standard_normal((n, n)) + n * np.eye(n)
    np.testing.assert_allclose(linalg.svd_inverse(a).numpy(), np.linalg.inv(a), rtol=1e-9, atol=1e-12)


def test_svd_inverse_is_batched():
    a = RNG.standard_normal((4, 3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(linalg.svd_inverse(a).numpy(), np.linalg.inv(a), rtol=1e-9, atol=1e-12)


def test_svd_inverse_singular_and_ill_conditioned():
    with pytest.raises(ValueError, match="singular"):
        linalg.svd_inverse([[1.0, 2.0], [2.0, 4.0]])
    with pytest.warns(RuntimeWarning, match="ill-conditioned"):
        linalg.svd_inverse([[1.0, 0.0], [0.0, 1e-10]])
    with pytest.raises(ValueError, match="square"):
        linalg.svd_inverse(np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        linalg.svd_inverse([[np.nan, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_pinv_matches_numpy_including_rank_deficient(shape):
    a = RNG.standard_normal(shape)
    a[:, 0] = a[:, 1]  # rank deficient
    np.testing.assert_allclose(linalg.pinv(a).numpy(), np.linalg.pinv(a), rtol=1e-8, atol=1e-10)


def test_lstsq_tall_minimises_residual_and_wide_gives_minimum_norm():
    tall = RNG.standard_normal((8, 3))
    y = RNG.standard_normal(8)
    np.testing.assert_allclose(linalg.lstsq(tall, y).numpy(), np.linalg.lstsq(tall, y, rcond=None)[0], atol=1e-10)
    wide = RNG.standard_normal((3, 8))
    z = RNG.standard_normal(3)
    x = linalg.lstsq(wide, z).numpy()
    np.testing.assert_allclose(wide @ x, z, atol=1e-10)
    other = x + (np.eye(8) - np.linalg.pinv(wide) @ wide) @ RNG.standard_normal(8)
    np.testing.assert_allclose(wide @ other, z, atol=1e-10)
    assert np.linalg.norm(x) < np.linalg.norm(other)
    np.testing.assert_allclose(
        linalg.lstsq(tall, np.stack([y, 2 * y], 1)).numpy()[:, 1], 2 * linalg.lstsq(tall, y).numpy(), atol=1e-10
    )


def test_condition_number():
    a = np.diag([10.0, 2.0, 0.5])
    assert float(linalg.condition_number(a)) == pytest.approx(20.0, rel=1e-12)
    assert np.isinf(float(linalg.condition_number([[1.0, 1.0], [1.0, 1.0]])))


def test_eigendecomposition_refuses_defective_and_reconstructs_diagonalizable():
    with pytest.raises(ValueError, match="defective"):
        linalg.eigendecomposition([[-1, 1, 0], [-4, 3, 0], [1, 0, 2]])
    a = np.array([[2.0, 1.0], [0.0, 3.0]])
    values, q = linalg.eigendecomposition(a)
    q = q.numpy()
    np.testing.assert_allclose(np.real(q @ np.diag(values.numpy()) @ np.linalg.inv(q)), a, atol=1e-12)
    s = np.array([[2.0, 1.0], [1.0, 2.0]])
    values, q = linalg.eigendecomposition(s)
    np.testing.assert_allclose(q.numpy().T @ q.numpy(), np.eye(2), atol=1e-12)  # symmetric: orthonormal


def test_principal_angles():
    a = np.eye(4)[:, :2]
    np.testing.assert_allclose(linalg.principal_angles(a, a @ [[1.0, 2.0], [0.0, 1.0]]).numpy(), [0, 0], atol=1e-7)
    b = np.eye(4)[:, [0, 2]]
    np.testing.assert_allclose(linalg.principal_angles(a, b).numpy(), [0, np.pi / 2], atol=1e-7)


@pytest.mark.parametrize("k", [1, 4, 10])
def test_top_eigh_matches_numpy_on_decaying_spectrum(k):
    q, _ = np.linalg.qr(RNG.standard_normal((200, 200)))
    c = (q * 0.8 ** np.arange(200)) @ q.T
    values, vectors = linalg.top_eigh(tf.constant(c), k, iterations=30)
    np.testing.assert_allclose(values.numpy(), 0.8 ** np.arange(k), rtol=1e-8)
    np.testing.assert_allclose(np.abs(vectors.numpy().T @ q[:, :k]), np.eye(k), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["well_conditioned", "rank_deficient"])
def test_orthonormalize_spans_the_columns(dtype, case):
    y = RNG.standard_normal((300, 20))
    if case == "rank_deficient":
        # Cholesky QR breaks down here (its Gram matrix is singular); the Householder fallback answers.
        y[:, 10:] = y[:, :10] @ RNG.standard_normal((10, 10))
    q = _orthonormalize(tf.constant(y, dtype)).numpy().astype(np.float64)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(q.T @ q, np.eye(20), atol=tol)
    np.testing.assert_allclose(q @ (q.T @ y), y, atol=100 * tol)


@pytest.mark.parametrize("rank", [3, 15])
def test_top_eigh_of_a_low_rank_matrix(rank):
    # The block, k + oversampling = 20 columns, exceeds the rank: its products are rank-deficient.
    basis, _ = np.linalg.qr(RNG.standard_normal((120, rank)))
    values = 2.0 ** -np.arange(rank)
    c = (basis * values) @ basis.T
    top, vectors = linalg.top_eigh(tf.constant(c), 10)
    expected = np.concatenate([values, np.zeros(10)])[:10]
    np.testing.assert_allclose(top.numpy(), expected, atol=1e-10)
    np.testing.assert_allclose(vectors.numpy().T @ vectors.numpy(), np.eye(10), atol=1e-10)


def test_power_iteration():
    value, vector, _ = linalg.power_iteration(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert float(value) == pytest.approx(3.0, abs=1e-10)
    np.testing.assert_allclose(vector.numpy(), [2**-0.5, 2**-0.5], atol=1e-8)
