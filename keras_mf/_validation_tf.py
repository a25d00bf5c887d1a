"""Argument checks for the TensorFlow parts of the library (graphs, SymNMF, k-means): points and similarity
matrices become tensors only after their dtype, shape and values are checked, so that no TensorFlow op sees
bad input."""

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_dense
from keras_mf._validation import check_finite
from keras_mf._validation import check_real_dtype
from keras_mf._validation import is_sparse
from keras_mf._validation import static_shape


def check_square(name, a):
    """Raises ValueError naming `name` unless `a` (dense, or a `tf.SparseTensor`) is a square `(n, n)` matrix."""
    shape = tuple(int(d) for d in a.dense_shape.numpy()) if isinstance(a, tf.SparseTensor) else static_shape(a)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a square (n, n) matrix. Received: shape {shape}"
        )


def to_sparse_tensor(value):
    """A `scipy.sparse` matrix as a reordered `tf.SparseTensor` (its stored values, no densifying); anything else
    unchanged."""
    if not is_sparse(value) or isinstance(value, tf.SparseTensor):
        return value
    coo = value.tocoo()
    indices = np.stack([coo.row, coo.col], 1).astype(np.int64)
    return tf.sparse.reorder(tf.SparseTensor(indices, coo.data, coo.shape))


def check_points(name, x, vectors=False):
    """Points `(n, d)` as a float tensor (integers become float32); `vectors=True` also takes `(n,)` scalars.

    Raises TypeError for non-real dtypes and sparse matrices, and ValueError for other shapes, no points, or
    NaN/inf, naming `name`, before any TensorFlow op sees them.
    """
    check_dense(name, x)
    check_real_dtype(name, x if tf.is_tensor(x) else np.asarray(x))
    x = tf.convert_to_tensor(x if tf.is_tensor(x) else np.asarray(x))
    if not x.dtype.is_floating:
        x = tf.cast(x, tf.float32)
    if vectors and x.shape.rank == 1:
        x = x[:, None]
    if x.shape.rank != 2 or x.shape[0] == 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected points of shape (n, d) with n >= 1. "
            f"Received: {name} with shape {tuple(x.shape)}"
        )
    if not bool(tf.reduce_all(tf.math.is_finite(x))):
        check_finite(name, x.numpy())
    return x


def check_similarity(a, name="a", dtype=tf.float32, symmetric_tol=1e-5):
    """Returns `a` as a float tensor or a reordered `tf.SparseTensor` after checking it is a similarity.

    `a` may be dense (numpy, tensor) or sparse (`tf.SparseTensor`, `scipy.sparse`, which becomes a
    `tf.SparseTensor` without densifying). `dtype` None keeps a floating `a`'s precision (integers become
    float32). Raises TypeError for non-real entries and ValueError, naming `name`, when `a` is not a square
    matrix, holds NaN/inf or negative entries, or is not symmetric within `symmetric_tol` times its largest
    entry.
    """
    a = to_sparse_tensor(a)
    check_real_dtype(name, a.values if isinstance(a, tf.SparseTensor) else a if tf.is_tensor(a) else np.asarray(a))
    if dtype is None:
        given = a.dtype if tf.is_tensor(a) else np.asarray(a).dtype
        dtype = tf.as_dtype(given) if tf.as_dtype(given).is_floating else tf.float32
    if isinstance(a, tf.SparseTensor):
        a = tf.sparse.reorder(tf.SparseTensor(a.indices, tf.cast(a.values, dtype), a.dense_shape))
        values = a.values.numpy()
    else:
        a = tf.convert_to_tensor(np.asarray(a) if not tf.is_tensor(a) else a)
        a = tf.cast(a, dtype)
        values = a.numpy()
    check_square(name, a)
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
