"""The console commands (keras_mf.cli), run for one short epoch each in-process, TensorBoard event files
read back; their parsers, entry points, `--version` and `--help` through `scripts/` and the installed
commands."""

import importlib
import importlib.metadata
import inspect
import os
import shutil
import subprocess
import sys

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import keras_mf
from keras_mf.cli import compress_mnist
from keras_mf.cli import reproduce_tutorials
from keras_mf.cli import snmf_mnist
from keras_mf.cli import train_autoencoder
from keras_mf.cli import train_rnn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = {
    "keras-mf-autoencoder": train_autoencoder,
    "keras-mf-rnn": train_rnn,
    "keras-mf-compress": compress_mnist,
    "keras-mf-cluster": snmf_mnist,
    "keras-mf-tutorials": reproduce_tutorials,
}
# Options read by shared code rather than by the command's own module: which function reads each.
SHARED_READERS = {
    "seed": "set_seed",
    "logdir": "parse_args",
    "resume": "parse_args",
    "train_split": "resolve_splits",
    "eval_split": "resolve_splits",
    "data": "load_mnist",
    "data_dir": "load_mnist",
}


def _tags(folder):
    events = EventAccumulator(folder, size_guidance={"tensors": 0, "images": 0})
    events.Reload()
    return events


def test_train_autoencoder_writes_loss_and_image_grid(tmp_path):
    logdir = str(tmp_path / "run")
    result = train_autoencoder.run(["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--hidden-units", "32"])
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


def test_train_autoencoder_resumes_after_interruption(tmp_path, monkeypatch):
    import keras

    from keras_mf import training

    logdir = str(tmp_path / "run")
    args = ["--epochs", "2", "--logdir", logdir, "--data", "bundled", "--hidden-units", "16", "--train-split", "test[:1000]"]

    class Interrupt(Exception):
        pass

    class StopAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise Interrupt

    original = training.standard_callbacks
    with monkeypatch.context() as patch:
        patch.setattr(training, "standard_callbacks", lambda d: original(d) + [StopAfterFirstEpoch()])
        with pytest.raises(Interrupt):
            train_autoencoder.run(args)
    assert os.path.isdir(os.path.join(logdir, "backup"))
    train_autoencoder.run(args)  # resumes at epoch 2 from the backup
    events = _tags(os.path.join(logdir, "train"))
    assert sorted({e.step for e in events.Tensors("epoch_loss")}) == [0, 1]


@pytest.mark.parametrize("mode", ["rows", "tbptt"])
def test_train_rnn(tmp_path, mode):
    logdir = str(tmp_path / mode)
    result = train_rnn.run(
        ["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--mode", mode, "--units", "16",
         "--batch-size", "100", "--train-split", "test[:2000]", "--learning-rate", "0.01"]
    )
    assert result["accuracy"] > 0.2  # chance is 0.1
    train = _tags(os.path.join(logdir, "train"))
    assert "recurrent_kernel/singular_values" in train.Tags()["tensors"]
    assert os.path.isfile(os.path.join(logdir, "rnn.keras"))


def test_compress_and_cluster_commands(tmp_path):
    result = compress_mnist.run(
        ["--epochs", "1", "--fine-tune-epochs", "1", "--logdir", str(tmp_path / "c"), "--data", "bundled",
         "--hidden-units", "64", "--fractions", "0.25", "--ranks", "8", "16", "--train-split", "test[:2000]"]
    )
    assert result["rows"][1][2] < result["rows"][0][2]
    assert result["curve"][0][1] > result["curve"][1][1]
    compression = _tags(os.path.join(tmp_path, "c", "compression"))
    assert {"svd/reconstruction_mse_vs_rank", "compression/accuracy_vs_parameters"} <= set(compression.Tags()["tensors"])
    rows = snmf_mnist.run(["--split", "test[:600]", "--logdir", str(tmp_path / "s"), "--data", "bundled",
                            "--restarts", "2", "--max-iter", "200"])
    assert all(0.3 < row[1] <= 1.0 for row in rows)
    clustering = _tags(os.path.join(tmp_path, "s", "clustering"))
    assert {"symnmf/objective", "symnmf/confusion_matrix", "symnmf/accuracy"} <= set(clustering.Tags()["tensors"])


