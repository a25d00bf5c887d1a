"""keras-mf-deep-cluster end to end on a few bundled images: the accuracy and NMI it reports, recomputed with scipy
and scikit-learn from the partition it wrote."""

import os

import numpy as np
import pytest
import scipy.optimize
from option_reads import record_option_reads
from option_reads import unread_options
from sklearn.metrics import normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from tensorboard_events import read_events

from keras_mf.datasets import load_mnist

# The command end to end.
pytestmark = pytest.mark.slow


def test_script_logs_every_phase_and_reports_its_partition(tmp_path, monkeypatch):
    import tensorflow as tf

    from keras_mf.cli import cluster_mnist

    reads = record_option_reads(monkeypatch)
    logdir = str(tmp_path / "run")
    argv = ["--split", "test[:150]", "--epochs", "2", "--layouts", "1", "--layout-steps", "100", "--self-train", "off"]
    result = cluster_mnist.run(argv + ["--logdir", logdir, "--data", "bundled"])
    assert unread_options(cluster_mnist, reads) == []  # every option is read during the run

    # The final partition (self-training off: the clustering's), as the Projector's metadata and the clustering's
    # checkpoint hold it.
    rows = [line.split("\t") for line in open(os.path.join(logdir, "metadata.tsv")).read().splitlines()]
    assert rows[0] == ["label", "cluster"]
    labels, clusters = (np.array([int(v) for v in column]) for column in zip(*rows[1:], strict=True))
    _, y = load_mnist("test[:150]", source="bundled", as_numpy=True, verbose=False)
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_array_equal(np.load(os.path.join(logdir, "clusters.npz"))["labels"], clusters)
    table = contingency_matrix(y, clusters)
    matched = scipy.optimize.linear_sum_assignment(table, maximize=True)
    accuracy = table[matched].sum() / len(y)
    assert result["accuracy"] == pytest.approx(accuracy, rel=1e-12)
    assert result["nmi"] == pytest.approx(normalized_mutual_info_score(y, clusters), rel=1e-9)
    monitor = read_events(os.path.join(logdir, "monitor"))
    logged = {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in monitor.Tensors("clustering/accuracy")}
    assert logged[0] == pytest.approx(accuracy, rel=1e-6)  # the clustering is the final partition

    def tags(folder):
        return read_events(os.path.join(logdir, folder)).Tags()["tensors"]

    assert "epoch_loss" in tags("pretrain/train")
    assert "clustering/accuracy" in tags("monitor")
