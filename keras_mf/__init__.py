"""keras_mf: matrix factorization in deep learning, reproduced correctly with TensorFlow/Keras."""

__version__ = "0.1.0"

from keras_mf import datasets  # noqa: E402