def test_reproduce_tutorials_markdown_is_up_to_date(tmp_path):
    path = tmp_path / "t.md"
    examples = reproduce_tutorials.run(["--markdown", str(path)])
    committed = open(os.path.join(ROOT, "TUTORIALS.md")).read()
    assert path.read_text() == committed, "regenerate TUTORIALS.md with keras-mf-tutorials --markdown TUTORIALS.md"
    assert len(examples) >= 20


def test_parsers_load_no_tensorflow():
    """`--help`, `--version` and argument errors answer without loading TensorFlow (or Keras)."""
    code = (
        "import sys\n"
        + "".join(f"from keras_mf.cli import {m.__name__.rsplit('.', 1)[1]}\n" for m in COMMANDS.values())
        + "".join(f"{m.__name__.rsplit('.', 1)[1]}.build_parser()\n" for m in COMMANDS.values())
        + "print(sorted(m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_installed_command_and_script_answer_help_and_version(command):
    executable = shutil.which(command, path=os.path.dirname(sys.executable)) or shutil.which(command)
    assert executable, f"{command} is not installed: pip install -e ."
    script = os.path.join(ROOT, "scripts", COMMANDS[command].__name__.rsplit(".", 1)[1] + ".py")
    version = importlib.metadata.version("keras_mf")
    assert version == keras_mf.__version__
    for argv in ([executable], [sys.executable, script]):
        result = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.startswith("usage:"), result.stderr
        result = subprocess.run(argv + ["--version"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.strip().endswith(f"(keras_mf {version})"), result.stdout
        result = subprocess.run(argv + ["--no-such-option"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "usage:" in result.stderr and "--no-such-option" in result.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_is_read(command):
    """Each option a command offers is read by the command's module, or by the shared function that
    `SHARED_READERS` names, which the module must then call."""
    module = COMMANDS[command]
    source = inspect.getsource(module)
    for action in module.build_parser()._actions:
        if action.dest in ("help", "version"):
            continue
        reader = SHARED_READERS.get(action.dest)
        read_here = f"args.{action.dest}" in source
        assert read_here or (reader and f"{reader}(" in source), f"{command} never reads --{action.dest}"


@pytest.mark.parametrize(
    "command, argv, flag",
    [
        ("keras-mf-autoencoder", ["--latent-dim", "0"], "--latent-dim"),
        ("keras-mf-autoencoder", ["--hidden-units", "-3"], "--hidden-units"),
        ("keras-mf-autoencoder", ["--learning-rate", "nan"], "--learning-rate"),
        ("keras-mf-autoencoder", ["--pca-init", "--hidden-units", "16"], "--pca-init"),
        ("keras-mf-autoencoder", ["--logdir", "/proc/keras_mf"], "--logdir"),
        ("keras-mf-rnn", ["--chunks", "5"], "--chunks"),
        ("keras-mf-rnn", ["--reset-every-chunk"], "--reset-every-chunk"),
        ("keras-mf-compress", ["--fractions", "1.5"], "--fractions"),
        ("keras-mf-compress", ["--ranks", "0"], "--ranks"),
        ("keras-mf-cluster", ["--tol", "-1"], "--tol"),
        ("keras-mf-cluster", ["--epochs", "3"], "--epochs"),
    ],
)
def test_bad_arguments_stop_before_any_work(command, argv, flag, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        COMMANDS[command].main(argv)
    assert stop.value.code == 2
    assert flag in capsys.readouterr().err
    assert not os.path.exists("runs")  # refused before a log folder was made
