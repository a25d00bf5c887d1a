"""Property-based tests (Hypothesis, derandomized in conftest): the identities each piece must satisfy on
every shape and value drawn, checked against numpy."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import SymNMF
from keras_mf import TruncatedSVD
from keras_mf import graph
from keras_mf import linalg
from keras_mf.datasets import load_mnist

EXAMPLES = {"pinv": 40, "svd": 6, "symnmf": 12, "knn": 25, "splits": 60}


@st.composite
def low_rank_matrices(draw):
    """(m, n) float64 matrices of a drawn rank r ≤ min(m, n), singular values spread over 3 decades."""
    m, n = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    r = draw(st.integers(1, min(m, n)))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((m, r)))
    v, _ = np.linalg.qr(rng.standard_normal((n, r)))
    return (u * np.logspace(0, -3, r)) @ v.T


@settings(max_examples=EXAMPLES["pinv"])
@given(low_rank_matrices())
def test_pinv_satisfies_the_four_penrose_conditions(a):
    p = to_numpy(linalg.pinv(a))
    tol = 1e-9 * max(1.0, np.abs(a).max()) * max(1.0, np.abs(p).max()) ** 2
    np.testing.assert_allclose(a @ p @ a, a, atol=tol)
    np.testing.assert_allclose(p @ a @ p, p, atol=tol)
    np.testing.assert_allclose((a @ p).T, a @ p, atol=tol)
    np.testing.assert_allclose((p @ a).T, p @ a, atol=tol)
    np.testing.assert_allclose(p, np.linalg.pinv(a), atol=1e-8 * max(1.0, np.abs(p).max()))


def _data(n, d, seed, offset, decades, cuts):
    """Data (n, d) at `offset` from the origin with column scales over `decades` decades, and its rows split at
    `cuts` into batches."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, d)) * np.logspace(0, -decades, d) + offset).astype(np.float32)
    return x, np.split(x, cuts)


@st.composite
def data_and_batches(draw):
    """Data (n, d) with a drawn offset and conditioning, and a split of its rows into batches."""
    n, d = draw(st.integers(8, 60)), draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**31 - 1))
    offset = draw(st.sampled_from([0.0, 5.0, 300.0]))
    decades = draw(st.sampled_from([0.0, 1.0, 2.0]))
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=4)))
    return _data(n, d, seed, offset, decades, cuts)


# Each adapt of a new shape traces the Gram step again, so the drawn examples are few; the cases that matter are
# always among them: every offset and conditioning, batches of one row, uneven batches and a single one.
@settings(max_examples=EXAMPLES["svd"])
@given(data_and_batches(), st.integers(1, 2))
@example(_data(30, 6, 1, 300.0, 2.0, [1, 2, 3, 20]), 2)
@example(_data(30, 6, 2, 5.0, 1.0, [7]), 1)
@example(_data(30, 6, 3, 0.0, 0.0, []), 2)
@pytest.mark.slow
def test_truncated_svd_one_batch_or_many_matches_numpy(data, rank):
    x, batches = data
    centred = x.astype(np.float64) - x.astype(np.float64).mean(0)
    expected = np.linalg.svd(centred, compute_uv=False)[:rank]
    whole, streamed = TruncatedSVD(rank=rank, solver="eigh"), TruncatedSVD(rank=rank, solver="eigh")
    whole.adapt(x)
    streamed.adapt(batches)
    for layer in (whole, streamed):
        # float32 data: relative 1e-4 of σ₁ (the eigen-solve runs in float32 on the float64 statistics).
        np.testing.assert_allclose(to_numpy(layer.singular_values), expected, rtol=1e-4, atol=1e-4 * expected[0])


def _graph(seed, n):
    rng = np.random.default_rng(seed)
    a = rng.random((n, n)) * (rng.random((n, n)) < 0.5)
    a = a + a.T
    a[np.arange(n), (np.arange(n) + 1) % n] += 0.5  # a ring: no isolated node
    return (a + a.T) / 2


@pytest.mark.filterwarnings("ignore::keras_mf.exceptions.ConvergenceWarning")  # 300 iterations suffice here
@settings(max_examples=EXAMPLES["symnmf"])
@given(st.integers(0, 2**31 - 1), st.integers(6, 20), st.integers(1, 3), st.sampled_from(["line_search", "armijo"]))
@pytest.mark.slow
def test_symnmf_objective_never_increases_and_precisions_agree(seed, n, k, step):
    a = _graph(seed, n)
    fits = {
        dtype: SymNMF(k, step=step, solver="pg", max_iter=300, tol=1e-6, random_state=seed % 1000, dtype=dtype).fit(a)
        for dtype in ("float32", "float64")
    }
    for dtype, model in fits.items():
        history = np.asarray(model.history_, np.float64)
        assert np.all(np.diff(history) <= 1e-5 * history[0]), dtype
        assert model.components_.min() >= 0
    f32, f64 = fits["float32"].objective_, fits["float64"].objective_
    assert f32 == pytest.approx(f64, rel=1e-2, abs=1e-4)


@settings(max_examples=EXAMPLES["knn"])
@given(st.integers(0, 2**31 - 1), st.integers(5, 40), st.integers(1, 4), st.integers(1, 6))
def test_knn_graph_is_a_symmetric_similarity_with_enough_edges(seed, n, d, k):
    k = min(k, n - 1)
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    w = tf.sparse.to_dense(graph.knn_graph(x, n_neighbors=k, block_size=7)).numpy()
    np.testing.assert_array_equal(w, w.T)
    assert np.all(np.diag(w) == 0)
    assert np.all((w > 0).sum(1) >= k)
    assert np.all((w[w != 0] > 0) & (w[w != 0] <= 1))


@st.composite
def split_strings(draw):
    """A tfds split of the bundled 10,000-image test split, and the numpy slice it must equal."""

    def bound():
        kind = draw(st.sampled_from(["none", "rows", "negative", "percent"]))
        if kind == "rows":
            value = draw(st.integers(0, 10_000))
            return str(value), value
        if kind == "negative":
            value = draw(st.integers(1, 10_000))
            return f"-{value}", 10_000 - value
        if kind == "percent":
            value = draw(st.integers(0, 100))
            return f"{value}%", int(round(value * 100))
        return "", None

    (start_text, start), (stop_text, stop) = bound(), bound()
    if start_text == stop_text == "":
        return "test", slice(None)
    return f"test[{start_text}:{stop_text}]", slice(start, stop)


@pytest.fixture(scope="module")
def test_labels():
    return load_mnist("test", source="bundled", as_numpy=True, verbose=False)[1]


@settings(max_examples=EXAMPLES["splits"])
@given(split_strings())
def test_split_strings_select_the_rows_numpy_slicing_does(test_labels, split):
    text, rows = split
    _, labels = load_mnist(text, source="bundled", as_numpy=True, verbose=False)
    np.testing.assert_array_equal(labels, test_labels[rows])
