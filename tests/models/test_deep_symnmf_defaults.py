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
    x = np.random.default_rng(0).random((40, 64)).astype(np.float32)
    model = DeepSymNMF(input_shape=(64,), n_clusters=3, hidden_units=(8,))
    history = model.pretrain(x, epochs=3, augment=RandomAffine((8, 8), seed=0), verbose=0)
    assert len(history.history["loss"]) == 3
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.slow  # 200 epochs of one batch: Keras' per-epoch overhead, about 30 s on 2 cores
def test_pretrain_defaults_to_the_schedule():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((40, 64)).astype(np.float32)
    model = DeepSymNMF(input_shape=(64,), n_clusters=3, hidden_units=(8,))
    history = model.pretrain(x, verbose=0)
    assert len(history.history["loss"]) == pretrain_schedule(40)[1] == 200
