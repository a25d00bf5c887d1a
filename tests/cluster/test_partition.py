"""Partitions for SymNMF: cluster_codes, the partition-started SymNMF, the collapse check."""

import numpy as np
import pytest
import scipy.optimize

from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster.metrics import check_balance
from keras_mf.cluster.partition import cluster_codes
from keras_mf.cluster.partition import symnmf_from_partition
from keras_mf.exceptions import ClusteringError


def _blobs(sizes=(40, 30, 50), dim=12, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * 3
    labels = np.repeat(np.arange(len(sizes)), sizes)
    x = centers[labels] + spread * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


def _lbfgs_objective(a, h0):
    """f at a float64 L-BFGS-B minimiser of ½‖A − HHᵀ‖² over H ≥ 0 started from `h0` (scipy, an independent solver)."""

    def f_and_grad(flat):
        h = flat.reshape(h0.shape)
        r = h @ h.T - a
        return 0.5 * np.sum(r**2), (2.0 * r @ h).ravel()

    bounds = [(0, None)] * h0.size
    options = {"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12}
    return scipy.optimize.minimize(
        f_and_grad, h0.ravel(), jac=True, method="L-BFGS-B", bounds=bounds, options=options
    ).fun


def test_symnmf_from_partition_starts_at_the_best_scale_and_reaches_the_planted_blocks():
    """Planted blocks; SymNMF started from the true partition and from a shuffled one. Everything is deterministic
    (the starts are given, no random draw), so the accuracies are exact, not chance."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [20, 15, 25])
    a = np.where(labels[:, None] == labels[None], 0.6, 0.02) * (0.5 + rng.random((60, 60)))
    a = (a + a.T) / 2
    start = rng.permutation(labels)  # a bad partition: SymNMF must move away from it, toward the blocks

    def f(h, alpha):
        return 0.5 * np.sum((a - alpha**2 * h @ h.T) ** 2)

    def best_alpha(h):
        return np.sqrt(np.sum(a * (h @ h.T)) / np.sum((h @ h.T) ** 2))

    for partition, max_iter in ((labels, 500), (start, 2000)):
        model = symnmf_from_partition(a, partition, 3, max_iter=max_iter)
        h0 = np.eye(3)[partition] + 0.05
        alpha = best_alpha(h0)
        # The start: H⁰ = one-hot + 0.05 scaled by the closed-form best α, a minimum of f along the scale.
        assert model.history_[0] == pytest.approx(f(h0, alpha), rel=1e-5)
        assert f(h0, alpha) < min(f(h0, 0.95 * alpha), f(h0, 1.05 * alpha))
        # The end: its objective is numpy's at its H, which scipy's L-BFGS-B cannot lower (float32 iterates: 1e-5).
        h = model.components_.astype(np.float64)
        assert model.objective_ == pytest.approx(f(h, 1.0), rel=1e-5)
        assert _lbfgs_objective(a, h) == pytest.approx(f(h, 1.0), rel=1e-5)
        assert clustering_accuracy(labels, model.labels_) == 1.0
        if partition is labels:
            planted = model.objective_
    assert model.objective_ == pytest.approx(planted, rel=1e-5)  # the shuffled start ends at the planted optimum


def test_bad_layouts():
    with pytest.raises(ValueError, match="Received an invalid value for `layouts`"):
        cluster_codes(_blobs()[0], 3, layouts=0)


def test_collapse_check():
    check_balance(np.array([0] * 9 + [1]), 2)  # exactly 90% is allowed
    with pytest.raises(ClusteringError, match="collapsed: cluster 0 holds 10 of 11"):
        check_balance(np.array([0] * 10 + [1]), 2)
