"""Data: MNIST and Fashion-MNIST from tfds, IDX folders or the bundled test split.

`idx` is numpy; `mnist` builds `tf.data` pipelines. Names load on first use (PEP 562), so the commands can check
`--data` against `SOURCES` before TensorFlow loads.
"""

import importlib

# Where `load_mnist` may read from, in the order `"auto"` tries the others.
SOURCES = ("auto", "tfds", "idx", "bundled")

_ATTRIBUTES = {"load_mnist": "mnist", "load_fashion_mnist": "mnist", "read_idx": "idx"}

__all__ = sorted(_ATTRIBUTES) + ["SOURCES"]


def __getattr__(name):
    if name not in _ATTRIBUTES:
        raise AttributeError(f"module 'keras_mf.datasets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"keras_mf.datasets.{_ATTRIBUTES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
