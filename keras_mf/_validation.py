"""Argument checks shared by every public entry point, backend-neutral (no TensorFlow import: the layers and
models load under any Keras backend; the TensorFlow-only checks live in `_validation_tf`).

Messages follow Keras' own wording so that users meet one style:
"Received an invalid value for `rank`, expected an integer in [1, 784]. Received: rank=0".
"""

import numbers
import sys

import numpy as np


def invalid_value(name, expected, received):
    """The ValueError that every check below raises, in Keras' words.

    Args:
        name: the argument's name, shown in backquotes.
        expected: what was expected, e.g. "an integer in [1, 784]".
        received: the value received, shown with `repr`.

    Returns:
        A `ValueError` (returned, not raised, so that the caller's traceback ends at its own `raise`).

    Example:
        >>> from keras_mf._validation import invalid_value
        >>> print(invalid_value("rank", "an integer in [1, 784]", 0))
        Received an invalid value for `rank`, expected an integer in [1, 784]. Received: rank=0
    """
    return ValueError(f"Received an invalid value for `{name}`, expected {expected}. Received: {name}={received!r}")


def check_int(name, value, low=1, high=None):
    """Checks that `value` is an integer in [low, high] and returns it as `int`.

    Args:
        name: the argument's name, for the message.
        value: the value to check; a Python or numpy integer (a bool is refused: `True` is no count).
        low: the smallest allowed value.
        high: the largest allowed value, or None for no upper bound.

    Returns:
        `value` as a Python `int`.

    Raises:
        ValueError: `value` is not an integer, or lies outside [low, high].

    Example:
        >>> import numpy as np
        >>> from keras_mf._validation import check_int
        >>> check_int("rank", np.int64(3), 1, 784)
        3
        >>> check_int("rank", 0, 1, 784)
        Traceback (most recent call last):
        ...
        ValueError: Received an invalid value for `rank`, expected an integer in [1, 784]. Received: rank=0
    """
    bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid_value(name, f"an integer {bounds}", value)
    if value < low or (high is not None and value > high):
        raise invalid_value(name, f"an integer in {bounds}" if high is not None else f"an integer {bounds}", value)
    return int(value)


