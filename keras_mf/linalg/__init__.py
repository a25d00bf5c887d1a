"""Linear algebra: SVD solves, eigen-solvers, streaming Gram statistics, distances, rank choice.

`decompositions` and `distances` are TensorFlow ops (`tf.linalg`, `tf.function`); `gram` and `rank` are
backend-neutral, so that the layers, which use them while fitting, load under any Keras backend. Names load on
first use (PEP 562): importing `keras_mf.linalg.rank` does not import TensorFlow.
"""

import importlib

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


def __getattr__(name):
    if name not in _ATTRIBUTES:
        raise AttributeError(f"module 'keras_mf.linalg' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"keras_mf.linalg.{_ATTRIBUTES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
