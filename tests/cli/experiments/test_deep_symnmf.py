"""run_deep_symnmf: the resumable deep-clustering experiment."""

import os

import numpy as np
import pytest

from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
from keras_mf.cluster import clustering_accuracy

# The whole experiment, twice.
pytestmark = pytest.mark.slow


def _images(n=90, seed=0):
    """Three prototype 'images' in [0, 1] with noise: a task the small autoencoder learns in a few epochs."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((3, 64)) > 0.5).astype(np.float32)
    labels = np.arange(n) % 3
    return np.clip(prototypes[labels] + 0.1 * rng.normal(size=(n, 64)), 0, 1).astype(np.float32), labels


def test_pipeline_resumes_from_its_checkpoints(tmp_path):
    x, labels = _images()
    logdir = str(tmp_path / "run")
    kwargs = dict(
        hidden_units=(16,),
        pretrain_epochs=10,
        batch_size=32,
        layouts=1,
        layout_steps=200,
        layout_neighbors=10,
        graph_neighbors=10,
        seed=0,
        logdir=logdir,
        y_monitor=labels,
    )
    # seed=0 fixes the weights, the shuffling and every draw of the layout and the starts: the
    # accuracy is one fixed value on this CPU, and on three prototypes half their pixels apart it is 1.0.
    first = run_deep_symnmf(x, 3, **kwargs)
    assert clustering_accuracy(labels, first["labels"]) == 1.0
    for name in ("pretrained.keras", "clusters.npz"):
        assert os.path.isfile(os.path.join(logdir, name))
    pretrain_events = sorted(os.listdir(os.path.join(logdir, "pretrain", "train")))
    again = run_deep_symnmf(x, 3, **kwargs)
    np.testing.assert_array_equal(again["labels"], first["labels"])
    np.testing.assert_array_equal(again["clustering"]["candidates"], first["clustering"]["candidates"])
    assert again["clustering"]["names"] == first["clustering"]["names"]
    assert sorted(os.listdir(os.path.join(logdir, "pretrain", "train"))) == pretrain_events  # not retrained
    assert again["phases"] == {}  # every phase read back
