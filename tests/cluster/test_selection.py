"""keras_mf.cluster.selection: modularity against its definition computed densely in numpy and against closed forms,
the choice among candidates, and the confident points."""

import numpy as np
import pytest
import scipy.sparse
import tensorflow as tf

from keras_mf.cluster.selection import best_by_modularity
from keras_mf.cluster.selection import confident_points
from keras_mf.cluster.selection import modularity


def _reference_modularity(w, labels):
    """Newman's definition term by term: (1/2m) Σ_ij [W_ij − d_i d_j / 2m] δ(c_i, c_j)."""
    w = np.asarray(w, np.float64)
    degree = w.sum(1)
    total = degree.sum()
    q = 0.0
    for i in range(len(w)):
        for j in range(len(w)):
            if labels[i] == labels[j]:
                q += w[i, j] - degree[i] * degree[j] / total
    return q / total


def _random_graph(n=30, seed=0, density=0.3):
    rng = np.random.default_rng(seed)
    w = rng.random((n, n)) * (rng.random((n, n)) < density)
    w = np.triu(w, 1)
    return w + w.T


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", ["dense", "scipy", "tf"])
def test_modularity_matches_the_definition(seed, kind):
    w = _random_graph(seed=seed)
    labels = np.random.default_rng(seed + 10).integers(0, 4, len(w))
    graph = {
        "dense": w,
        "scipy": scipy.sparse.csr_matrix(w),
        "tf": tf.sparse.from_dense(tf.constant(w, tf.float32)),
    }[kind]
    tolerance = 1e-6 if kind == "tf" else 1e-12  # float32 weights in the SparseTensor
    assert modularity(graph, labels) == pytest.approx(_reference_modularity(w, labels), abs=tolerance)


@pytest.mark.parametrize("cliques", [2, 3, 5])
def test_modularity_closed_forms(cliques):
    # c disjoint triangles, each its own cluster: every edge inside, each cluster 1/c of the volume: Q = 1 − 1/c.
    w = np.kron(np.eye(cliques), np.ones((3, 3)) - np.eye(3))
    planted = np.repeat(np.arange(cliques), 3)
    assert modularity(w, planted) == pytest.approx(1.0 - 1.0 / cliques, abs=1e-12)
    # One cluster: all the weight inside, all the volume in it: Q = 1 − 1 = 0.
    assert modularity(w, np.zeros(3 * cliques, int)) == pytest.approx(0.0, abs=1e-12)
    # Every node alone (no self-loops): nothing inside, Q = −Σ_i (d_i / 2m)² = −1/n for a regular graph.
    assert modularity(w, np.arange(3 * cliques)) == pytest.approx(-1.0 / (3 * cliques), abs=1e-12)


def test_best_by_modularity_prefers_the_planted_partition():
    rng = np.random.default_rng(0)
    planted = np.repeat([0, 1, 2], [20, 15, 25])
    w = np.where(planted[:, None] == planted[None], 0.6, 0.02) * rng.random((60, 60))
    w = np.triu(w, 1)
    w = w + w.T
    merged = np.where(planted == 2, 1, planted)  # two of the clusters joined
    shuffled = rng.permutation(planted)
    index, scores = best_by_modularity(w, [shuffled, merged, planted])
    assert index == 2
    np.testing.assert_allclose(scores, [_reference_modularity(w, c) for c in (shuffled, merged, planted)], atol=1e-12)


@pytest.mark.parametrize("fraction", [0.5, 0.8, 1.0])
def test_confident_points_keep_the_most_agreeing_fraction_of_each_cluster(fraction):
    w = _random_graph(n=40, seed=3, density=0.4)
    labels = np.random.default_rng(4).integers(0, 3, 40)
    keep = confident_points(w, labels, fraction)
    agreement = (w * (labels[:, None] == labels[None])).sum(1) / w.sum(1)
    for cluster in range(3):
        members = np.flatnonzero(labels == cluster)
        count = max(1, int(fraction * len(members)))
        assert keep[members].sum() == count
        kept, dropped = agreement[members[keep[members]]], agreement[members[~keep[members]]]
        if dropped.size:
            assert kept.min() >= dropped.max()
    assert keep.sum() == sum(max(1, int(fraction * np.sum(labels == c))) for c in range(3))


@pytest.mark.parametrize(
    "graph, labels, match",
    [
        (np.ones((3, 4)), [0, 0, 1], "`graph`"),
        (-np.ones((3, 3)), [0, 0, 1], "`graph`"),
        (np.zeros((3, 3)), [0, 0, 1], "`graph`"),
        (np.full((3, 3), np.nan), [0, 0, 1], "`graph`"),
        (np.ones((3, 3)), [0, 1], "`labels`"),
        (np.ones((3, 3)), [0, -1, 1], "`labels`"),
        (np.ones((3, 3)), [0.0, 1.0, 1.0], "`labels`"),
    ],
)
def test_bad_inputs_name_the_argument(graph, labels, match):
    with pytest.raises(ValueError, match=f"Received an invalid value for {match}"):
        modularity(graph, labels)


def test_bad_fraction_and_empty_candidates():
    w = np.ones((3, 3)) - np.eye(3)
    with pytest.raises(ValueError, match="`fraction`"):
        confident_points(w, [0, 0, 1], 0.0)
    with pytest.raises(ValueError, match="`candidates`"):
        best_by_modularity(w, [])
