"""DeepSymNMF: Student-t assignments, DEC's targets, fine-tuning toward SymNMF and its failures."""

import keras
import numpy as np
import pytest
from roundtrip import assert_roundtrip

from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster.partition import cluster_codes
from keras_mf.exceptions import ClusteringError
from keras_mf.models import DeepSymNMF
from keras_mf.models.deep_symnmf import target_distribution

SMALL = {"latent_dim": 3, "hidden_units": (16,)}


def _images(n=90, seed=0):
    """Three prototype 'images' in [0, 1] with noise: a task the small autoencoder learns in a few epochs."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((3, 64)) > 0.5).astype(np.float32)
    labels = np.arange(n) % 3
    return np.clip(prototypes[labels] + 0.1 * rng.normal(size=(n, 64)), 0, 1).astype(np.float32), labels


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


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """A small model clustered and fine-tuned once, with its checkpoint (shared: the failure tests restore it).

    The global seed fixes the initial weights and the batches' shuffling, and the clustering's draws (the layout,
    the heads' starts) are seeded: on this CPU the run, and so its accuracy, is the same
    every time; the tests' `== 1.0` are that fixed value on three prototypes half their pixels apart."""
    x, labels = _images()
    keras.utils.set_random_seed(0)
    model = DeepSymNMF(input_shape=(64,), n_clusters=3, **SMALL)
    model.pretrain(x, epochs=10, batch_size=32, learning_rate=1e-2, verbose=0)
    result = model.cluster(x, layouts=1, layout_neighbors=10, layout_steps=200, graph_neighbors=10)
    checkpoint = str(tmp_path_factory.mktemp("tuned") / "good.keras")
    model.fine_tune(x, result["memberships"], epochs=2, batch_size=32, checkpoint=checkpoint, verbose=0)
    return model, x, labels, result, checkpoint


@pytest.mark.slow  # pretraining, clustering and fine-tuning: the deep-clustering pipeline in small
def test_fine_tune_learns_the_symnmf_partition(tuned):
    model, x, labels, result, checkpoint = tuned
    assert clustering_accuracy(labels, result["labels"]) == 1.0  # deterministic: see `tuned`
    # The model's labels are the argmax of Student-t assignments of its codes to its centres, in numpy.
    z = model.predict_codes(x).astype(np.float64)
    centers = np.asarray(model.centers, np.float64)
    nu = model.degrees_of_freedom
    q = (1 + ((z[:, None] - centers[None]) ** 2).sum(-1) / nu) ** (-(nu + 1) / 2)
    np.testing.assert_array_equal(model.predict_labels(x), np.argmax(q, axis=1))
    assert clustering_accuracy(result["labels"], model.predict_labels(x)) == 1.0
    loaded = keras.saving.load_model(checkpoint)
    np.testing.assert_array_equal(loaded.predict_labels(x), model.predict_labels(x))


@pytest.mark.parametrize("failure", ["nan", "collapse"])
@pytest.mark.slow  # on the pretrained, clustered and fine-tuned model of `tuned`
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
            epochs=3,  # enough: NaN stops the first epoch, the collapse shows after one
            batch_size=32,
            learning_rate=0.1,
            reconstruction_weight=0.0,
            checkpoint=checkpoint,
            verbose=0,
        )
    for variable, value in zip(model.weights, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    assert open(checkpoint, "rb").read() == saved
