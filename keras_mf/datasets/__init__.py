"""Data: MNIST and Fashion-MNIST from tfds, IDX folders or the bundled test split."""

from keras_mf.datasets.idx import read_idx
from keras_mf.datasets.mnist import load_fashion_mnist
from keras_mf.datasets.mnist import load_mnist

__all__ = ["load_mnist", "load_fashion_mnist", "read_idx"]
