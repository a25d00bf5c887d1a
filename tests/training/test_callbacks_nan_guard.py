"""training.NaNGuard is Keras' TerminateOnNaN plus where it stopped (#25): Keras does the detecting and stopping."""

import keras
import numpy as np

from keras_mf.training.callbacks import NaNGuard


def test_nan_guard_is_keras_terminate_on_nan_and_records_where_it_stopped(capsys):
    guard = NaNGuard()
    assert isinstance(guard, keras.callbacks.TerminateOnNaN)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((16, 1), np.float32)
    x[9] = np.inf  # the fifth batch of two, in every epoch
    history = model.fit(x, np.ones(16), batch_size=2, epochs=3, callbacks=[guard], verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 1
    epoch, batch, loss = guard.stopped_at
    assert (epoch, batch) == (0, 4) and not np.isfinite(loss)
    err = capsys.readouterr().err
    assert "training stopped: the loss became" in err and "epoch 1, batch 5" in err


def test_nan_guard_leaves_finite_training_alone():
    guard = NaNGuard()
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(np.ones((8, 1)), np.ones(8), batch_size=2, epochs=2, callbacks=[guard], verbose=0)
    assert guard.stopped_at is None and len(history.history["loss"]) == 2
