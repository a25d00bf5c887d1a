"""The console commands (keras_mf.cli), run for one short epoch each in-process, TensorBoard event files
read back; their parsers, entry points, `--version` and `--help` through `scripts/` and the installed
commands."""

import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from tensorboard_events import read_events
from tensorboard_events import read_hparams

import keras_mf
from keras_mf.cli import cluster_mnist
from keras_mf.cli import compress_mnist
from keras_mf.cli import make_figures
from keras_mf.cli import reproduce_tutorials
from keras_mf.cli import snmf_mnist
from keras_mf.cli import train_autoencoder
from keras_mf.cli import train_rnn
from keras_mf.training import plots

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = {
    "keras-mf-autoencoder": train_autoencoder,
    "keras-mf-rnn": train_rnn,
    "keras-mf-compress": compress_mnist,
    "keras-mf-cluster": snmf_mnist,
    "keras-mf-deep-cluster": cluster_mnist,
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


# The plots' pixel sizes (inches at 100 dpi).
LINE_PIXELS = tuple(round(100 * side) for side in plots.LINE_SIZE)
CONFUSION_PIXELS = tuple(round(100 * side) for side in plots.CONFUSION_SIZE)


def _image_size(events, tag):
    """`(width, height)` of the image summary `tag`: it is stored as [width, height, encoded PNG]."""
    return tuple(int(v) for v in events.Tensors(tag)[-1].tensor_proto.string_val[:2])


def test_train_autoencoder_writes_loss_and_image_grid(tmp_path):
    logdir = str(tmp_path / "run")
    result = train_autoencoder.run(["--epochs", "1", "--logdir", logdir, "--data", "bundled", "--hidden-units", "32"])
    assert os.path.isfile(os.path.join(logdir, "autoencoder.keras"))
    assert not os.path.exists(os.path.join(logdir, "backup"))  # deleted once training completes
    train = read_events(os.path.join(logdir, "train"))
    assert "epoch_loss" in train.Tags()["tensors"]
    images = read_events(os.path.join(logdir, "images"))
    grid = images.Tensors("reconstructions")[0]
    # A summary image is stored as [width, height, encoded PNG]; the grid is 8 digits wide, 2 rows.
    assert [int(v) for v in grid.tensor_proto.string_val[:2]] == [8 * 28, 2 * 28]
    validation = read_events(os.path.join(logdir, "validation"))
    assert {"reconstruction_mse/pca", "reconstruction_mse/model"} <= set(validation.Tags()["tensors"])
    assert result["pca_eval_mse"] == pytest.approx(0.01738, abs=5e-5)
    assert _image_size(images, "reconstruction_mse_vs_latent_size") == LINE_PIXELS

    # The Projector: the evaluation images' codes, their labels, the digits' sprite.
    import keras
    import tensorflow as tf
    from google.protobuf import text_format
    from tensorboard.plugins import projector

    from keras_mf.datasets import load_mnist

    config = projector.ProjectorConfig()
    text_format.Parse(open(os.path.join(logdir, "projector_config.pbtxt")).read(), config)
    (embedding,) = config.embeddings
    x_eval, y_eval = load_mnist("test[8000:]", source="bundled", as_numpy=True, verbose=False)
    codes = np.loadtxt(os.path.join(logdir, embedding.tensor_path), delimiter="\t", dtype=np.float32)
    model = keras.saving.load_model(os.path.join(logdir, "autoencoder.keras"))
    np.testing.assert_allclose(codes, keras.ops.convert_to_numpy(model.encode(x_eval)), rtol=1e-5, atol=1e-6)
    rows = open(os.path.join(logdir, embedding.metadata_path)).read().splitlines()
    assert rows == [str(label) for label in y_eval]
    sprite = tf.io.decode_png(tf.io.read_file(os.path.join(logdir, embedding.sprite.image_path)))
    assert sprite.shape == (45 * 28, 45 * 28, 4)  # 2,000 digits in a square of ceil(sqrt(2000)) = 45 a side

    values, metrics = read_hparams(logdir)
    assert values["latent_dim"] == 32 and values["hidden_units"] == "32" and values["data"] == "bundled"
    assert metrics["hparams/eval_mse"] == pytest.approx(result["eval_mse"], rel=1e-6)
    assert metrics["hparams/pca_eval_mse"] == pytest.approx(result["pca_eval_mse"], rel=1e-6)


def test_train_autoencoder_resumes_after_interruption(tmp_path, monkeypatch):
    import keras

    from keras_mf import training

    logdir = str(tmp_path / "run")
    args = [
        "--epochs",
        "2",
        "--logdir",
        logdir,
        "--data",
        "bundled",
        "--hidden-units",
        "16",
        "--train-split",
        "test[:1000]",
    ]

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
    events = read_events(os.path.join(logdir, "train"))
    assert sorted({e.step for e in events.Tensors("epoch_loss")}) == [0, 1]


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
    assert _image_size(train, "recurrent_kernel/singular_values_by_epoch") == LINE_PIXELS
    assert os.path.isfile(os.path.join(logdir, "rnn.keras"))
    values, metrics = read_hparams(logdir)
    assert (values["mode"], values["units"]) == (mode, 16)
    assert metrics["hparams/eval_accuracy"] == pytest.approx(result["accuracy"], rel=1e-6)


def test_compress_command(tmp_path):
    result = compress_mnist.run(
        [
            "--epochs",
            "1",
            "--fine-tune-epochs",
            "1",
            "--logdir",
            str(tmp_path / "c"),
            "--data",
            "bundled",
            "--hidden-units",
            "64",
            "--fractions",
            "0.25",
            "--ranks",
            "8",
            "16",
            "--train-split",
            "test[:2000]",
        ]
    )
    assert result["rows"][1][2] < result["rows"][0][2]
    assert result["curve"][0][1] > result["curve"][1][1]
    compression = read_events(os.path.join(tmp_path, "c", "compression"))
    tags = set(compression.Tags()["tensors"])
    assert {"svd/reconstruction_mse_vs_rank", "compression/accuracy_vs_parameters"} <= tags
    assert _image_size(compression, "svd/reconstruction_mse_vs_rank") == LINE_PIXELS
    values, metrics = read_hparams(str(tmp_path / "c"))
    assert values["fractions"] == "0.25" and values["ranks"] == "8 16"
    assert metrics["hparams/compressed_parameters"] == result["rows"][1][2]
    assert metrics["hparams/compressed_accuracy"] == pytest.approx(result["rows"][1][4], rel=1e-6)


def test_cluster_command(tmp_path):
    pytest.importorskip("keras_mf.graph.pipeline")
    rows = snmf_mnist.run(
        [
            "--split",
            "test[:600]",
            "--logdir",
            str(tmp_path / "s"),
            "--data",
            "bundled",
            "--restarts",
            "2",
            "--max-iter",
            "200",
        ]
    )
    assert all(0.3 < row[1] <= 1.0 for row in rows)
    clustering = read_events(os.path.join(tmp_path, "s", "clustering"))
    assert {"symnmf/confusion_matrix", "clustering/results"} <= set(clustering.Tags()["tensors"])
    assert _image_size(clustering, "symnmf/confusion_matrix") == CONFUSION_PIXELS
    values, metrics = read_hparams(str(tmp_path / "s"))
    assert (values["clusters"], values["restarts"]) == (10, 2)
    assert metrics["hparams/cluster_accuracy"] == pytest.approx(rows[0][1], rel=1e-6)
    assert metrics["hparams/spectral_nmi"] == pytest.approx(rows[1][2], rel=1e-6)


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
def test_commands_run_without_matplotlib(command, tmp_path, monkeypatch, capsys):
    if command == "keras-mf-cluster":
        pytest.importorskip("keras_mf.graph.pipeline")
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a, **k: None if name == "matplotlib" else find_spec(name, *a, **k)
    )
    monkeypatch.setattr(plots, "_SKIPPED", set())
    logdir = tmp_path / "run"
    COMMANDS[command].run([*SMALL_RUNS[command], "--data", "bundled", "--logdir", str(logdir)])
    skipped = [line for line in capsys.readouterr().err.splitlines() if "matplotlib is not installed" in line]
    assert len(skipped) == 1 and "pip install 'keras_mf[plots]'" in skipped[0], skipped
    assert read_hparams(str(logdir))[1]  # the rest of the logs are still written
    for folder, _, files in os.walk(logdir):
        if any(name.startswith("events.out") for name in files):
            tags = read_events(folder)
            plotted = [t for t in tags.Tags()["tensors"] if tags.SummaryMetadata(t).plugin_data.plugin_name == "images"]
            assert set(plotted) <= {"reconstructions"}, plotted  # the autoencoder's grid needs no matplotlib


