"""Deep SymNMF: the fuzzy graph, the layout, the partition-started SymNMF, the model, the pipeline and its failures."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from roundtrip import assert_roundtrip
from scipy.optimize import brentq

from keras_mf.cluster import clustering_accuracy
from keras_mf.models import DeepSymNMF
from keras_mf.models.deep_clustering import ClusteringError
from keras_mf.models.deep_clustering import check_balance
from keras_mf.models.deep_clustering import cluster_codes
from keras_mf.models.deep_clustering import fuzzy_knn_graph
from keras_mf.models.deep_clustering import neighbor_layout
from keras_mf.models.deep_clustering import run_deep_symnmf
from keras_mf.models.deep_clustering import symnmf_from_partition
from keras_mf.models.deep_clustering import target_distribution

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = {"latent_dim": 3, "hidden_units": (16,)}


def _blobs(sizes=(40, 30, 50), dim=12, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * 3
    labels = np.repeat(np.arange(len(sizes)), sizes)
    x = centers[labels] + spread * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


def _images(n=90, seed=0):
    """Three prototype 'images' in [0, 1] with noise: a task the small autoencoder learns in a few epochs."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((3, 64)) > 0.5).astype(np.float32)
    labels = np.arange(n) % 3
    return np.clip(prototypes[labels] + 0.1 * rng.normal(size=(n, 64)), 0, 1).astype(np.float32), labels


@pytest.mark.parametrize("n_neighbors", [3, 6])
def test_fuzzy_graph_matches_numpy(n_neighbors):
    x, _ = _blobs(sizes=(12, 9), dim=4)
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    n = len(x)
    directed = np.zeros((n, n))
    for i in range(n):
        nearest = np.argsort(d[i])[:n_neighbors]
        excess = d[i, nearest] - d[i, nearest[0]]
        sigma = brentq(lambda s, e=excess: np.exp(-e / s).sum() - np.log2(n_neighbors), 1e-9, 1e6)
        directed[i, nearest] = np.exp(-excess / sigma)
    expected = directed + directed.T - directed * directed.T
    expected[expected < expected.max() / 500] = 0
    got = tf.sparse.to_dense(fuzzy_knn_graph(x, n_neighbors)).numpy()
    np.testing.assert_allclose(got, expected, atol=2e-5)


@pytest.mark.parametrize("refine", [True, False])
def test_layout_separates_blobs_and_is_deterministic(refine):
    x, labels = _blobs()
    w = fuzzy_knn_graph(x, 10)
    first = neighbor_layout(w, n_components=2, steps=300, batch_size=256, seed=3)
    second = neighbor_layout(w, n_components=2, steps=300, batch_size=256, seed=3)
    np.testing.assert_array_equal(first, second)
    result = cluster_codes(x, 3, layouts=1, layout_neighbors=10, layout_steps=300, graph_neighbors=10, refine=refine)
    assert clustering_accuracy(labels, result["labels"]) == 1.0


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


def test_target_distribution_closed_form():
    m = np.array([[0.6, 0.4, 0.0], [0.2, 0.2, 0.6], [1.0, 1.0, 2.0]])
    rows = m / m.sum(1, keepdims=True)
    f = rows.sum(0)
    expected = np.array([[r**2 / f[j] for j, r in enumerate(row)] for row in rows])
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(target_distribution(m), expected, rtol=1e-6)


def test_soft_assign_is_student_t_and_roundtrip(tmp_path):
    model = DeepSymNMF(input_shape=(64,), n_clusters=4, degrees_of_freedom=2.0, **SMALL)
    x = np.random.default_rng(0).random((5, 64)).astype(np.float32)
    model(x)
    centers = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    model.centers.assign(centers)
    z = np.asarray(model.encode(x), np.float64)
    q = (1 + ((z[:, None] - centers[None]) ** 2).sum(-1) / 2.0) ** -1.5
    np.testing.assert_allclose(np.asarray(model(x)["clusters"]), q / q.sum(1, keepdims=True), rtol=1e-5)
    loaded = assert_roundtrip(model, x, tmp_path, call=lambda m, v: np.asarray(m(v)["clusters"]))
    np.testing.assert_array_equal(np.asarray(loaded(x)["reconstruction"]), np.asarray(model(x)["reconstruction"]))


@pytest.mark.parametrize("kwargs", [{"n_clusters": 0}, {"degrees_of_freedom": -1.0}, {"latent_dim": 64}])
def test_bad_constructor_arguments(kwargs):
    with pytest.raises(ValueError, match="Received an invalid value"):
        DeepSymNMF(input_shape=(64,), **{**SMALL, **kwargs})


