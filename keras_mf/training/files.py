"""Atomic file writes: a reader or a crash never sees half a file."""

import os
import uuid


def atomic_write_text(path, text):
    """Writes `text` (UTF-8) to `path` through a temporary file in the same folder and an atomic rename.

    A reader sees the old file or the new one, never half of it; on any failure the old file is left as it was.
    Missing folders are made.

    Args:
        path: str or path, the file to write.
        text: str.

    Raises:
        OSError: the folder cannot be made or written (the temporary file is removed).

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import atomic_write_text
        >>> path = os.path.join(tempfile.mkdtemp(), "notes", "run.txt")
        >>> atomic_write_text(path, "σ = 3\\n")
        >>> open(path, encoding="utf-8").read()
        'σ = 3\\n'
    """
    _atomic(path, lambda tmp: _write_new(tmp, text.encode("utf-8")))


def atomic_write_bytes(path, data):
    """Writes `data` (bytes, e.g. a PNG) to `path` as `atomic_write_text` writes text.

    Args:
        path: str or path, the file to write.
        data: bytes.

    Raises:
        OSError: the folder cannot be made or written (the temporary file is removed).

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import atomic_write_bytes
        >>> path = os.path.join(tempfile.mkdtemp(), "blob.bin")
        >>> atomic_write_bytes(path, bytes([0, 255]))
        >>> os.path.getsize(path)
        2
    """
    _atomic(path, lambda tmp: _write_new(tmp, data))


def atomic_save_model(model, path):
    """Saves a Keras model to `path` (".keras") so that an interrupted save leaves any old file intact.

    Args:
        model: a built `keras.Model`.
        path: str or path ending in ".keras".

    Returns:
        `path`, unchanged.

    Raises:
        ValueError: `path` does not end in ".keras".

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> from keras_mf.training import atomic_save_model
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> path = atomic_save_model(model, os.path.join(tempfile.mkdtemp(), "model.keras"))
        >>> keras.saving.load_model(path).count_params()
        3
    """
    if not str(path).endswith(".keras"):
        raise ValueError(f"Received an invalid value for `path`, expected a '.keras' file. Received: path={path!r}")
    _atomic(path, model.save)
    return path


def _atomic(path, write):
    """Calls `write(tmp)` for a fresh name `tmp` beside `path`, then renames it over `path` in one step; on any
    failure the temporary file is removed and `path` is left as it was.

    The temporary file is created by the writer itself with the usual mode (0666 less the umask), as a plain
    `open` would create `path`; `tempfile.mkstemp` would make it private (0600)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".tmp-{uuid.uuid4().hex}-{os.path.basename(path)}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _write_new(tmp, data):
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
