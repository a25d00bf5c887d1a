"""The scripts, run for one short epoch each, in-process; TensorBoard event files read back."""

import os
import subprocess
import sys

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def _tags(folder):
    events = EventAccumulator(folder, size_guidance={"tensors": 0, "images": 0})
    events.Reload()
    return events


def test_train_autoencoder_writes_loss_and_image_grid(tmp_path):
    import train_autoencoder

    logdir = str(tmp_path / "run")
    result = train_autoencoder.main(["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--hidden-units", "32"])
    assert os.path.isfile(os.path.join(logdir, "autoencoder.keras"))
    assert not os.path.exists(os.path.join(logdir, "backup"))  # deleted once training completes
    train = _tags(os.path.join(logdir, "train"))
    assert "epoch_loss" in train.Tags()["tensors"]
    images = _tags(os.path.join(logdir, "images"))
    grid = images.Tensors("reconstructions")[0]
    # A summary image is stored as [width, height, encoded PNG]; the grid is 8 digits wide, 2 rows.
    assert [int(v) for v in grid.tensor_proto.string_val[:2]] == [8 * 28, 2 * 28]
    validation = _tags(os.path.join(logdir, "validation"))
    assert "pca_reference/eval_mse" in validation.Tags()["tensors"]
    assert result["pca_eval_mse"] == pytest.approx(0.01738, abs=5e-5)


def test_train_autoencoder_resumes_after_interruption(tmp_path):
    import train_autoencoder

    logdir = str(tmp_path / "run")
    args = ["--epochs", "2", "--logdir", logdir, "--data", "bundled", "--hidden-units", "16", "--train-split", "test[:1000]"]

    class Interrupt(Exception):
        pass

    import keras

    class StopAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise Interrupt

    from keras_mf import training

    original = training.standard_callbacks
    training.standard_callbacks = lambda d: original(d) + [StopAfterFirstEpoch()]
    try:
        with pytest.raises(Interrupt):
            train_autoencoder.main(args)
    finally:
        training.standard_callbacks = original
    assert os.path.isdir(os.path.join(logdir, "backup"))
    train_autoencoder.main(args)  # resumes at epoch 2 from the backup
    events = _tags(os.path.join(logdir, "train"))
    assert sorted({e.step for e in events.Tensors("epoch_loss")}) == [0, 1]


@pytest.mark.parametrize("mode", ["rows", "tbptt"])
def test_train_rnn(tmp_path, mode):
    import train_rnn

    logdir = str(tmp_path / mode)
    result = train_rnn.main(
        ["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--mode", mode, "--units", "16",
         "--batch-size", "100", "--train-split", "test[:2000]", "--learning-rate", "0.01"]
    )
    assert result["accuracy"] > 0.2  # chance is 0.1
    train = _tags(os.path.join(logdir, "train"))
    assert "recurrent_kernel/singular_values" in train.Tags()["tensors"]
    assert os.path.isfile(os.path.join(logdir, "rnn.keras"))


def test_compress_and_snmf_and_tutorial_scripts(tmp_path):
    import compress_mnist
    import snmf_mnist

    result = compress_mnist.main(
        ["--epochs", "1", "--fine-tune-epochs", "1", "--logdir", str(tmp_path / "c"), "--data", "bundled",
         "--hidden-units", "64", "--fractions", "0.25", "--ranks", "8", "16", "--train-split", "test[:2000]"]
    )
    assert result["rows"][1][2] < result["rows"][0][2]
    assert result["curve"][0][1] > result["curve"][1][1]
    rows = snmf_mnist.main(["--split", "test[:600]", "--logdir", str(tmp_path / "s"), "--data", "bundled",
                            "--restarts", "2", "--max-iter", "200"])
    assert all(0.3 < row[1] <= 1.0 for row in rows)


def test_scripts_have_help():
    for script in ("train_autoencoder", "train_rnn", "compress_mnist", "snmf_mnist", "reproduce_tutorials"):
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", f"{script}.py"), "--help"],
            capture_output=True, text=True, timeout=120, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        )
        assert result.returncode == 0 and "usage" in result.stdout, result.stderr[-1000:]


def test_reproduce_tutorials_markdown_is_up_to_date(tmp_path):
    import reproduce_tutorials

    path = tmp_path / "t.md"
    examples = reproduce_tutorials.main(["--markdown", str(path)])
    committed = open(os.path.join(ROOT, "TUTORIALS.md")).read()
    assert path.read_text() == committed, "regenerate TUTORIALS.md with scripts/reproduce_tutorials.py --markdown"
    assert len(examples) >= 20
