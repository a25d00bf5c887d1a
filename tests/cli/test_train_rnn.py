"""keras-mf-rnn end to end: the accuracy it reports is the saved model's, recomputed in numpy."""

import math
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import train_rnn
from keras_mf.datasets import load_mnist
from keras_mf.training import plots

# The plots' pixel sizes (inches at 100 dpi).
LINE_PIXELS = tuple(round(100 * side) for side in plots.LINE_SIZE)

# The command end to end.
pytestmark = pytest.mark.slow


def _numpy_predictions(model, images):
    """The Elman recurrence over all 28 rows from a zero state and the softmax head's argmax, in float64 numpy.
    Chunks with the state carried between them compute the same (tests/models/test_stateful_rnn.py)."""
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in model.cell.get_weights())
    head, head_bias = (np.asarray(w, np.float64) for w in model.head.get_weights())
    h = np.zeros((len(images), kernel.shape[1]))
    for t in range(images.shape[1]):
        h = np.tanh(images[:, t].astype(np.float64) @ kernel + h @ recurrent + bias)
    return np.argmax(h @ head + head_bias, axis=1)


@pytest.mark.parametrize("mode", ["rows", "tbptt"])
def test_train_rnn(tmp_path, mode):
    logdir = str(tmp_path / mode)
    argv = ["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--mode", mode, "--units", "16"]
    argv += ["--batch-size", "100", "--train-split", "test[:2000]", "--learning-rate", "0.01"]
    result = train_rnn.run(argv)
    model = keras.saving.load_model(os.path.join(logdir, "rnn.keras"))
    x_eval, y_eval = load_mnist("test[8000:]", source="bundled", shape="sequence", as_numpy=True, verbose=False)
    accuracy = float(np.mean(_numpy_predictions(model, x_eval) == y_eval))
    # float32 against float64 logits may flip an argmax that is nearly a tie: one image of 2,000 at most.
    assert result["accuracy"] == pytest.approx(accuracy, abs=1 / len(y_eval))
    # Better than chance: predictions independent of the labels score at most the largest label frequency in
    # expectation, and above it by more than sqrt(log(1e6) / 2n) with probability below 1e-6 (Hoeffding).
    chance = np.bincount(y_eval).max() / len(y_eval) + math.sqrt(math.log(1e6) / (2 * len(y_eval)))
    assert result["accuracy"] > chance
    train = read_events(os.path.join(logdir, "train"))
    assert "recurrent_kernel/singular_values" in train.Tags()["tensors"]
    # The largest singular value logged after the last epoch is the saved recurrent kernel's, by numpy's SVD.
    logged = float(tf.make_ndarray(train.Tensors("recurrent_kernel/max_singular_value")[-1].tensor_proto))
    kernel = np.asarray(model.cell.recurrent_kernel, np.float64)
    assert logged == pytest.approx(np.linalg.svd(kernel, compute_uv=False)[0], rel=1e-5)
    assert image_size(train, "recurrent_kernel/singular_values_by_epoch") == LINE_PIXELS
    values, metrics = read_hparams(logdir)
    assert (values["mode"], values["units"]) == (mode, 16)
    assert metrics["hparams/eval_accuracy"] == pytest.approx(result["accuracy"], rel=1e-6)
