"""UMAP's fuzzy k-NN graph: each point's neighbour distances turned into membership strengths of a fuzzy
set, symmetrised by the fuzzy union. TensorFlow ops, not a Keras layer.

References:
    McInnes, L., Healy, J. & Melville, J. (2018). UMAP: Uniform Manifold Approximation and Projection for
    Dimension Reduction. arXiv:1802.03426. https://arxiv.org/abs/1802.03426
"""

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_neighbors
from keras_mf._validation_tf import check_points
from keras_mf.graph.similarity import _neighbors
from keras_mf.linalg.distances import condition_points

# Edges lighter than this fraction of the heaviest are dropped: UMAP drops those its SGD would sample less than
# once in its default 500 epochs (weight < max / n_epochs).
MIN_EDGE_FRACTION = 1.0 / 500
# Bisection steps for each point's σ: 64 halvings take float64's bracket below its resolution.
_BISECTION_STEPS = 64
# A membership of exactly 1 would make log(1 − w) infinite in the fuzzy union.
_MAX_MEMBERSHIP = 1.0 - 1e-7
# Rows per block of the neighbour search (see `similarity.nearest_neighbors`).
_BLOCK_SIZE = 2048


def fuzzy_knn_graph(x, n_neighbors=20):
    """UMAP's fuzzy k-NN graph: w_ij = exp(−(d_ij − ρ_i) / σ_i), ρ_i the distance to i's nearest neighbour and σ_i
    set so that each row sums to log₂(n_neighbors); symmetrised by the fuzzy union w + wᵀ − w∘wᵀ.

    The weights do not depend on the units of x, so distances are taken between centred, rescaled points
    (`linalg.distances.condition_points`). Duplicate points (ρ_i = 0, or all neighbours coincident) get
    membership 1 to their copies, never NaN.

    Args:
        x: points `(n, d)`, finite, dense; float dtype kept, integers become float32.
        n_neighbors: int in [2, n − 1], neighbours per point.

    Returns:
        `tf.SparseTensor` `(n, n)` in x's float dtype, symmetric (to rounding), zero diagonal, weights in (0, 1];
        edges lighter than 1/500 of the heaviest are dropped (those UMAP's 500 epochs would sample less than
        once).

    Raises:
        ValueError: naming `n_neighbors`, when it is not an int in [2, n − 1]; naming `x`, when it is not `(n, d)`
            with n ≥ 1, or holds NaN/inf.
        TypeError: naming `x`, when it is sparse or its dtype is not real (bool, complex, str).

    References:
        McInnes, L., Healy, J. & Melville, J. (2018). UMAP: Uniform Manifold Approximation and Projection for
        Dimension Reduction. arXiv:1802.03426. https://arxiv.org/abs/1802.03426

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = np.concatenate([rng.normal(0, 0.1, (10, 2)), rng.normal(5, 0.1, (10, 2))])  # two far clumps
        >>> import tensorflow as tf
        >>> from keras_mf.graph import fuzzy_knn_graph
        >>> w = tf.sparse.to_dense(fuzzy_knn_graph(x, n_neighbors=3)).numpy()
        >>> w.shape, bool(np.allclose(w, w.T)), bool(w.max() <= 1.0), bool(np.all(w[:10, 10:] == 0))
        ((20, 20), True, True, True)
    """
    x = check_points("x", x)
    n = int(x.shape[0])
    n_neighbors = check_neighbors("n_neighbors", n_neighbors, n, low=2)
    distances, indices = _neighbors(condition_points(x)[0], n_neighbors, _BLOCK_SIZE)
    weights = _fuzzy_weights(tf.cast(distances, tf.float64), tf.constant(np.log2(n_neighbors)))
    rows = tf.repeat(tf.range(n, dtype=tf.int64), n_neighbors)
    cols = tf.cast(tf.reshape(indices, [-1]), tf.int64)
    # Fuzzy union a + b − ab = 1 − (1 − a)(1 − b): sum log(1 − w) over both directions of each edge.
    keys = tf.concat([rows * n + cols, cols * n + rows], 0)
    logs = tf.math.log1p(-tf.minimum(tf.tile(tf.reshape(weights, [-1]), [2]), _MAX_MEMBERSHIP))
    unique, position = tf.unique(keys)
    union = -tf.math.expm1(tf.math.unsorted_segment_sum(logs, position, tf.shape(unique)[0]))
    keep = union >= MIN_EDGE_FRACTION * tf.reduce_max(union)
    unique, union = tf.boolean_mask(unique, keep), tf.boolean_mask(union, keep)
    indices = tf.stack([unique // n, unique % n], 1)
    return tf.sparse.reorder(tf.SparseTensor(indices, tf.cast(union, x.dtype), (n, n)))


@tf.function(reduce_retracing=True, autograph=False)  # no AutoGraph: its conversion cost more than the work
def _fuzzy_weights(distances, target):
    rho = distances[:, :1]
    excess = tf.maximum(distances - rho, 0.0)

    # Bisection on σ_i (doubling while no upper bound is known): row sums grow with σ.
    def bisect(i, low, high, sigma):
        too_big = tf.reduce_sum(tf.exp(-excess / sigma), 1, keepdims=True) > target
        high = tf.where(too_big, sigma, high)
        low = tf.where(too_big, low, sigma)
        return i + 1, low, high, tf.where(tf.math.is_inf(high), 2.0 * sigma, 0.5 * (low + high))

    start = (tf.constant(0), tf.zeros_like(rho), tf.fill(tf.shape(rho), tf.constant(np.inf, distances.dtype)))
    _, _, _, sigma = tf.while_loop(lambda i, *_: i < _BISECTION_STEPS, bisect, (*start, tf.ones_like(rho)))
    return tf.exp(-excess / sigma)
