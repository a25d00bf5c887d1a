import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf import training


def test_parser_defaults_and_logdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = training.make_parser("demo", "Demo.", epochs=3).parse_args(["--seed", "5"])
    assert (args.epochs, args.batch_size, args.seed, args.data) == (3, 128, 5, "auto")
    logdir = training.resolve_logdir(args)
    assert logdir.startswith(os.path.join("runs", "demo")) and os.path.isdir(logdir)
    with pytest.raises(SystemExit):
        training.make_parser("demo", "Demo.").parse_args(["--epochs", "0"])


def test_resume_picks_newest_interrupted_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs("runs/demo/20260101-000000/backup")
    os.makedirs("runs/demo/20260102-000000")
    args = training.make_parser("demo", "Demo.").parse_args(["--resume"])
    assert training.resolve_logdir(args) == os.path.join("runs", "demo", "20260101-000000")


def test_atomic_writes(tmp_path):
    path = tmp_path / "out.txt"
    training.atomic_write_text(str(path), "hello")
    assert path.read_text() == "hello"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    saved = training.atomic_save_model(model, str(tmp_path / "m.keras"))
    assert keras.saving.load_model(saved).count_params() == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []
    with pytest.raises(ValueError, match="keras"):
        training.atomic_save_model(model, str(tmp_path / "m.h5"))


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


def test_format_table():
    table = training.format_table(["a", "b"], [["x", 0.123456789], ["yy", 3]])
    assert table.splitlines()[2].split() == ["x", "0.12346"]


