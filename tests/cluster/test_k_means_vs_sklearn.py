"""keras_mf.cluster.kmeans (TensorFlow, kept: it runs inside the deep-clustering loop on tensors) against
scikit-learn's KMeans from the same k-means++ centres."""

import numpy as np
import pytest
import tensorflow as tf
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from keras_mf.cluster import kmeans
from keras_mf.cluster.k_means import _kmeans_plus_plus

DATA = {
    "separated blobs": lambda: make_blobs(400, n_features=5, centers=6, cluster_std=1.0, random_state=0)[0],
    "overlapping blobs": lambda: make_blobs(400, n_features=3, centers=8, cluster_std=3.0, random_state=1)[0],
    "uniform cube": lambda: np.random.default_rng(2).random((300, 4)),
}


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("seed", [0, 3])
def test_inertia_within_one_percent_of_scikit_learn_from_the_same_start(name, seed):
    x = DATA[name]().astype(np.float32)
    k = 6
    labels, centers, inertia = kmeans(x, k, n_init=1, seed=seed)
    # kmeans' first (and only) start: k-means++ drawn with the stateless seed (seed, 0).
    start = _kmeans_plus_plus(tf.constant(x), k, seed=tf.constant([seed, 0])).numpy()
    reference = KMeans(k, init=start.astype(np.float64), n_init=1, max_iter=100, tol=0.0, algorithm="lloyd")
    reference.fit(x.astype(np.float64))
    assert inertia == pytest.approx(reference.inertia_, rel=0.01)
    x64 = x.astype(np.float64)
    recomputed = np.sum((x64 - centers.astype(np.float64)[labels]) ** 2)
    assert inertia == pytest.approx(recomputed, rel=1e-4)
    assert adjusted_rand_score(reference.labels_, labels) > 0.99
