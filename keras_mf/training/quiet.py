"""A quiet start: TensorFlow's C++ start-up lines kept off the terminal, for the commands and for `load_mnist`."""

import logging
import os
import sys

# TensorFlow's C++ log level for the commands: 3 keeps its ERROR lines too ("E0000 ... oneDNN supports DT_INT64
# only on platforms with AVX-512", printed at the first int64 op of a run), which on a CPU machine only ever
# announce a fallback; a real failure still raises a Python exception. TF_CPP_MIN_LOG_LEVEL=0 shows them all.
COMMAND_LOG_LEVEL = "3"


def quiet_tensorflow(command=True):
    """Imports TensorFlow with its start-up lines silenced and returns the module.

    On a machine without CUDA, importing TensorFlow and touching its first device print absl lines
    ("WARNING: All log messages before absl::InitializeLog()", "I0000 ... Could not find cuda drivers",
    "E0000 ... failed call to cuInit") that `TF_CPP_MIN_LOG_LEVEL` does not reach, because they come
    before TensorFlow reads it. Standard error is pointed at /dev/null for the import and the device
    query only; an import error still raises, and everything printed afterwards is shown.

    With `command=True` (the console commands) TensorFlow's later C++ log lines are kept off too, unless
    `TF_CPP_MIN_LOG_LEVEL` is set, and absl's Python logger (tfds' warnings) shows errors only. Library code
    (`load_mnist`) passes False and changes nothing else in the process.

    Args:
        command: bool, also quieten TensorFlow's later log lines (the console commands).

    Returns:
        The `tensorflow` module (already imported: returned as it is, nothing changed).

    Raises:
        ImportError: TensorFlow cannot be imported.

    Example:
        >>> from keras_mf.training import quiet_tensorflow
        >>> tf = quiet_tensorflow(command=False)
        >>> tf.__name__
        'tensorflow'
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    if command:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", COMMAND_LOG_LEVEL)
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    if command:
        logging.getLogger("absl").setLevel(logging.ERROR)
    return tf