def test_mirrored_strategy_on_two_logical_cpus():
    code = textwrap.dedent(
        """
        import numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from keras_mf import training, Autoencoder
        strategy = training.get_strategy("mirrored")
        assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
        with strategy.scope():
            model = Autoencoder(input_shape=(16,), latent_dim=2, hidden_units=(8,))
            model.compile("adam", "mse")
        x = np.random.default_rng(0).random((64, 16)).astype("float32")
        history = model.fit(x, x, batch_size=16, epochs=2, verbose=0)
        print("replicas", strategy.num_replicas_in_sync, "loss", history.history["loss"][-1])
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replicas 2" in result.stdout


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_atomic_writes_get_the_usual_file_mode(tmp_path, umask):
    """mkstemp makes its files 0600; a saved model or text must get 0666 less the umask, like any file."""
    previous = os.umask(umask)
    try:
        text = str(tmp_path / "out.md")
        training.atomic_write_text(text, "x")
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        saved = training.atomic_save_model(model, str(tmp_path / "m.keras"))
    finally:
        os.umask(previous)
    for path in (text, saved):
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


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


def test_a_save_that_fails_part_way_leaves_the_old_model_and_no_temporary_file(tmp_path, monkeypatch):
    """The `.keras` writer raises after it has started writing: the model saved before is untouched, byte
    for byte, and the temporary file is removed."""
    path = str(tmp_path / "autoencoder.keras")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    training.atomic_save_model(model, path)
    before = open(path, "rb").read()

    def save_then_fail(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as f:
            f.write(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", save_then_fail)
    with pytest.raises(OSError, match="disk full"):
        training.atomic_save_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)]), path)
    assert open(path, "rb").read() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autoencoder.keras"]


@pytest.mark.parametrize("with_clusters", [False, True])
def test_write_projector_reads_back(tmp_path, with_clusters):
    import tensorflow as tf
    from google.protobuf import text_format
    from tensorboard.plugins import projector

    rng = np.random.default_rng(0)
    codes = rng.normal(size=(10, 3)).astype(np.float32)
    labels = np.arange(10) % 4
    images = rng.random((10, 784)).astype(np.float32)
    clusters = (np.arange(10) * 7) % 3 if with_clusters else None
    path = training.write_projector(str(tmp_path), codes, labels, images=images, clusters=clusters)

    config = text_format.Parse(open(path).read(), projector.ProjectorConfig())
    columns = ["label", "cluster"] if with_clusters else ["label"]
    names = ["codes, coloured by label", "codes, coloured by their cluster"][: len(columns)]
    assert [e.tensor_name for e in config.embeddings] == names
    assert names == sorted(names)  # the Projector sorts tensors by name and opens on the first: the label's
    for column, embedding in zip(columns, config.embeddings, strict=True):
        assert (embedding.metadata_path, embedding.sprite.image_path) == ("metadata.tsv", f"sprite_{column}.png")
        assert list(embedding.sprite.single_image_dim) == [28, 28]
        stored = np.loadtxt(tmp_path / embedding.tensor_path, delimiter="\t", dtype=np.float32)
        np.testing.assert_array_equal(stored, codes)
    rows = [line.split("\t") for line in (tmp_path / "metadata.tsv").read_text().splitlines()]
    if with_clusters:
        assert rows[0] == ["label", "cluster"]
        assert rows[1:] == [[str(a), str(b)] for a, b in zip(labels, clusters, strict=True)]
    else:
        assert rows == [[str(a)] for a in labels]
    sprite = tf.io.decode_png(tf.io.read_file(str(tmp_path / "sprite_label.png"))).numpy()
    assert sprite.shape == (4 * 28, 4 * 28, 4)  # ceil(sqrt(10)) tiles a side, RGBA
    tile = sprite[28:56, 56:84]  # image 6, label 2: ink is the alpha channel, in the palette's third colour
    np.testing.assert_allclose(tile[:, :, 3] / 255, images[6].reshape(28, 28), atol=0.5 / 255 + 1e-6)
    assert tuple(tile[0, 0, :3]) == (0x2C, 0xA0, 0x2C)
    assert np.all(sprite[3 * 28 :, 2 * 28 :, 3] == 0)  # the unused tiles are transparent


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"labels": np.zeros(3)}, "labels"),
        ({"clusters": np.zeros(4)}, "clusters"),
        ({"images": np.zeros((4, 784))}, "images"),
        ({"images": np.zeros((5, 10))}, "images"),
        ({"codes": np.full((5, 2), np.nan)}, "codes"),
    ],
)
def test_write_projector_refuses_bad_input(tmp_path, kwargs, name):
    arguments = {"codes": np.zeros((5, 2)), "labels": np.zeros(5), **kwargs}
    with pytest.raises(ValueError, match=f"`{name}`"):
        training.write_projector(str(tmp_path), **arguments)


def test_log_hparams_reads_back(tmp_path):
    import argparse

    args = argparse.Namespace(
        epochs=3,
        learning_rate=0.01,
        linear=True,
        hidden_units=[64, 32],
        activation="relu",
        data_dir=None,
        logdir=str(tmp_path),
        script="demo",
        resume=False,
    )
    training.log_hparams(str(tmp_path), args, {"eval_mse": 0.25, "accuracy": 0.5})
    values, metrics = read_hparams(str(tmp_path))
    assert values == {"epochs": 3, "learning_rate": 0.01, "linear": True, "hidden_units": "64 32", "activation": "relu"}
    assert metrics == {"hparams/eval_mse": 0.25, "hparams/accuracy": 0.5}


@pytest.mark.parametrize(
    "config, chief",
    [
        (None, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, False),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}, True),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}, False),
    ],
)
def test_is_chief(config, chief):
    import json

    assert training.is_chief({} if config is None else {"TF_CONFIG": json.dumps(config)}) is chief


def test_eckart_young_curve_matches_numpy_svd():
    from keras_mf.compression import eckart_young_curve
    from keras_mf.compression import svd_error_curve

    x = np.random.default_rng(0).random((60, 20)).astype(np.float32)
    ranks, errors = eckart_young_curve(x)
    singular_values = np.linalg.svd(x - x.mean(0), compute_uv=False).astype(np.float64)
    expected = [np.sum(singular_values[k:] ** 2) / x.size for k in range(21)]
    np.testing.assert_array_equal(ranks, np.arange(21))
    np.testing.assert_allclose(errors, expected, rtol=1e-4, atol=1e-7)
    for rank, error in svd_error_curve(x, [3, 10]):
        assert errors[rank] == pytest.approx(error, rel=1e-4)


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
