"""Custom Keras layers: SVD truncation, low-rank Dense, the recurrent cell, a random shift and rotation of images."""

from keras_mf.layers.low_rank_dense import LowRankDense
from keras_mf.layers.random_affine import RandomAffine
from keras_mf.layers.recurrent_cell import RecurrentCell
from keras_mf.layers.truncated_svd import TruncatedSVD

__all__ = ["LowRankDense", "RandomAffine", "RecurrentCell", "TruncatedSVD"]