def test_more_clusters_than_points():
    x, _ = _images(n=6)
    model = DeepSymNMF(input_shape=(64,), n_clusters=8, **SMALL)
    with pytest.raises(ValueError, match="`n_clusters`"):
        model.cluster(x)
    with pytest.raises(ValueError, match="`n_clusters`"):
        cluster_codes(x, 8)
    with pytest.raises(ValueError, match="`n_clusters`"):
        run_deep_symnmf(x, 8)


def test_bad_layouts():
    with pytest.raises(ValueError, match="Received an invalid value for `layouts`"):
        cluster_codes(_blobs()[0], 3, layouts=0)


def test_collapse_check():
    check_balance(np.array([0] * 9 + [1]), 2)  # exactly 90% is allowed
    with pytest.raises(ClusteringError, match="collapsed: cluster 0 holds 10 of 11"):
        check_balance(np.array([0] * 10 + [1]), 2)


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """A small model clustered and fine-tuned once, with its checkpoint (shared: the failure tests restore it)."""
    x, labels = _images()
    keras.utils.set_random_seed(0)
    model = DeepSymNMF(input_shape=(64,), n_clusters=3, **SMALL)
    model.pretrain(x, epochs=30, batch_size=32, learning_rate=1e-2, verbose=0)
    result = model.cluster(x, layouts=1, layout_neighbors=10, layout_steps=200, graph_neighbors=10)
    checkpoint = str(tmp_path_factory.mktemp("tuned") / "good.keras")
    model.fine_tune(x, result["memberships"], epochs=2, batch_size=32, checkpoint=checkpoint, verbose=0)
    return model, x, labels, result, checkpoint


def test_fine_tune_learns_the_symnmf_partition(tuned):
    model, x, labels, result, checkpoint = tuned
    assert clustering_accuracy(labels, result["labels"]) == 1.0
    assert clustering_accuracy(result["labels"], model.predict_labels(x)) == 1.0
    loaded = keras.saving.load_model(checkpoint)
    np.testing.assert_array_equal(loaded.predict_labels(x), model.predict_labels(x))


@pytest.mark.parametrize("failure", ["nan", "collapse"])
def test_failed_fine_tuning_restores_weights_and_keeps_checkpoint(tuned, failure):
    model, x, _, result, checkpoint = tuned
    before = [v.numpy() for v in model.weights]
    saved = open(checkpoint, "rb").read()
    if failure == "nan":
        bad_x = x.copy()
        bad_x[0, 0] = np.nan
        args, match = (bad_x, result["memberships"]), "diverged: the loss became NaN"
    else:  # targets that all name cluster 0, and nothing (no reconstruction) holding the codes apart
        one_cluster = np.zeros_like(result["memberships"])
        one_cluster[:, 0] = 1.0
        args, match = (x, one_cluster), "collapsed"
    with pytest.raises(ClusteringError, match=match):
        model.fine_tune(
            *args,
            epochs=20,
            batch_size=32,
            learning_rate=0.1,
            reconstruction_weight=0.0,
            checkpoint=checkpoint,
            verbose=0,
        )
    for variable, value in zip(model.weights, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    assert open(checkpoint, "rb").read() == saved


def test_pipeline_resumes_from_its_checkpoints(tmp_path):
    x, labels = _images()
    logdir = str(tmp_path / "run")
    kwargs = dict(
        hidden_units=(16,),
        pretrain_epochs=30,
        batch_size=32,
        layouts=1,
        layout_steps=200,
        layout_neighbors=10,
        graph_neighbors=10,
        seed=0,
        logdir=logdir,
        y_monitor=labels,
    )
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


def test_script_logs_every_phase(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from keras_mf.cli import cluster_mnist

    logdir = str(tmp_path / "run")
    result = cluster_mnist.run(
        [
            "--split",
            "test[:300]",
            "--epochs",
            "2",
            "--layouts",
            "1",
            "--layout-steps",
            "100",
            "--self-train",
            "off",
            "--logdir",
            logdir,
            "--data",
            "bundled",
        ]
    )
    assert 0.1 < result["accuracy"] <= 1.0

    def tags(folder):
        events = EventAccumulator(os.path.join(logdir, folder))
        events.Reload()
        return events.Tags()["tensors"]

    assert "epoch_loss" in tags("pretrain/train")
    assert "clustering/accuracy" in tags("monitor")
    for name in ("pretrained.keras", "clusters.npz"):
        assert os.path.isfile(os.path.join(logdir, name))
