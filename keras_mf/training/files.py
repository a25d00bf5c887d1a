"""Atomic file writes: a reader or a crash never sees half a file."""

import os
import uuid


def atomic_write_text(path, text):
    """Writes `text` (UTF-8) to `path` through a temporary file in the same folder and an atomic rename."""
    _atomic(path, lambda tmp: _write_new(tmp, text.encode("utf-8")))


def atomic_write_bytes(path, data):
    """Writes `data` (bytes, e.g. a PNG) to `path` as `atomic_write_text` writes text."""
    _atomic(path, lambda tmp: _write_new(tmp, data))


def atomic_save_model(model, path):
    """Saves a Keras model to `path` (".keras") so that an interrupted save leaves any old file intact."""
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
