"""Argument checks shared by every public entry point.

Messages follow Keras' own wording so that users meet one style:
"Received an invalid value for `rank`, expected an integer in [1, 784]. Received: rank=0".
"""

import numbers

import keras
import numpy as np
import tensorflow as tf


def invalid_value(name, expected, received):
    """Returns the ValueError that every check below raises."""
    return ValueError(f"Received an invalid value for `{name}`, expected {expected}. Received: {name}={received!r}")


def check_int(name, value, low=1, high=None):
    """Checks that `value` is an integer in [low, high] and returns it as `int`."""
    bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid_value(name, f"an integer {bounds}", value)
    if value < low or (high is not None and value > high):
        raise invalid_value(name, f"an integer in {bounds}" if high is not None else f"an integer {bounds}", value)
    return int(value)


def check_bool(name, value):
    """Checks that `value` is a bool (numpy's included): a string such as "no" would otherwise count as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Received an invalid value for `{name}`, expected True or False. Received: {name}={value!r}")
    return bool(value)


def check_optional_int(name, value, low=1, high=None):
    return None if value is None else check_int(name, value, low, high)


def check_fraction(name, value):
    """Checks that `value` is a float in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid_value(name, "a float in (0, 1]", value)
    if not 0.0 < float(value) <= 1.0:
        raise invalid_value(name, "a float in (0, 1]", value)
    return float(value)


def check_positive_float(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
        raise invalid_value(name, "a positive float", value)
    return float(value)


def check_choice(name, value, choices):
    if value not in choices:
        raise invalid_value(name, f"one of {list(choices)}", value)
    return value


def check_real_dtype(name, array):
    """Raises TypeError unless `array` (numpy, or a tensor of any backend) holds real numbers (float or int).

    Strings, booleans, complex numbers and Python objects would otherwise reach the backend's cast, which
    fails deep inside a graph or, for complex and bool, silently drops information.
    """
    dtype = getattr(array, "dtype", None)
    if dtype is None:
        dtype = np.asarray(array).dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "USO":
        dtype = {"U": "str", "S": "bytes", "O": "object"}[dtype.kind]
    try:
        dtype = keras.backend.standardize_dtype(dtype)
    except (ValueError, TypeError, AttributeError):
        dtype = str(dtype)
    if not dtype.startswith(("float", "int", "uint", "bfloat")):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected real numbers (a float or integer dtype). "
            f"Received: {name} of dtype {dtype}"
        )
    return array


def check_finite(name, array):
    """Raises if a numpy array holds NaN or inf; says how many and where the first one is."""
    array = np.asarray(array)
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"Received an invalid value for `{name}`, expected finite values. "
            f"Received: {int(bad.sum())} NaN/inf entries, the first at index {first}"
        )
    return array


def check_points(name, x, vectors=False):
    """Points `(n, d)` as a float tensor (integers become float32); `vectors=True` also takes `(n,)` scalars.

    Raises TypeError for non-real dtypes and ValueError for other shapes, no points, or NaN/inf, naming
    `name`, before any TensorFlow op sees them.
    """
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

    `dtype` None keeps a floating `a`'s precision (integers become float32). Raises TypeError for
    non-real entries and ValueError, naming `name`, when `a` is not a square matrix, holds NaN/inf or
    negative entries, or is not symmetric within `symmetric_tol` times its largest entry.
    """
    check_real_dtype(name, a.values if isinstance(a, tf.SparseTensor) else a if tf.is_tensor(a) else np.asarray(a))
    if dtype is None:
        given = a.dtype if tf.is_tensor(a) or isinstance(a, tf.SparseTensor) else np.asarray(a).dtype
        dtype = tf.as_dtype(given) if tf.as_dtype(given).is_floating else tf.float32
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
