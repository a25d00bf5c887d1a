"""Sparse input (issue #24, scenario 8): TruncatedSVD fits scipy.sparse matrices, tf.SparseTensors and datasets of
sparse batches without densifying them, centred or not, and its call takes sparse batches; every other entry point
either accepts sparse input or refuses it with a TypeError naming the argument."""

import numpy as np
import pytest
import scipy.sparse as sp
import tensorflow as tf
from keras.ops import convert_to_numpy as to_numpy
from sklearn.decomposition import PCA
from sklearn.decomposition import TruncatedSVD as SklearnTruncatedSVD

from keras_mf import SymNMF
from keras_mf import TruncatedSVD
from keras_mf import cluster
from keras_mf import graph
from keras_mf import linalg
from keras_mf.graph.pipeline import cluster as graph_cluster


def _tfidf_like(rows=300, features=40, density=0.08, seed=0):
    """A nonnegative sparse matrix with rows scaled to unit norm, like a TF-IDF matrix."""
    x = sp.random(rows, features, density=density, format="csr", random_state=seed, dtype=np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1))).ravel()
    return sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x)


def _sparse_tensor(x, dtype=np.float32):
    coo = x.tocoo()
    return tf.sparse.reorder(tf.SparseTensor(np.stack([coo.row, coo.col], 1), coo.data.astype(dtype), coo.shape))


def _fit(data, **kwargs):
    batch_size = kwargs.pop("batch_size", None)
    layer = TruncatedSVD(**kwargs)
    layer.adapt(data, batch_size=batch_size)
    return layer


def _numpy_reference(dense, center):
    x = dense - dense.mean(0) if center else dense
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    return s, vt


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("kind", ["csr", "coo", "csc", "sparse_tensor", "dataset"])
def test_sparse_fit_equals_numpy_on_the_densified_matrix(kind, center):
    x = _tfidf_like()
    data = {
        "csr": x,
        "coo": x.tocoo(),
        "csc": x.tocsc(),
        "sparse_tensor": _sparse_tensor(x, np.float64),
        "dataset": tf.data.Dataset.from_tensor_slices(_sparse_tensor(x, np.float64)).batch(64),
    }[kind]
    layer = _fit(data, rank=5, center=center, dtype="float64", batch_size=70)
    s, vt = _numpy_reference(x.toarray(), center)
    np.testing.assert_allclose(to_numpy(layer.singular_values), s[:5], rtol=1e-10)
    np.testing.assert_allclose(np.abs(to_numpy(layer.components).T @ vt[:5].T), np.eye(5), atol=1e-8)
    np.testing.assert_allclose(to_numpy(layer.mean), x.toarray().mean(0) if center else 0.0, atol=1e-14)


@pytest.mark.parametrize("center", [True, False])
def test_sparse_call_and_reconstruct_equal_the_dense_ones(center):
    x = _tfidf_like(seed=1)
    layer = _fit(x, rank=4, center=center)
    dense = x.toarray().astype(np.float32)
    for batch in (x[:50], _sparse_tensor(x[:50])):
        np.testing.assert_allclose(to_numpy(layer(batch)), to_numpy(layer(dense[:50])), atol=1e-6)
        np.testing.assert_allclose(
            to_numpy(layer.reconstruct(batch)), to_numpy(layer.reconstruct(dense[:50])), atol=1e-6
        )


def test_uncentred_sparse_fit_matches_scikit_learn_truncated_svd():
    x = _tfidf_like(rows=500, features=60, seed=2)
    ours = _fit(x, rank=6, center=False, dtype="float64")
    reference = SklearnTruncatedSVD(6, algorithm="arpack", random_state=0).fit(x)
    np.testing.assert_allclose(to_numpy(ours.singular_values), reference.singular_values_, rtol=1e-8)
    np.testing.assert_allclose(np.abs(to_numpy(ours.components).T @ reference.components_.T), np.eye(6), atol=1e-6)


