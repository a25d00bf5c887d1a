"""Atomic file writes: a reader or a crash never sees half a file."""

import os
import tempfile


def _publish(tmp, path):
    """Gives the temporary file the mode any new file gets (0666 less the umask; `mkstemp` makes it 0600,
    private to its owner) and renames it over `path` in one step."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def atomic_write_text(path, text):
    """Writes `text` to `path` through a temporary file in the same folder and an atomic rename."""
    _atomic_write(path, text, "w")


def atomic_write_bytes(path, data):
    """Writes `data` (bytes, e.g. a PNG) to `path` as `atomic_write_text` writes text."""
    _atomic_write(path, data, "wb")


def _atomic_write(path, data, mode):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, mode) as f:
            f.write(data)
        _publish(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_save_model(model, path):
    """Saves a Keras model to `path` (".keras") so that an interrupted save leaves any old file intact."""
    if not str(path).endswith(".keras"):
        raise ValueError(f"Received an invalid value for `path`, expected a '.keras' file. Received: path={path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp)
        _publish(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
