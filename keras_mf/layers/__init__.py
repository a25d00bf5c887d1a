"""Custom Keras layers: SVD truncation, low-rank Dense, and the recurrent cell."""

from keras_mf.layers.low_rank_dense import LowRankDense
from keras_mf.layers.recurrent_cell import RecurrentCell
from keras_mf.layers.truncated_svd import TruncatedSVD

__all__ = ["LowRankDense", "RecurrentCell", "TruncatedSVD"]
