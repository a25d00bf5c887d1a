"""RecurrentCell: one step of the recurrence against numpy (inside `keras.layers.RNN`, its shapes, training step,
mixed precision and `.keras` round trip are the layer contract's, tests/test_layer_contract.py)."""

import numpy as np
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import RecurrentCell

RNG = np.random.default_rng(0)


X = RNG.standard_normal((4, 12, 3)).astype(np.float32)


def test_cell_on_its_own_computes_the_recurrence_and_output():
    cell = RecurrentCell(4, output_dim=2, output_activation="sigmoid")
    h = RNG.standard_normal((4, 4)).astype(np.float32)  # a previous state, so that U takes part
    y, (h1,) = cell(X[:, 0], [h])
    w, u, b, wo, bo = (to_numpy(v) for v in cell.weights)
    h_ref = np.tanh(X[:, 0] @ w + h @ u + b)
    np.testing.assert_allclose(to_numpy(h1), h_ref, atol=1e-6)
    np.testing.assert_allclose(to_numpy(y), 1 / (1 + np.exp(-(h_ref @ wo + bo))), atol=1e-6)
