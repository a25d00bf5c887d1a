"""The layer contract (tests/layer_contract.py) for every keras_mf layer and model, one call per case.

tests/test_backends.py runs this file again under KERAS_BACKEND=jax."""

import keras
import numpy as np
import pytest
from layer_contract import Case
from layer_contract import run_layer_contract

from keras_mf import Autoencoder
from keras_mf import LowRankDense
from keras_mf import RecurrentCell
from keras_mf import StatefulRNN
from keras_mf import TruncatedSVD
from keras_mf.models import DeepSymNMF

RNG = np.random.default_rng(0)
FLAT = RNG.random((8, 12)).astype(np.float32)
SEQUENCES = RNG.standard_normal((8, 5, 3)).astype(np.float32)
IMAGES = FLAT.reshape((8, 3, 4, 1))  # the same numbers as images of 3 × 4 pixels
FIT_DATA = RNG.random((40, 12)).astype(np.float32)
# The cases share their weights' shapes where they can: under JAX every new shape of a randomly initialised weight
# compiles its own random draw, and every new shape of an eager call its own operations (about 0.2 s each).


def seeded(build):
    """`build()` with Keras' global seed set first, so each call gives the same initial weights."""

    def make():
        keras.utils.set_random_seed(0)
        return build()

    return make


def adapted_svd(**kwargs):
    layer = TruncatedSVD(**kwargs)
    layer.adapt(FIT_DATA)
    return layer


def deep_symnmf():
    model = DeepSymNMF(input_shape=(12,), n_clusters=3, latent_dim=3, hidden_units=(8,))
    model(FLAT)
    # Spread centres: all-zero centres (the initial value) make every assignment 1/3 whatever the codes.
    model.centers.assign(np.random.default_rng(1).normal(size=(3, 3)).astype(np.float32))
    return model


def reset(model):
    model.reset_state()


CASES = {
    "TruncatedSVD rank": Case(seeded(lambda: adapted_svd(rank=3)), FLAT, (None, 3)),
    "TruncatedSVD energy": Case(seeded(lambda: adapted_svd(energy=0.5, center=False)), FLAT, (None, 1)),
    "LowRankDense": Case(seeded(lambda: LowRankDense(8, rank=3, activation="tanh")), FLAT, (None, 8)),
    "LowRankDense no bias": Case(seeded(lambda: LowRankDense(12, rank=8, use_bias=False)), FLAT, (None, 12)),
    # An output layer and every step's output: a cell without `output_dim` (its output is its state) is under the
    # contract inside StatefulRNN, and an RNN's last output is one of its sequence.
    "RecurrentCell in RNN": Case(
        seeded(
            lambda: keras.layers.RNN(RecurrentCell(4, output_dim=2, output_activation="sigmoid"), return_sequences=True)
        ),
        SEQUENCES,
        (None, 5, 2),
    ),
    "StatefulRNN": Case(seeded(lambda: StatefulRNN(4, 2)), SEQUENCES, (None, 2)),
    "StatefulRNN stateful, sequences": Case(
        seeded(lambda: StatefulRNN(4, 2, return_sequences=True, stateful=True, batch_size=8)),
        SEQUENCES,
        (8, 5, 2),
        batch_size=8,
        before_call=reset,
    ),
    # Smooth hidden activations: a ReLU unit whose input sits near 0 bends the loss within the training step,
    # and first-order Taylor no longer predicts its decrease (it did not, by 8%, for one unit at 9e-4).
    "Autoencoder": Case(
        seeded(lambda: Autoencoder(input_shape=(12,), latent_dim=3, hidden_units=(8,), activation="tanh")),
        FLAT,
        (None, 12),
    ),
    "Autoencoder linear": Case(
        seeded(lambda: Autoencoder(input_shape=(12,), latent_dim=8, linear=True)), FLAT, (None, 12)
    ),
    "Autoencoder images": Case(
        seeded(lambda: Autoencoder(input_shape=(3, 4, 1), latent_dim=3, hidden_units=(8, 8), activation="tanh")),
        IMAGES,
        (None, 3, 4, 1),
    ),
    "DeepSymNMF": Case(
        seeded(deep_symnmf),
        FLAT,
        {"clusters": (None, 3), "reconstruction": (None, 12)},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_contract(name, tmp_path):
    run_layer_contract(CASES[name], tmp_path)
