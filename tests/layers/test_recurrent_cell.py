"""RecurrentCell: one step of the recurrence against numpy."""

import keras
import numpy as np
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import RecurrentCell

RNG = np.random.default_rng(0)


X = RNG.standard_normal((4, 12, 3)).astype(np.float32)


def test_cell_on_its_own_computes_the_recurrence_and_output():
    cell = RecurrentCell(5, output_dim=2, output_activation="sigmoid")
    h = np.zeros((4, 5), np.float32)
    y, (h1,) = cell(X[:, 0], [h])
    w, u, b, wo, bo = (to_numpy(v) for v in cell.weights)
    h_ref = np.tanh(X[:, 0] @ w + h @ u + b)
    np.testing.assert_allclose(to_numpy(h1), h_ref, atol=1e-6)
    np.testing.assert_allclose(to_numpy(y), 1 / (1 + np.exp(-(h_ref @ wo + bo))), atol=1e-6)
    layer = keras.layers.RNN(cell, return_sequences=True)
    assert layer(X).shape == (4, 12, 2)
