"""Similarity graphs from data: the full Gaussian kernel and the sparse self-tuning k-NN graph."""

import tensorflow as tf

from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf.linalg.distances import squared_distances


def gaussian_similarity(x, sigma, zero_diagonal=True):
    """W_ij = exp(−‖x_i − x_j‖² / (2σ²)), the tutorial's fully connected graph.

    Args:
        x: points `(n, d)` (or `(n,)` for scalars).
        sigma: kernel width σ > 0.
        zero_diagonal: set W_ii = 0 (no self-loops), as the tutorial does.

    Returns:
        Dense `(n, n)` similarity.
    """
    sigma = check_positive_float("sigma", sigma)
    x = _points(x)
    d2 = squared_distances(x, x)
    w = tf.exp(-d2 / (2.0 * sigma**2))
    if zero_diagonal:
        w = tf.linalg.set_diag(w, tf.zeros(tf.shape(w)[0], w.dtype))
    return w


def knn_graph(x, n_neighbors=10, local_scale=7, block_size=1024):
    """Sparse self-tuning k-nearest-neighbour graph (Zelnik-Manor & Perona).

    Each point is joined to its `n_neighbors` nearest neighbours with weight exp(−d²_ij/(σ_i σ_j)),
    σ_i the distance from i to its `local_scale`-th neighbour; the graph is symmetrised by keeping an
    edge found from either end. Neighbours are searched in blocks of `block_size` rows, so memory stays
    at `block_size × n` distances.

    Args:
        x: points `(n, d)`.
        n_neighbors: neighbours per point, in [1, n - 1].
        local_scale: which neighbour sets σ_i, in [1, n_neighbors].
        block_size: rows per block of the distance computation.

    Returns:
        `tf.SparseTensor` `(n, n)`, symmetric, zero diagonal.
    """
    x = _points(x)
    n = int(x.shape[0])
    n_neighbors = check_int("n_neighbors", n_neighbors, 1, n - 1)
    local_scale = check_int("local_scale", local_scale, 1, n_neighbors)
    block_size = check_int("block_size", block_size, 1)
    distances, indices = nearest_neighbors(x, n_neighbors, block_size)
    sigma = distances[:, local_scale - 1]
    sigma = tf.maximum(sigma, tf.reduce_max(sigma) * 1e-6)
    weights = tf.exp(-tf.square(distances) / (sigma[:, None] * tf.gather(sigma, indices)))
    rows = tf.repeat(tf.range(n, dtype=tf.int64), n_neighbors)
    cols = tf.cast(tf.reshape(indices, [-1]), tf.int64)
    w = tf.SparseTensor(tf.stack([rows, cols], 1), tf.reshape(weights, [-1]), (n, n))
    w = tf.sparse.reorder(w)
    return tf.sparse.maximum(w, tf.sparse.reorder(tf.sparse.transpose(w)))


def nearest_neighbors(x, k, block_size=1024):
    """Distances `(n, k)` and indices `(n, k)` of each point's k nearest other points, ascending."""
    x = _points(x)
    squared_norms = tf.reduce_sum(tf.square(x), axis=1)
    # ‖x_i − x_j‖² = ‖x_i‖² − (2x_i·x_j − ‖x_j‖²): the bracket alone ranks row i's neighbours, and one
    # matmul of [2x_i, −1] against [x_j, ‖x_j‖²] yields it with no further pass over the (block, n) scores.
    queries = tf.concat([2.0 * x, -tf.ones_like(squared_norms)[:, None]], 1)
    keys = tf.concat([x, squared_norms[:, None]], 1)
    distances, indices = [], []
    for start in range(0, int(x.shape[0]), block_size):
        d, i = _block_neighbors(queries, keys, squared_norms, tf.constant(start), tf.constant(block_size), k)
        distances.append(d)
        indices.append(i)
    return tf.concat(distances, 0), tf.concat(indices, 0)


@tf.function(reduce_retracing=True)
def _block_neighbors(queries, keys, squared_norms, start, block_size, k):
    scores = tf.linalg.matmul(queries[start : start + block_size], keys, transpose_b=True)
    best, indices = tf.math.top_k(scores, k=k + 1)
    # A point is not its own neighbour: its entry (the top score unless k + 1 duplicates tie with it)
    # moves last and is cut; rows without it lose their (k + 1)-th instead.
    rows = start + tf.range(tf.shape(scores)[0])
    keep = tf.argsort(tf.cast(indices == rows[:, None], tf.int32), axis=1, stable=True)[:, :k]
    best, indices = tf.gather(best, keep, batch_dims=1), tf.gather(indices, keep, batch_dims=1)
    squared = tf.gather(squared_norms, rows)[:, None] - best
    return tf.sqrt(tf.maximum(squared, 0.0)), indices


def _points(x):
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, tf.float32)
    if x.shape.rank == 1:
        x = x[:, None]
    if x.shape.rank != 2:
        raise ValueError(f"Received an invalid value for `x`, expected points of shape (n, d). Received: shape {x.shape}")
    return x
