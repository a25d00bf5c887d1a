"""Pairwise squared Euclidean distances, shared by the graphs and k-means, and the conditioning that keeps them
accurate: points far from the origin or near their dtype's range are centred and rescaled first."""

import numpy as np
import tensorflow as tf

from keras_mf._validation import invalid_value
from keras_mf._validation import static_shape


def squared_distances(a, b):
    """Pairwise squared Euclidean distances ‖a_i − b_j‖² between the rows of two matrices, clipped at 0.

    Formed as ‖a‖² + ‖b‖² − 2ab, which cancels catastrophically for points far from the origin (relative
    error ~eps·‖x‖²/d²) and overflows near the dtype's range: pass points through `condition_points` first.

    Args:
        a: float tensor `(n, d)`.
        b: float tensor `(m, d)` of the same dtype.

    Returns:
        A `tf.Tensor` `(n, m)` in their dtype, in squared units of the points.

    Raises:
        ValueError: `a` or `b` is not 2-D, or their widths d differ.

    Example:
        >>> import tensorflow as tf
        >>> from keras_mf.linalg import squared_distances
        >>> squared_distances(tf.constant([[0.0, 0.0], [1.0, 1.0]]), tf.constant([[3.0, 4.0]])).numpy()
        array([[25.],
               [13.]], dtype=float32)
    """
    a_shape, b_shape = static_shape(a), static_shape(b)
    if len(a_shape) != 2:
        raise invalid_value("a", "points of shape (n, d)", f"an array of shape {a_shape}")
    if len(b_shape) != 2 or b_shape[1] != a_shape[1]:
        raise invalid_value("b", f"points of shape (m, {a_shape[1]}), as wide as `a`", f"an array of shape {b_shape}")
    d2 = (
        tf.reduce_sum(tf.square(a), 1)[:, None]
        + tf.reduce_sum(tf.square(b), 1)[None, :]
        - 2.0 * tf.linalg.matmul(a, b, transpose_b=True)
    )
    return tf.maximum(d2, 0.0)


# Rows `condition_points` converts to float64 at a time: 8 MB at 784 features.
_CONDITION_ROWS = 1024


def condition_points(x):
    """`(y, shift, scale)` with y = (x − shift) / scale: `shift` the column means (distances do not move with
    a translation, and centred points lose no digits to the cancellation in `squared_distances`), `scale` the
    power of two at or below the largest |x − shift| (exact to divide by, and representable; squared distances
    of y stay below 16·d, far from overflow), or 1 for coincident points. Distances of x are `scale` times those of y.

    Computed in float64 numpy from the eager points `x`: TensorFlow's CPU casts flush float32 subnormals (points
    near 1e-38) to 0. `y` is a tensor in x's dtype, `shift` a float64 numpy array, `scale` a float. Rows are
    read `_CONDITION_ROWS` at a time, so that neither a float64 nor a numpy copy of all of x is held.
    """
    n = int(x.shape[0])
    if n == 0 or x.shape[1] == 0:
        return tf.identity(x), np.zeros(x.shape[1:]), 1.0
    total, low, high = np.zeros(x.shape[1:]), None, None
    for start in range(0, n, _CONDITION_ROWS):
        rows = x[start : start + _CONDITION_ROWS].numpy()
        # Row by row in order, as numpy's mean over axis 0 adds them: the same float64 sums to the last bit.
        for row in rows.astype(np.float64):
            total += row
        low = rows.min(0) if low is None else np.minimum(low, rows.min(0))
        high = rows.max(0) if high is None else np.maximum(high, rows.max(0))
    shift = total / n
    # max |x_ij − shift_j| from the columns' extremes (x ↦ |x − s| is monotone on each side of s).
    largest = float(np.maximum(high.astype(np.float64) - shift, shift - low.astype(np.float64)).max())
    scale = float(2.0 ** np.floor(np.log2(largest))) if largest > 0 else 1.0
    dtype = x.dtype.as_numpy_dtype
    chunks = [
        tf.constant(((x[start : start + _CONDITION_ROWS].numpy().astype(np.float64) - shift) / scale).astype(dtype))
        for start in range(0, n, _CONDITION_ROWS)
    ]
    return (chunks[0] if len(chunks) == 1 else tf.concat(chunks, 0)), shift, scale
