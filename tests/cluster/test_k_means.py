"""k_means: k-means++ and Lloyd's iterations, against scikit-learn's KMeans and Lloyd's fixed point in numpy."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from keras_mf.cluster import kmeans


def _blobs(seed, k=4, per=60, spread=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, 3)) * 4
    truth = np.repeat(np.arange(k), per)
    return (centers[truth] + spread * rng.standard_normal((k * per, 3))).astype(np.float32), truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reaches_scikit_learns_inertia_at_a_lloyd_fixed_point(seed):
    """Overlapping blobs (spread 1 against centres ~4 apart): both implementations' best of 10 starts reach the same
    partition; its inertia, and our centres as the means of their points, are checked in float64 numpy."""
    x, _ = _blobs(seed)
    labels, centers, inertia = kmeans(x, 4, n_init=10, seed=seed)
    reference = KMeans(4, n_init=10, random_state=seed).fit(x.astype(np.float64))
    assert adjusted_rand_score(reference.labels_, labels) == 1.0
    x64 = x.astype(np.float64)
    means = np.stack([x64[labels == j].mean(0) for j in range(4)])
    np.testing.assert_allclose(centers, means, rtol=0, atol=1e-5)  # Lloyd's fixed point: centres are the means
    nearest = np.argmin(((x64[:, None] - means[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(labels, nearest)  # ... and every point is with its nearest centre
    exact = float(((x64 - means[labels]) ** 2).sum())
    assert inertia == pytest.approx(exact, rel=1e-5)
    assert inertia == pytest.approx(reference.inertia_, rel=1e-5)


def test_best_of_several_starts_is_kept():
    """n_init keeps the lowest inertia: never above a single start's, with the same seed for start 0."""
    x, _ = _blobs(5, k=6, per=20, spread=2.0)
    single = kmeans(x, 6, n_init=1, seed=0)[2]
    several = kmeans(x, 6, n_init=8, seed=0)[2]
    assert several <= single


def test_one_cluster_is_the_mean_and_n_clusters_n_is_every_point():
    x, _ = _blobs(3, per=5)
    labels, centers, inertia = kmeans(x, 1, n_init=1)
    np.testing.assert_allclose(centers[0], x.astype(np.float64).mean(0), rtol=1e-6)
    assert inertia == pytest.approx(float(((x - x.astype(np.float64).mean(0)) ** 2).sum()), rel=1e-5)
    labels, _, inertia = kmeans(x, len(x), n_init=1)
    assert sorted(labels.tolist()) == list(range(len(x)))
    # Distances come from ‖x‖² − 2x·c + ‖c‖² in float32: a point's distance to itself is round-off of ‖x‖², not 0.
    assert inertia == pytest.approx(0.0, abs=4 * len(x) * float(np.finfo(np.float32).eps) * float((x**2).sum(1).max()))
