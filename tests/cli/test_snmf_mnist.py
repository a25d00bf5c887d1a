"""keras-mf-cluster end to end: the accuracy, NMI and objective it reports, recomputed with scipy, scikit-learn and
numpy from the partition it made, and against chance by a permutation test."""

import os

import numpy as np
import pytest
import scipy.optimize
import tensorflow as tf
from sklearn.metrics import normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import snmf_mnist
from keras_mf.datasets import load_mnist
from keras_mf.graph import pipeline
from keras_mf.training import plots

# The plots' pixel sizes (inches at 100 dpi).
CONFUSION_PIXELS = tuple(round(100 * side) for side in plots.CONFUSION_SIZE)

# The command end to end.
pytestmark = pytest.mark.slow


def _accuracy(y, labels):
    """Best one-to-one matching of clusters to digits (scipy's assignment solver on the contingency table)."""
    table = contingency_matrix(y, labels)
    rows, cols = scipy.optimize.linear_sum_assignment(table, maximize=True)
    return table[rows, cols].sum() / len(y)


def test_cluster_command(tmp_path, monkeypatch):
    made = []
    cluster = pipeline.cluster
    monkeypatch.setattr(pipeline, "cluster", lambda *a, **k: made.append(cluster(*a, **k)) or made[-1])
    argv = ["--split", "test[:600]", "--logdir", str(tmp_path / "s"), "--data", "bundled"]
    rows = snmf_mnist.run(argv + ["--restarts", "2", "--max-iter", "200"])
    (result,) = made
    _, y = load_mnist("test[:600]", source="bundled", as_numpy=True, verbose=False)
    assert [row[0] for row in rows] == ["SymNMF", "spectral (NJW)"]
    for row, labels in zip(rows, (result["symnmf_labels"], result["spectral_labels"]), strict=True):
        assert row[1] == pytest.approx(_accuracy(y, labels), rel=1e-12)
        assert row[2] == pytest.approx(normalized_mutual_info_score(y, labels), rel=1e-9)
    a = tf.sparse.to_dense(result["graph"]).numpy().astype(np.float64)
    h = result["symnmf"].components_.astype(np.float64)
    assert rows[0][3] == pytest.approx(0.5 * np.sum((a - h @ h.T) ** 2), rel=1e-4)  # float32 iterates
    # Better than chance: the SymNMF accuracy beats every one of 200 random relabellings of the same cluster sizes
    # (a permutation test: by chance alone that happens with probability 1/201).
    rng = np.random.default_rng(0)
    null = [_accuracy(y, rng.permutation(result["symnmf_labels"])) for _ in range(200)]
    assert rows[0][1] > max(null)

    clustering = read_events(os.path.join(tmp_path, "s", "clustering"))
    assert {"symnmf/confusion_matrix", "clustering/results"} <= set(clustering.Tags()["tensors"])
    assert image_size(clustering, "symnmf/confusion_matrix") == CONFUSION_PIXELS
    values, metrics = read_hparams(str(tmp_path / "s"))
    assert (values["clusters"], values["restarts"]) == (10, 2)
    assert metrics["hparams/cluster_accuracy"] == pytest.approx(rows[0][1], rel=1e-6)
    assert metrics["hparams/spectral_nmi"] == pytest.approx(rows[1][2], rel=1e-6)
