"""Partitions for SymNMF: cluster_codes, the partition-started SymNMF, the collapse check."""

import numpy as np
import pytest

from keras_mf.cluster import clustering_accuracy
from keras_mf.models.deep_clustering import ClusteringError
from keras_mf.models.deep_clustering import check_balance
from keras_mf.models.deep_clustering import cluster_codes
from keras_mf.models.deep_clustering import symnmf_from_partition


def _blobs(sizes=(40, 30, 50), dim=12, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * 3
    labels = np.repeat(np.arange(len(sizes)), sizes)
    x = centers[labels] + spread * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


def test_symnmf_from_partition_starts_at_the_best_scale_and_keeps_planted_blocks():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [20, 15, 25])
    a = np.where(labels[:, None] == labels[None], 0.6, 0.02) * (0.5 + rng.random((60, 60)))
    a = (a + a.T) / 2
    start = rng.permutation(labels)  # a bad partition: SymNMF must move away from it, toward the blocks
    model = symnmf_from_partition(a, labels, 3, max_iter=500)
    h = np.eye(3)[labels] + 0.05

    def f(alpha):
        return 0.5 * np.sum((a - alpha**2 * h @ h.T) ** 2)

    alpha = np.sqrt(np.sum(a * (h @ h.T)) / np.sum((h @ h.T) ** 2))
    assert model.history_[0] == pytest.approx(f(alpha), rel=1e-5)
    assert f(alpha) < min(f(0.95 * alpha), f(1.05 * alpha))
    assert clustering_accuracy(labels, model.labels_) == 1.0
    moved = symnmf_from_partition(a, start, 3, max_iter=2000)
    assert moved.objective_ < moved.history_[0]


def test_bad_init():
    with pytest.raises(ValueError, match="Received an invalid value for `init`"):
        cluster_codes(_blobs()[0], 3, init="random")


def test_collapse_check():
    check_balance(np.array([0] * 9 + [1]), 2)  # exactly 90% is allowed
    with pytest.raises(ClusteringError, match="collapsed: cluster 0 holds 10 of 11"):
        check_balance(np.array([0] * 10 + [1]), 2)
