"""keras-mf-autoencoder end to end: logs read back and two workers (resuming after an interruption, its loss curve
included: tests/training/test_progress.py)."""

import json
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

import keras_mf
from keras_mf.cli import train_autoencoder
from keras_mf.training import plots

# The plots' pixel sizes (inches at 100 dpi).
LINE_PIXELS = tuple(round(100 * side) for side in plots.LINE_SIZE)

# Each test runs the command end to end (one of them in two worker processes).
pytestmark = pytest.mark.slow


# One epoch of four global batches of 64 on 256 images, 90 evaluation images (a Projector sprite of ceil(sqrt(90)) =
# 10 digits a side). With two workers (32 images each per step) each step's weights feed the next one's gradients and
# Adam's moments carry over, so a batch or a sum that differs anywhere shows in the final weights.
ARGV = ["--epochs", "1", "--batch-size", "64", "--hidden-units", "16", "--latent-dim", "4", "--data", "bundled",
        "--train-split", "test[:256]", "--eval-split", "test[256:346]"]  # fmt: skip


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """`(result, logdir)` of the command run on ARGV in this process: read back by the first test and the reference
    the two workers must match."""
    logdir = str(tmp_path_factory.mktemp("one") / "run")
    return train_autoencoder.run([*ARGV, "--logdir", logdir]), logdir


def test_train_autoencoder_writes_loss_and_image_grid(one_process):
    result, logdir = one_process
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
    # The PCA reference in numpy: the top 4 eigenvectors of the training images' scatter matrix, in float64.
    from keras_mf.datasets import load_mnist

    x_train = load_mnist("test[:256]", source="bundled", targets=None, as_numpy=True, verbose=False)
    x_eval, y_eval = load_mnist("test[256:346]", source="bundled", as_numpy=True, verbose=False)
    mean = x_train.astype(np.float64).mean(0)
    components = np.linalg.eigh((x_train - mean).T @ (x_train - mean))[1][:, -4:]
    reconstruction = (x_eval - mean) @ components @ components.T + mean
    assert result["pca_eval_mse"] == pytest.approx(np.mean((x_eval - reconstruction) ** 2), rel=1e-4)
    assert image_size(images, "reconstruction_mse_vs_latent_size") == LINE_PIXELS

    # The Projector: the evaluation images' codes, their labels, the digits' sprite.
    import keras
    import tensorflow as tf
    from google.protobuf import text_format
    from tensorboard.plugins import projector

    config = projector.ProjectorConfig()
    text_format.Parse(open(os.path.join(logdir, "projector_config.pbtxt")).read(), config)
    (embedding,) = config.embeddings
    codes = np.loadtxt(os.path.join(logdir, embedding.tensor_path), delimiter="\t", dtype=np.float32)
    model = keras.saving.load_model(os.path.join(logdir, "autoencoder.keras"))
    predicted = model.predict(x_eval, verbose=0).astype(np.float64)
    assert result["eval_mse"] == pytest.approx(np.mean((x_eval - predicted) ** 2), rel=1e-5)
    np.testing.assert_allclose(codes, keras.ops.convert_to_numpy(model.encode(x_eval)), rtol=1e-5, atol=1e-6)
    rows = open(os.path.join(logdir, embedding.metadata_path)).read().splitlines()
    assert rows == [str(label) for label in y_eval]
    sprite = tf.io.decode_png(tf.io.read_file(os.path.join(logdir, embedding.sprite.image_path)))
    assert sprite.shape == (10 * 28, 10 * 28, 4)  # 90 digits in a square of ceil(sqrt(90)) = 10 a side

    values, metrics = read_hparams(logdir)
    assert values["latent_dim"] == 4 and values["hidden_units"] == "16" and values["data"] == "bundled"
    assert metrics["hparams/eval_mse"] == pytest.approx(result["eval_mse"], rel=1e-6)
    assert metrics["hparams/pca_eval_mse"] == pytest.approx(result["pca_eval_mse"], rel=1e-6)


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


def test_autoencoder_on_two_workers_matches_one_process(tmp_path, one_process):
    """`--distribute multiworker` with two worker processes on 127.0.0.1: both finish, the chief writes the
    model and logs, the other worker's files go to a temporary folder it deletes, and the weights equal
    those of one process (this one) trained on the same global batches."""
    import keras

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
                [sys.executable, "-c", code, *ARGV, "--distribute", "multiworker", "--logdir", str(tmp_path / "mw")],
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

    distributed = keras.saving.load_model(logdir / "autoencoder.keras").get_weights()
    reference = keras.saving.load_model(os.path.join(one_process[1], "autoencoder.keras")).get_weights()
    # Two replicas of 32 examples sum their gradients where one process sees the 64 at once: only the
    # order of float32 additions differs (under 1e-8 measured; shifting the split by one image moves them by 3e-3).
    for a, b in zip(distributed, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
