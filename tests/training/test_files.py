"""Atomic writes: whole files or none, with the usual file mode."""

import os

import keras
import pytest

from keras_mf import training


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
