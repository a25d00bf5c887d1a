"""condition_points reads x in chunks of rows (no float64 or numpy copy of all of x, for the 70,000-point graphs):
the result is the one-shot float64 formula's to the last bit, across chunk boundaries and for edge cases."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mf.linalg.distances import _CONDITION_ROWS
from keras_mf.linalg.distances import condition_points


def _reference(x):
    """y = (x − mean) / 2^⌊log2 max|x − mean|⌋ in float64 numpy at once, then x's dtype (the documented rule)."""
    x64 = np.asarray(x, np.float64)
    shift = x64.mean(0)
    largest = np.abs(x64 - shift).max()
    scale = float(2.0 ** np.floor(np.log2(largest))) if largest > 0 else 1.0
    return ((x64 - shift) / scale).astype(x.dtype), shift, scale


@pytest.mark.parametrize("rows", [1, 7, _CONDITION_ROWS, _CONDITION_ROWS + 1, 2 * _CONDITION_ROWS + 5])
@pytest.mark.parametrize("kind", ["unit", "offset", "subnormal", "float64", "constant"])
def test_chunks_give_the_one_shot_result_bit_for_bit(rows, kind):
    rng = np.random.default_rng(rows)
    x = {
        "unit": lambda: rng.random((rows, 5)).astype(np.float32),
        "offset": lambda: (1e6 + rng.normal(size=(rows, 3))).astype(np.float32),
        "subnormal": lambda: (rng.random((rows, 2)) * 1e-39).astype(np.float32),
        "float64": lambda: rng.normal(size=(rows, 4)) * 1e200,
        "constant": lambda: np.full((rows, 2), 3.0, np.float32),
    }[kind]()
    y, shift, scale = condition_points(tf.constant(x))
    expected, expected_shift, expected_scale = _reference(x)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y.numpy(), expected)
    np.testing.assert_array_equal(shift, expected_shift)
    assert scale == expected_scale
