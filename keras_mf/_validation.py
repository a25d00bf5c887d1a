"""Argument checks shared by every public entry point, backend-neutral (no TensorFlow import: the layers and
models load under any Keras backend; the TensorFlow-only checks live in `_validation_tf`).

Messages follow Keras' own wording so that users meet one style:
"Received an invalid value for `rank`, expected an integer in [1, 784]. Received: rank=0".
"""

import numbers
import sys

import numpy as np


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


def is_sparse(value):
    """Whether `value` is a `scipy.sparse` matrix or array or a `tf.SparseTensor`, found without importing either
    (neither can exist unless its library is loaded)."""
    scipy_sparse = sys.modules.get("scipy.sparse")
    if scipy_sparse is not None and scipy_sparse.issparse(value):
        return True
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(value, tf.SparseTensor)


def check_dense(name, value):
    """Raises TypeError for sparse input where only dense arrays are supported, naming the argument (a sparse
    matrix would otherwise become a 0-d object array, or fail inside `tf.convert_to_tensor`)."""
    if is_sparse(value):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected a dense array or tensor: sparse input is not "
            f"supported here (densify it first, e.g. `{name}.toarray()` or `tf.sparse.to_dense({name})`). "
            f"Received: {name} of type {type(value).__name__}"
        )
    return value


def check_real_dtype(name, array):
    """Raises TypeError unless `array` (numpy, or a dense tensor of any backend) holds real numbers (float or int).

    Strings, booleans, complex numbers and Python objects would otherwise reach the backend's cast, which
    fails deep inside a graph or, for complex and bool, silently drops information. Sparse matrices are refused
    by `check_dense`: the entry points that take them check their stored values instead.
    """
    check_dense(name, array)
    dtype = getattr(array, "dtype", None)
    if dtype is None:
        dtype = np.asarray(array).dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "USO":
        dtype = {"U": "str", "S": "bytes", "O": "object"}[dtype.kind]
    # Keras (and its backend) loads here, not with the module: `load_mnist` checks its arguments without it.
    import keras

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


def check_exactly_one(**options):
    """Checks that exactly one of the keyword `options` is not None; returns the name of that one."""
    given = [name for name, value in options.items() if value is not None]
    if len(given) != 1:
        names = [f"`{name}`" for name in options]
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        expected = "exactly one of them" if len(names) == 2 else "exactly one"
        received = ", ".join(f"{name}={value!r}" for name, value in options.items())
        raise ValueError(f"Received an invalid combination of {listed}, expected {expected}. Received: {received}")
    return given[0]
