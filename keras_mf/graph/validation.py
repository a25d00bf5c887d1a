"""Checks for similarity (adjacency) matrices, dense or sparse."""

import numpy as np
import tensorflow as tf


def check_similarity(a, name="a", dtype=tf.float32, symmetric_tol=1e-5):
    """Returns `a` as a float tensor or a reordered `tf.SparseTensor` after checking it is a similarity.

    Raises ValueError, naming `name`, when `a` is not a square matrix, holds NaN/inf or negative
    entries, or is not symmetric within `symmetric_tol` times its largest entry.
    """
    if isinstance(a, tf.SparseTensor):
        a = tf.sparse.reorder(tf.SparseTensor(a.indices, tf.cast(a.values, dtype), a.dense_shape))
        values = a.values.numpy()
        shape = tuple(int(d) for d in a.dense_shape.numpy())
    else:
        a = tf.convert_to_tensor(np.asarray(a) if not tf.is_tensor(a) else a)
        a = tf.cast(a, dtype)
        values = a.numpy()
        shape = tuple(a.shape)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a square (n, n) matrix. Received: shape {shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"Received an invalid value for `{name}`, expected finite values. Received: NaN/inf entries")
    if values.size and values.min() < 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected nonnegative entries. "
            f"Received: smallest entry {values.min():.4g}"
        )
    scale = float(np.abs(values).max()) if values.size else 0.0
    if isinstance(a, tf.SparseTensor):
        difference = tf.sparse.add(a, tf.sparse.map_values(tf.negative, tf.sparse.transpose(a)))
        asymmetry = float(tf.reduce_max(tf.abs(difference.values))) if difference.values.shape[0] else 0.0
    else:
        asymmetry = float(tf.reduce_max(tf.abs(a - tf.transpose(a)))) if values.size else 0.0
    if asymmetry > symmetric_tol * max(scale, 1e-30):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a symmetric matrix. "
            f"Received: max |{name} - {name}ᵀ| = {asymmetry:.4g}"
        )
    return a
