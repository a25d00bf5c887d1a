"""keras-mf-rnn end to end."""

import os

import pytest
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import train_rnn

# The command end to end.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mode", ["rows", "tbptt"])
def test_train_rnn(tmp_path, mode):
    logdir = str(tmp_path / mode)
    result = train_rnn.run(
        [
            "--epochs",
            "1",
            "--logdir",
            logdir,
            "--data",
            "bundled",
            "--mode",
            mode,
            "--units",
            "16",
            "--batch-size",
            "100",
            "--train-split",
            "test[:2000]",
            "--learning-rate",
            "0.01",
        ]
    )
    assert result["accuracy"] > 0.2  # chance is 0.1
    train = read_events(os.path.join(logdir, "train"))
    assert "recurrent_kernel/singular_values" in train.Tags()["tensors"]
    assert image_size(train, "recurrent_kernel/singular_values_by_epoch") == (500, 350)
    assert os.path.isfile(os.path.join(logdir, "rnn.keras"))
    values, metrics = read_hparams(logdir)
    assert (values["mode"], values["units"]) == (mode, 16)
    assert metrics["hparams/eval_accuracy"] == pytest.approx(result["accuracy"], rel=1e-6)
