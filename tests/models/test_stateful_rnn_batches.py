"""StatefulRNN's batch check and boolean options everywhere (issue #24, scenarios 6 and 7, and `check_bool`): bad
input gets our ValueError/TypeError every time, never a race with TensorFlow's shape error."""

import numpy as np
import pytest
import tensorflow as tf
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import Autoencoder
from keras_mf import LowRankDense
from keras_mf import RecurrentCell
from keras_mf import StatefulRNN
from keras_mf import TruncatedSVD
from keras_mf import graph
from keras_mf.graph.pipeline import cluster as graph_cluster

# Runs per case: main gave TensorFlow's "Incompatible shapes" in 16 of 36 runs, so 12 runs of a fixed check
# would have met the race with probability 1 − (20/36)^12 ≈ 0.999.
RUNS = 12


def _compiled():
    model = StatefulRNN(units=4, output_dim=3, stateful=True, batch_size=4)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


DATA = np.random.default_rng(0).normal(size=(10, 5, 2)).astype(np.float32)
LABELS = np.zeros(10, np.int64)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.fit(DATA, LABELS, batch_size=4, epochs=1, verbose=0),
        lambda m: m.fit(tf.data.Dataset.from_tensor_slices((DATA, LABELS)).batch(4), epochs=1, verbose=0),
        lambda m: m.evaluate(tf.data.Dataset.from_tensor_slices((DATA, LABELS)).batch(4), verbose=0),
        lambda m: m.predict(tf.data.Dataset.from_tensor_slices(DATA).batch(4), verbose=0),
        lambda m: m.predict(DATA, batch_size=4, verbose=0),
        lambda m: m.fit(DATA[:8], LABELS[:8], epochs=1, verbose=0),  # Keras' default batch of 32
        lambda m: m.train_on_batch(DATA[:2], LABELS[:2]),
    ],
    ids=["fit arrays", "fit dataset", "evaluate dataset", "predict dataset", "predict arrays", "default", "on_batch"],
)
def test_short_batches_always_get_our_message(call):
    """Scenario 6: the assertion now gates the recurrence's input, and arrays are checked before anything runs. One
    model, so that its compiled step is executed (and the scheduling drawn) again in every run."""
    model = _compiled()
    for _ in range(RUNS):
        with pytest.raises(ValueError, match="every batch must have exactly that many rows"):
            call(model)


def test_full_batches_still_train_and_carry_state():
    model = _compiled()
    model.fit(tf.data.Dataset.from_tensor_slices((DATA[:8], LABELS[:8])).batch(4), epochs=1, verbose=0)
    assert not np.allclose(to_numpy(model.state), 0.0)


def test_reset_state_of_no_rows_is_a_no_op():
    """Scenario 7: main raised IndexError for rows=[] (float64 empty array used as an index)."""
    model = _compiled()
    model(DATA[:4])
    before = to_numpy(model.state).copy()
    model.reset_state(rows=[])
    model.reset_state(rows=np.array([], np.int64))
    np.testing.assert_array_equal(to_numpy(model.state), before)
    model.reset_state(rows=[1])
    expected = before.copy()
    expected[1] = 0
    np.testing.assert_array_equal(to_numpy(model.state), expected)


# Every boolean option of the library's public API: given "no", each must refuse with a TypeError naming it
# (bool("no") is True, which main used for the first four).
BOOLEANS = {
    "StatefulRNN stateful": lambda v: StatefulRNN(3, 2, stateful=v, batch_size=4),
    "StatefulRNN return_sequences": lambda v: StatefulRNN(3, 2, return_sequences=v),
    "StatefulRNN unroll": lambda v: StatefulRNN(3, 2, unroll=v),
    "RecurrentCell use_bias": lambda v: RecurrentCell(3, use_bias=v),
    "Autoencoder linear": lambda v: Autoencoder(linear=v),
    "TruncatedSVD center": lambda v: TruncatedSVD(rank=2, center=v),
    "LowRankDense use_bias": lambda v: LowRankDense(4, 1, use_bias=v),
    "laplacian normalized": lambda v: graph.laplacian(np.ones((3, 3)), normalized=v),
    "gaussian_similarity zero_diagonal": lambda v: graph.gaussian_similarity(np.ones((3, 2)), 1.0, zero_diagonal=v),
    "cluster spectral": lambda v: graph_cluster(np.eye(4), 2, spectral=v),
    "cluster verbose": lambda v: graph_cluster(np.eye(4), 2, verbose=v),
}


@pytest.mark.parametrize("name", sorted(BOOLEANS))
def test_boolean_options_refuse_strings_naming_the_option(name):
    option = name.split()[-1]
    with pytest.raises(TypeError, match=f"`{option}`"):
        BOOLEANS[name]("no")
