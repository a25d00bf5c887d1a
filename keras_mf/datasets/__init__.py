"""Data: MNIST and Fashion-MNIST from tfds, IDX folders or the bundled test split.

`idx` is numpy; `mnist` builds `tf.data` pipelines. Names load on first use (PEP 562), so the commands can check
`--data` against `SOURCES` before TensorFlow loads.
"""

from keras_mf._lazy import lazy_names

#: Where `load_mnist` may read from: "auto" tries "tfds", then "idx", then "bundled" (the MNIST test split shipped
#: in the package).
SOURCES = ("auto", "tfds", "idx", "bundled")

_ATTRIBUTES = {"load_mnist": "mnist", "load_fashion_mnist": "mnist", "read_idx": "idx"}

__all__ = sorted(_ATTRIBUTES) + ["SOURCES"]

__getattr__, __dir__ = lazy_names(__name__, _ATTRIBUTES)
