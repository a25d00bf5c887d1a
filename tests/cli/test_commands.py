"""What every command shares: entry points, --help and --version, parsers without TensorFlow, runs without
matplotlib, argument errors, a quiet start."""

import importlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest
from option_reads import record_option_reads
from option_reads import unread_options
from paths import ROOT
from tensorboard_events import read_events
from tensorboard_events import read_hparams

import keras_mf
from keras_mf.cli import cluster_mnist
from keras_mf.cli import compress_mnist
from keras_mf.cli import reproduce_tutorials
from keras_mf.cli import snmf_mnist
from keras_mf.cli import train_autoencoder
from keras_mf.cli import train_rnn
from keras_mf.training import plots

COMMANDS = {
    "keras-mf-autoencoder": train_autoencoder,
    "keras-mf-rnn": train_rnn,
    "keras-mf-compress": compress_mnist,
    "keras-mf-cluster": snmf_mnist,
    "keras-mf-deep-cluster": cluster_mnist,
    "keras-mf-tutorials": reproduce_tutorials,
}


# Options the small runs below cannot read, with where they are read and tested: --resume is read by resolve_logdir
# only when no --logdir is given (tests/training/test_args.py, test_resume_picks_newest_interrupted_run).
ONLY_READ_ELSEWHERE = ("resume",)

# One small run of each command that logs plots; the cluster command needs keras_mf.graph.pipeline.
SMALL_RUNS = {
    "keras-mf-autoencoder": [
        "--epochs",
        "1",
        "--hidden-units",
        "8",
        "--latent-dim",
        "2",
        "--train-split",
        "test[:500]",
        "--eval-split",
        "test[500:600]",
    ],
    "keras-mf-rnn": ["--epochs", "1", "--units", "4", "--train-split", "test[:500]", "--eval-split", "test[500:600]"],
    "keras-mf-compress": [
        "--epochs",
        "1",
        "--fine-tune-epochs",
        "1",
        "--hidden-units",
        "16",
        "--fractions",
        "0.5",
        "--ranks",
        "4",
        "--train-split",
        "test[:500]",
        "--eval-split",
        "test[500:600]",
    ],
    "keras-mf-cluster": ["--split", "test[:200]", "--restarts", "1", "--max-iter", "50"],
}


@pytest.mark.parametrize("command", sorted(SMALL_RUNS))
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::keras_mf.exceptions.ConvergenceWarning")  # the cluster run stops at 50 on purpose
def test_commands_run_without_matplotlib(command, tmp_path, monkeypatch, capsys):
    if command == "keras-mf-cluster":
        pytest.importorskip("keras_mf.graph.pipeline")
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a, **k: None if name == "matplotlib" else find_spec(name, *a, **k)
    )
    monkeypatch.setattr(plots, "_SKIPPED", set())
    reads = record_option_reads(monkeypatch)
    logdir = tmp_path / "run"
    COMMANDS[command].run([*SMALL_RUNS[command], "--data", "bundled", "--logdir", str(logdir)])
    # Every option the command offers is read during the run (by the command or a function it hands `args` to).
    assert unread_options(COMMANDS[command], reads, exempt=ONLY_READ_ELSEWHERE) == []
    skipped = [line for line in capsys.readouterr().err.splitlines() if "matplotlib is not installed" in line]
    assert len(skipped) == 1 and "pip install 'keras_mf[plots]'" in skipped[0], skipped
    assert read_hparams(str(logdir))[1]  # the rest of the logs are still written
    for folder, _, files in os.walk(logdir):
        if any(name.startswith("events.out") for name in files):
            tags = read_events(folder)
            plotted = [t for t in tags.Tags()["tensors"] if tags.SummaryMetadata(t).plugin_data.plugin_name == "images"]
            assert set(plotted) <= {"reconstructions"}, plotted  # the autoencoder's grid needs no matplotlib


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
@pytest.mark.slow
def test_installed_command_and_script_answer_help_and_version(command):
    executable = shutil.which(command, path=os.path.dirname(sys.executable)) or shutil.which(command)
    assert executable, f"{command} is not installed: pip install -e ."
    script = os.path.join(ROOT, "scripts", COMMANDS[command].__name__.rsplit(".", 1)[1] + ".py")
    version = importlib.metadata.version("keras_mf")
    assert version == keras_mf.__version__
    # `python -m keras_mf.cli.<module>` once printed nothing and exited 0 (no __main__ guard).
    module = [sys.executable, "-m", COMMANDS[command].__name__]
    for argv in ([executable], [sys.executable, script], module):
        result = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.startswith("usage:"), result.stderr
        result = subprocess.run(argv + ["--version"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.strip().endswith(f"(keras_mf {version})"), result.stdout
        result = subprocess.run(argv + ["--no-such-option"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "usage:" in result.stderr and "--no-such-option" in result.stderr


@pytest.mark.parametrize(
    "command, argv, flag",
    [
        ("keras-mf-autoencoder", ["--latent-dim", "0"], "--latent-dim"),
        ("keras-mf-autoencoder", ["--hidden-units", "-3"], "--hidden-units"),
        ("keras-mf-autoencoder", ["--learning-rate", "nan"], "--learning-rate"),
        ("keras-mf-autoencoder", ["--pca-init", "--hidden-units", "16"], "--pca-init"),
        ("keras-mf-autoencoder", ["--logdir", "/proc/keras_mf"], "--logdir"),
        ("keras-mf-rnn", ["--chunks", "5"], "--chunks"),
        ("keras-mf-cluster", ["--clusters", "1"], "--clusters"),
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
