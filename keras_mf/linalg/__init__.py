"""Linear algebra: SVD solves, eigen-solvers, streaming Gram statistics, distances, rank choice.

`decompositions` and `distances` are TensorFlow ops (`tf.linalg`, `tf.function`); `gram` and `rank` are
backend-neutral, so that the layers, which use them while fitting, load under any Keras backend. Names load on
first use (PEP 562): importing `keras_mf.linalg.rank` does not import TensorFlow.
"""

from keras_mf._lazy import lazy_names

_ATTRIBUTES = {
    "as_float_tensor": "decompositions",
    "condition_number": "decompositions",
    "eigendecomposition": "decompositions",
    "eigenvector_rank": "decompositions",
    "lstsq": "decompositions",
    "pinv": "decompositions",
    "power_iteration": "decompositions",
    "principal_angles": "decompositions",
    "svd_inverse": "decompositions",
    "top_eigh": "decompositions",
    "squared_distances": "distances",
    "gram_accumulator": "gram",
    "choose_rank": "rank",
}

__all__ = sorted(_ATTRIBUTES)

__getattr__, __dir__ = lazy_names(__name__, _ATTRIBUTES)
