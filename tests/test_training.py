import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

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
        training.ConstantScalars({"reference": 1.0}, logdir),
        training.RecurrentSpectrum(lambda: model.layers[0].kernel, logdir),
    ]
    model.fit(x, x, epochs=2, batch_size=4, callbacks=callbacks, verbose=0)
    assert sorted(closed) == sorted(os.path.join(logdir, d) for d in ("images", "validation", "train"))


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
