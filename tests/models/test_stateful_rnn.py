"""StatefulRNN: SimpleRNN's numbers, chunks with carried state, the state across batches (the `.keras` round trip, the
saved state included, is the layer contract's serialization step, tests/test_layer_contract.py)."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import StatefulRNN

RNG = np.random.default_rng(0)


X = RNG.standard_normal((4, 12, 3)).astype(np.float32)


def _model(**kwargs):
    model = StatefulRNN(units=4, output_dim=2, **kwargs)
    model.build((4 if kwargs.get("stateful") else None, None, 3))
    return model


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_simple_rnn_with_same_weights(return_sequences):
    model = _model(return_sequences=return_sequences, output_activation=None)
    reference = keras.layers.SimpleRNN(4, return_sequences=return_sequences)
    reference.build((None, None, 3))
    reference.set_weights(model.cell.get_weights())
    expected = to_numpy(model.head(reference(X)))
    np.testing.assert_allclose(to_numpy(model(X)), expected, atol=1e-6)  # float32 round-off only


def test_chunks_with_carried_state_equal_the_whole_sequence():
    whole = _model(return_sequences=True)
    chunked = _model(return_sequences=True, stateful=True, batch_size=4)
    chunked.cell.set_weights(whole.cell.get_weights())
    chunked.head.set_weights(whole.head.get_weights())
    expected = to_numpy(whole(X))
    pieces = [to_numpy(chunked(piece)) for piece in np.split(X, 3, axis=1)]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), expected, atol=1e-6)


def test_state_persists_across_predict_batches_and_reset_gives_a_fresh_model():
    model = _model(stateful=True, batch_size=4)
    first = model.predict(X, batch_size=4, verbose=0)
    second = model.predict(X, batch_size=4, verbose=0)
    assert not np.allclose(first, second)  # the second call starts from the first one's state
    model.reset_state()
    np.testing.assert_allclose(model.predict(X, batch_size=4, verbose=0), first, atol=1e-6)
    model(X)
    state = to_numpy(model.state)
    model.reset_state(rows=[1, 3])
    np.testing.assert_array_equal(to_numpy(model.state)[[1, 3]], 0)
    np.testing.assert_array_equal(to_numpy(model.state)[[0, 2]], state[[0, 2]])


def _numpy_states(model, sequences):
    """The cell's final hidden state after each sequence, each starting where the previous one ended (numpy)."""
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in model.cell.get_weights())
    h = np.zeros((sequences[0].shape[0], kernel.shape[1]))
    states = []
    for x in sequences:
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        states.append(h)
    return states


def test_state_persists_across_fit_batches():
    """Two batches through `fit` (learning rate 0, so the weights stay those numpy uses): the state after them is the
    numpy recurrence run through both batches in turn, not through the second alone from zero."""
    model = _model(stateful=True, batch_size=4)
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    second = X[:, ::-1] * 0.5
    model.fit(np.concatenate([X, second]), np.zeros(8), batch_size=4, epochs=1, verbose=0, shuffle=False)
    carried = _numpy_states(model, [X.astype(np.float64), second.astype(np.float64)])[-1]
    fresh = _numpy_states(model, [second.astype(np.float64)])[-1]
    np.testing.assert_allclose(to_numpy(model.state), carried, atol=1e-6)
    assert np.abs(carried - fresh).max() > 1e-2  # a state reset between the batches would be told apart


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        _model()(X[:, 0])
    with pytest.raises(ValueError, match="batch_size=4"):
        _model(stateful=True, batch_size=4)(X[:3])
    with pytest.raises(ValueError, match="batch_size"):
        StatefulRNN(5, 2, stateful=True)
    with pytest.raises(ValueError, match="units"):
        StatefulRNN(0, 2)
    with pytest.raises(ValueError, match="rows"):
        _model(stateful=True, batch_size=4).reset_state(rows=[7])