def test_make_figures(tmp_path):
    """The README's figures are drawn by `python scripts/make_figures.py`; the committed ones stay small."""
    from matplotlib.image import imread

    paths = make_figures.run(["--out", str(tmp_path), "--epochs", "1", "--latent-dims", "4", "--cluster-images", "300"])
    assert [os.path.basename(p) for p in paths] == list(make_figures.FIGURES)
    for path in paths:
        assert imread(path).shape[2] == 4
    for name in make_figures.FIGURES:
        assert os.path.getsize(os.path.join(ROOT, "docs", name)) < 150 * 1024, name


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


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _run_all(processes, timeout):
    """Waits for every process, killing them all once `timeout` seconds have passed: a worker whose peer
    died waits in a collective forever."""
    deadline = time.monotonic() + timeout
    try:
        return [p.communicate(timeout=max(deadline - time.monotonic(), 1)) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.communicate()


def test_autoencoder_on_two_workers_matches_one_process(tmp_path):
    """`--distribute multiworker` with two worker processes on 127.0.0.1: both finish, the chief writes the
    model and logs, the other worker's files go to a temporary folder it deletes, and the weights equal
    those of one process (this one) trained on the same global batches."""
    import keras

    argv = [
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--hidden-units",
        "16",
        "--latent-dim",
        "4",
        "--data",
        "bundled",
        "--train-split",
        "test[:256]",
        "--eval-split",
        "test[256:384]",
    ]
    code = "import sys; from keras_mf.cli.train_autoencoder import main; main(sys.argv[1:])"
    package_root = os.path.dirname(os.path.dirname(keras_mf.__file__))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_MF_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    workers = []
    for index in range(2):
        scratch = tmp_path / f"tmp{index}"
        scratch.mkdir()
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", code, *argv, "--distribute", "multiworker", "--logdir", str(tmp_path / "mw")],
                env=dict(env, TF_CONFIG=tf_config, TMPDIR=str(scratch)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = _run_all(workers, timeout=300)
    for worker, (output, _) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output[-3000:]
    assert re.search(rf"{re.escape(str(tmp_path / 'mw' / 'autoencoder.keras'))} +the trained model", outputs[0][0])
    assert "keras_mf-worker-" in outputs[1][0]  # worker 1 reports its temporary folder
    assert os.listdir(tmp_path / "tmp1") == []  # ... and deleted it

    # Only the chief wrote to --logdir (event files are named events.out.tfevents.<time>.<host>.<pid>.<n>.v2).
    logdir = tmp_path / "mw"
    writers = {int(name.split(".")[-3]) for _, _, files in os.walk(logdir) for name in files if ".tfevents." in name}
    assert writers == {workers[0].pid}
    assert {"autoencoder.keras", "projector_config.pbtxt", "metadata.tsv"} <= set(os.listdir(logdir))
    assert not os.path.exists(logdir / "backup")

    train_autoencoder.run([*argv, "--logdir", str(tmp_path / "one")])
    distributed = keras.saving.load_model(logdir / "autoencoder.keras").get_weights()
    reference = keras.saving.load_model(tmp_path / "one" / "autoencoder.keras").get_weights()
    # Two replicas of 32 examples sum their gradients where one process sees the 64 at once: only the
    # order of float32 additions differs (about 1e-8 measured after 2 epochs).
    for a, b in zip(distributed, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_a_command_starts_quietly(tmp_path):
    """No TensorFlow/absl start-up line (W0000, I0000, E0000, WARNING:absl) reaches a user without a GPU."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "train_autoencoder.py"), "--epochs", "1", "--data", "bundled",
         "--hidden-units", "8", "--latent-dim", "2", "--train-split", "test[:300]", "--eval-split", "test[300:400]",
         "--logdir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    noisy = [line for line in (result.stdout + result.stderr).splitlines()
             if line.startswith(("W0000", "I0000", "E0000", "WARNING:absl", "WARNING: All log messages"))]  # fmt: skip
    assert noisy == []
