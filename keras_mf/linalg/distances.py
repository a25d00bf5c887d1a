"""Pairwise squared Euclidean distances, shared by the graphs and k-means."""

import tensorflow as tf


def squared_distances(a, b):
    """‖a_i − b_j‖² for rows of `a (n, d)` and `b (m, d)`, clipped at 0 against round-off: `(n, m)`."""
    d2 = (
        tf.reduce_sum(tf.square(a), 1)[:, None]
        + tf.reduce_sum(tf.square(b), 1)[None, :]
        - 2.0 * tf.linalg.matmul(a, b, transpose_b=True)
    )
    return tf.maximum(d2, 0.0)