def static_shape(x):
    """The static shape of a tensor of any backend (traced ones included, None where unknown) or an array-like."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def check_neighbors(name, value, points, low=1):
    """Checks a neighbour count in [low, points − 1] and returns it as `int`; with fewer than low + 1 points no
    count fits, and the error names the points `x` (rather than an empty range such as "[1, 0]")."""
    if points < low + 1:
        raise invalid_value("x", f"at least {low + 1} points, so that each has {low} neighbour(s)", f"{points} points")
    return check_int(name, value, low, points - 1)


def check_bool(name, value):
    """Checks that `value` is a bool (numpy's included): a string such as "no" would otherwise count as True.

    Args:
        name: the argument's name, for the message.
        value: the value to check.

    Returns:
        `value` as a Python `bool`.

    Raises:
        TypeError: `value` is not a `bool` or `numpy.bool_`.

    Example:
        >>> from keras_mf._validation import check_bool
        >>> check_bool("verbose", "no")
        Traceback (most recent call last):
        ...
        TypeError: Received an invalid value for `verbose`, expected True or False. Received: verbose='no'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Received an invalid value for `{name}`, expected True or False. Received: {name}={value!r}")
    return bool(value)


def check_optional_int(name, value, low=1, high=None):
    """`check_int` for an argument that may also be None.

    Args:
        name: the argument's name, for the message.
        value: None, or an integer in [low, high].
        low: the smallest allowed value.
        high: the largest allowed value, or None for no upper bound.

    Returns:
        None, or `value` as a Python `int`.

    Raises:
        ValueError: `value` is neither None nor an integer in [low, high].

    Example:
        >>> from keras_mf._validation import check_optional_int
        >>> check_optional_int("seed", None) is None, check_optional_int("seed", 7, 0)
        (True, 7)
    """
    return None if value is None else check_int(name, value, low, high)


def check_fraction(name, value):
    """Checks that `value` is a real number in (0, 1].

    Args:
        name: the argument's name, for the message.
        value: the value to check (a bool is refused).

    Returns:
        `value` as a Python `float`.

    Raises:
        ValueError: `value` is not a real number in (0, 1].

    Example:
        >>> from keras_mf._validation import check_fraction
        >>> check_fraction("energy", 1)
        1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid_value(name, "a float in (0, 1]", value)
    if not 0.0 < float(value) <= 1.0:
        raise invalid_value(name, "a float in (0, 1]", value)
    return float(value)


def check_positive_float(name, value):
    """Checks that `value` is a real number above 0.

    Args:
        name: the argument's name, for the message.
        value: the value to check (a bool is refused; NaN is refused, +inf is accepted).

    Returns:
        `value` as a Python `float`.

    Raises:
        ValueError: `value` is not a real number above 0.

    Example:
        >>> from keras_mf._validation import check_positive_float
        >>> check_positive_float("sigma", 2)
        2.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
        raise invalid_value(name, "a positive float", value)
    return float(value)


def check_choice(name, value, choices):
    """Checks that `value` is one of `choices`.

    Args:
        name: the argument's name, for the message.
        value: the value to check.
        choices: the allowed values (any container; the message lists them in its order).

    Returns:
        `value`, unchanged.

    Raises:
        ValueError: `value` is not in `choices`.

    Example:
        >>> from keras_mf._validation import check_choice
        >>> check_choice("shape", "flat", ("flat", "image"))
        'flat'
    """
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

    Args:
        name: the argument's name, for the message.
        array: a numpy array, a tensor of any Keras backend, or anything `numpy.asarray` takes.

    Returns:
        `array`, unchanged.

    Raises:
        TypeError: the dtype is not a float or (unsigned) integer dtype (bool, complex, str, bytes, object), or
            `array` is sparse.

    Example:
        >>> import numpy as np
        >>> from keras_mf._validation import check_real_dtype
        >>> check_real_dtype("x", np.array([1.0, 2.0])).dtype
        dtype('float64')
        >>> check_real_dtype("x", np.array([True, False]))
        Traceback (most recent call last):
        ...
        TypeError: Received an invalid value for `x`, expected real numbers ... Received: x of dtype bool
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
    """Raises if an array holds NaN or inf; says how many and where the first one is.

    Args:
        name: the argument's name, for the message.
        array: anything `numpy.asarray` takes, of a numeric dtype.

    Returns:
        `array` as a numpy array.

    Raises:
        ValueError: `array` holds NaN or ±inf.

    Example:
        >>> import numpy as np
        >>> from keras_mf._validation import check_finite
        >>> check_finite("cost", [[1.0, np.nan], [np.inf, 0.0]])
        Traceback (most recent call last):
        ...
        ValueError: Received an invalid value for `cost`, ... 2 NaN/inf entries, the first at index (0, 1)
    """
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
    """Checks that exactly one of the keyword `options` is not None; returns the name of that one.

    Args:
        **options: the mutually exclusive arguments, by name (at least two).

    Returns:
        The name (str) of the one argument that is not None.

    Raises:
        ValueError: none, or more than one, of `options` is given.

    Example:
        >>> from keras_mf._validation import check_exactly_one
        >>> check_exactly_one(rank=None, energy=0.9)
        'energy'
    """
    given = [name for name, value in options.items() if value is not None]
    if len(given) != 1:
        names = [f"`{name}`" for name in options]
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        expected = "exactly one of them" if len(names) == 2 else "exactly one"
        received = ", ".join(f"{name}={value!r}" for name, value in options.items())
        raise ValueError(f"Received an invalid combination of {listed}, expected {expected}. Received: {received}")
    return given[0]
