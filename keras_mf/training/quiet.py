"""A quiet start for the command-line tools: TensorFlow's C++ start-up lines kept off the terminal."""

import logging
import os
import sys


def quiet_tensorflow():
    """Imports TensorFlow with its start-up lines silenced, for command-line tools.

    On a machine without CUDA, importing TensorFlow and touching its first device print absl lines
    ("WARNING: All log messages before absl::InitializeLog()", "I0000 ... Could not find cuda drivers",
    "E0000 ... failed call to cuInit") that `TF_CPP_MIN_LOG_LEVEL` no longer reaches, because they come
    before TensorFlow reads it. Standard error is pointed at /dev/null for the import and the device
    query only; an import error still raises, and everything printed afterwards is shown. tfds' Python
    warnings about unprepared folders go to absl's logger, which is set to errors only.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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
    logging.getLogger("absl").setLevel(logging.ERROR)