def test_centred_sparse_fit_matches_scikit_learn_sparse_pca():
    """scikit-learn's PCA centres sparse input implicitly (its arpack solver on a linear operator)."""
    x = _tfidf_like(rows=500, features=60, seed=3)
    ours = _fit(x, rank=6, dtype="float64")
    reference = PCA(6, svd_solver="arpack", random_state=0).fit(x)
    np.testing.assert_allclose(to_numpy(ours.explained_variance), reference.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(to_numpy(ours.mean), reference.mean_, atol=1e-14)


def test_sparse_and_dense_batches_mix_in_one_stream():
    """A dense batch far from the origin is shifted by its mean; sparse batches, never shifted, are moved to that
    reference exactly in float64 (and vice versa)."""
    x = _tfidf_like(rows=200, seed=4).toarray() + 0.0
    x[:100] += 500.0
    batches = [x[:100], sp.csr_matrix(x[100:150]), x[150:]]
    layer = _fit(batches, rank=3, dtype="float64")
    s, _ = _numpy_reference(x, True)
    np.testing.assert_allclose(to_numpy(layer.singular_values), s[:3], rtol=1e-9)


def test_sparse_nan_is_refused():
    x = _tfidf_like()
    x.data[3] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        TruncatedSVD(rank=2).adapt(x)


def test_sparse_values_of_a_bad_dtype_are_refused_naming_data():
    x = _tfidf_like().astype(bool)
    with pytest.raises(TypeError, match="`data`"):
        TruncatedSVD(rank=2).adapt(x)


SPARSE = _tfidf_like(rows=12, features=6, density=0.5, seed=5).astype(np.float32)
SIMILARITY = sp.csr_matrix(SPARSE.T @ SPARSE)

# Entry points that take points or matrices and refuse sparse input: (call, name of the argument).
REFUSED = {
    "knn_graph": (lambda: graph.knn_graph(SPARSE, n_neighbors=3), "x"),
    "fuzzy_knn_graph": (lambda: graph.fuzzy_knn_graph(SPARSE, n_neighbors=3), "x"),
    "nearest_neighbors": (lambda: graph.nearest_neighbors(_sparse_tensor(SPARSE), 3), "x"),
    "gaussian_similarity": (lambda: graph.gaussian_similarity(SPARSE, sigma=1.0), "x"),
    "kmeans": (lambda: cluster.kmeans(SPARSE, 2), "x"),
    "pinv": (lambda: linalg.pinv(SPARSE), "a"),
    "lstsq b": (lambda: linalg.lstsq(SPARSE.toarray(), sp.csr_matrix(np.ones((12, 1)))), "b"),
    "svd_inverse": (lambda: linalg.svd_inverse(SIMILARITY), "a"),
    "condition_number": (lambda: linalg.condition_number(_sparse_tensor(SPARSE)), "a"),
    "eigendecomposition": (lambda: linalg.eigendecomposition(SIMILARITY), "a"),
    "power_iteration": (lambda: linalg.power_iteration(SIMILARITY), "a"),
    "principal_angles": (lambda: linalg.principal_angles(SPARSE, SPARSE), "a"),
    "pipeline.cluster": (lambda: graph_cluster(SPARSE, 2), "x"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_sparse_input_is_refused_with_a_type_error_naming_the_argument(name):
    call, argument = REFUSED[name]
    with pytest.raises(TypeError, match=f"`{argument}`.*sparse"):
        call()


def test_graph_functions_accept_scipy_sparse_similarities():
    dense = SIMILARITY.toarray()
    np.testing.assert_allclose(to_numpy(graph.laplacian(SIMILARITY)), to_numpy(graph.laplacian(dense)), atol=1e-6)
    np.testing.assert_allclose(
        to_numpy(tf.sparse.to_dense(graph.normalize_adjacency(SIMILARITY))),
        to_numpy(graph.normalize_adjacency(dense)),
        atol=1e-6,
    )
    assert graph.connected_components(SIMILARITY)[0] == graph.connected_components(dense)[0]
    np.testing.assert_allclose(graph.fiedler_vector(SIMILARITY)[0], graph.fiedler_vector(dense)[0], rtol=1e-12)
    labels = graph.spectral_clustering(SIMILARITY, 2)
    assert labels.shape == (6,)
    np.testing.assert_allclose(
        SymNMF(2, random_state=0).fit(SIMILARITY).components_,
        SymNMF(2, random_state=0).fit(dense).components_,
        atol=1e-5,
    )
