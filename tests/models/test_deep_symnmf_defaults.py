"""DeepSymNMF's size-dependent defaults: the hidden widths and the pretraining schedule by their stated rules, the
model built from them, and pretraining on augmented batches."""

import math

import keras
import numpy as np
import pytest

from keras_mf.layers import RandomAffine
from keras_mf.models import DeepSymNMF
from keras_mf.models.deep_symnmf import default_hidden_units
from keras_mf.models.deep_symnmf import pretrain_schedule


@pytest.mark.parametrize(
    "features, expected", [(784, (500, 500, 2000)), (3072, (500, 500, 2000)), (64, (64, 64, 256)), (10, (64, 64, 256))]
)
def test_hidden_units_rule(features, expected):
    assert default_hidden_units(features) == expected
    assert default_hidden_units(300) == (300, 300, 1200)


@pytest.mark.parametrize(
    "n, expected",
    [(10_000, (256, 50)), (70_000, (256, 10)), (1_797, (256, 200)), (100, (100, 200)), (20_000, (256, 26))],
)
def test_pretrain_schedule_rule(n, expected):
    assert pretrain_schedule(n) == expected
    batch, epochs = expected
    if 10 < epochs < 200:  # about 2,000 updates between the clips
        assert 2000 <= epochs * math.ceil(n / batch) < 2000 + math.ceil(n / batch)


def test_model_defaults_follow_the_input_and_k():
    model = DeepSymNMF(input_shape=(64,), n_clusters=7)
    assert model.autoencoder.hidden_units == (64, 64, 256)
    assert model.autoencoder.latent_dim == 7
    config = model.get_config()
    assert config["hidden_units"] == (64, 64, 256) and config["latent_dim"] == 7


def test_pretrain_on_augmented_batches():
    keras.utils.set_random_seed(0)
    # Images of the shape tests/layers/test_random_affine.py transforms, in its batches of 3 (under JAX every new
    # shape compiles the transform).
    x = np.random.default_rng(0).random((6, 9 * 7 * 2)).astype(np.float32)
    model = DeepSymNMF(input_shape=(9 * 7 * 2,), n_clusters=3, hidden_units=(8,))
    history = model.pretrain(x, epochs=3, batch_size=3, augment=RandomAffine((9, 7, 2), seed=0), verbose=0)
    assert len(history.history["loss"]) == 3
    assert np.all(np.isfinite(history.history["loss"]))


class _Asked(Exception):
    """What `fit` was asked for: (epochs, steps per epoch)."""


class _Schedule(keras.callbacks.Callback):
    """Ends `fit` before its first step, reporting the epochs and steps per epoch it was asked for."""

    def on_train_begin(self, logs=None):
        raise _Asked(self.params["epochs"], self.params["steps"])


def test_pretrain_defaults_to_the_schedule():
    """`fit` is asked for pretrain_schedule(300): 200 epochs of two batches of at most 256 (running them is Keras'
    part, so the test stops before the first step)."""
    x = np.random.default_rng(0).random((300, 12)).astype(np.float32)
    model = DeepSymNMF(input_shape=(12,), n_clusters=3, hidden_units=(8,))
    with pytest.raises(_Asked) as asked:
        model.pretrain(x, callbacks=[_Schedule()], verbose=0)
    batch, epochs = pretrain_schedule(len(x))
    assert asked.value.args == (epochs, math.ceil(len(x) / batch)) == (200, 2)
