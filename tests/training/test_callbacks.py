"""Callbacks: the NaN guard, summary writers, the recurrent kernel's spectrum."""

import os

import keras
import numpy as np
import pytest
from tensorboard_events import read_events

from keras_mf import training


def test_nan_guard_stops_training():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    guard = training.NaNGuard()
    x = np.array([[1.0], [np.nan]] * 8, np.float32)
    history = model.fit(x, np.ones(16), batch_size=2, epochs=3, callbacks=[guard], verbose=0)
    # Every batch holds a NaN row; Keras may report a batch's loss one batch late.
    assert guard.stopped_at is not None and guard.stopped_at[0] == 0 and guard.stopped_at[1] <= 1
    assert len(history.history["loss"]) == 1
    with pytest.raises(SystemExit, match="loss became nan at epoch 1"):
        training.exit_if_stopped([guard])


def test_summary_callbacks_close_their_writers(tmp_path, monkeypatch):
    import tensorflow as tf

    closed = []
    real = tf.summary.create_file_writer

    def recording(path):
        writer = real(path)
        close = writer.close

        def close_and_record():
            closed.append(path)
            close()

        writer.close = close_and_record
        return writer

    monkeypatch.setattr(tf.summary, "create_file_writer", recording)
    logdir = str(tmp_path)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(2), keras.layers.Dense(784)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((8, 784)).astype(np.float32)
    callbacks = [
        training.ReconstructionGrid(x[:2], logdir),
        training.ReconstructionError("pca", 1.0, 1.0, logdir),
        training.RecurrentSpectrum(lambda: model.layers[0].kernel, logdir),
    ]
    model.fit(x, x, epochs=2, batch_size=4, callbacks=callbacks, verbose=0)
    assert sorted(closed) == sorted(os.path.join(logdir, d) for d in ("images", "train", "validation", "train"))


def test_recurrent_spectrum_plots_every_epoch(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, use_bias=False)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((8, 4)).astype(np.float32)
    spectrum = training.RecurrentSpectrum(lambda: model.layers[0].kernel, str(tmp_path))
    model.fit(x, x, epochs=3, batch_size=4, callbacks=[spectrum], verbose=0)
    assert len(spectrum.spectra) == 3
    np.testing.assert_allclose(
        spectrum.spectra[-1], np.linalg.svd(model.layers[0].kernel.numpy(), compute_uv=False), rtol=1e-5
    )
    events = read_events(str(tmp_path / "train"))
    images = events.Tensors("recurrent_kernel/singular_values_by_epoch")
    assert [e.step for e in images] == [0, 1, 2]
