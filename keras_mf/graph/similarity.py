"""Similarity graphs from data: the full Gaussian kernel and the sparse self-tuning k-NN graph."""

import functools
import os

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation import check_neighbors
from keras_mf._validation import check_positive_float
from keras_mf._validation_tf import check_points
from keras_mf.linalg.distances import condition_points
from keras_mf.linalg.distances import squared_distances

# Zelnik-Manor & Perona's choice of σ_i: the distance to the 7th neighbour.
SELF_TUNING_NEIGHBOR = 7
# A point all of whose neighbours coincide with it has no positive distance to set σ_i from: σ is floored at this
# fraction of the largest σ, which keeps the edges from other points to it finite and very light.
_MIN_SCALE_FRACTION = 1e-6


def gaussian_similarity(x, sigma, zero_diagonal=True):
    """Dense Gaussian similarity W_ij = exp(−‖x_i − x_j‖² / (2σ²)), the tutorial's fully connected graph.

    Distances are taken between centred, rescaled points (`linalg.distances.condition_points`) and exponentiated
    in float64, so points far from the origin keep their digits and coincident points get exactly 1.

    Args:
        x: points `(n, d)` (or `(n,)` for scalars), finite, dense; float dtype kept, integers become float32.
        sigma: kernel width σ > 0, a float in the units of x.
        zero_diagonal: bool; set W_ii = 0 (no self-loops), as the tutorial does.

    Returns:
        Dense `(n, n)` tensor in x's float dtype, symmetric, entries in [0, 1].

    Raises:
        ValueError: naming `sigma`, when it is not a real number above 0; naming `x`, when it is not `(n, d)` or
            `(n,)` with n ≥ 1, or holds NaN/inf.
        TypeError: naming `zero_diagonal`, when it is not a bool; naming `x`, when it is sparse or its dtype is
            not real (bool, complex, str).

    References:
        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import gaussian_similarity
        >>> w = gaussian_similarity(np.array([0.0, 1.0, 2.0]), sigma=1.0)
        >>> w.numpy().round(4).tolist()  # exp(−1/2) and exp(−2) off the diagonal
        [[0.0, 0.6065, 0.1353], [0.6065, 0.0, 0.6065], [0.1353, 0.6065, 0.0]]
    """
    sigma = check_positive_float("sigma", sigma)
    zero_diagonal = check_bool("zero_diagonal", zero_diagonal)
    y, _, scale = condition_points(_points(x))
    d2 = tf.cast(squared_distances(y, y), tf.float64)
    # The exponent in the conditioned units, d²/(2(σ/scale)²), in float64; coincident points get exp(0) = 1
    # even where (σ/scale)² underflows.
    width = tf.constant(2.0 * (sigma / scale) ** 2, tf.float64)
    ones = tf.ones_like(d2)
    w = tf.cast(tf.where(d2 > 0, tf.exp(-d2 / tf.where(d2 > 0, width, ones)), ones), y.dtype)
    if zero_diagonal:
        w = tf.linalg.set_diag(w, tf.zeros(tf.shape(w)[0], w.dtype))
    return w


def knn_graph(x, n_neighbors=10, local_scale=None, block_size=2048):
    """Sparse self-tuning k-nearest-neighbour graph.

    Each point is joined to its `n_neighbors` nearest neighbours with weight exp(−d²_ij/(σ_i σ_j)),
    σ_i the distance from i to its `local_scale`-th neighbour; the graph is symmetrised by keeping an
    edge found from either end. Neighbours are searched in blocks of `block_size` rows (see
    `nearest_neighbors`), so memory stays at `block_size × n` distances at most.

    Duplicate points: where i's `local_scale`-th neighbour coincides with it (σ_i would be 0, and 0/0 a NaN
    weight), σ_i is the distance to its nearest neighbour at a positive distance; where all its neighbours
    coincide with it, σ_i is floored at 1e-6 of the largest σ (or 1 when no two found neighbours differ, where
    every weight is exp(0) = 1 anyway). Coincident neighbours get weight 1.

    Args:
        x: points `(n, d)` (or `(n,)` for scalars), finite, dense; float dtype kept, integers become float32.
        n_neighbors: int in [1, n − 1], neighbours per point.
        local_scale: int in [1, n_neighbors], which neighbour sets σ_i; None (default) means min(7, n_neighbors),
            Zelnik-Manor & Perona's 7th neighbour where there are that many.
        block_size: int ≥ 1, rows per block of the distance computation.

    Returns:
        `tf.SparseTensor` `(n, n)` in x's float dtype, symmetric, zero diagonal, weights in (0, 1] (at most
        2·n·n_neighbors stored entries).

    Raises:
        ValueError: naming `n_neighbors` or `local_scale`, when outside the ranges above; naming `block_size`,
            when below 1 or when one block's distances would not fit in the memory available; naming `x`, when
            it is not `(n, d)` or `(n,)` with n ≥ 1, or holds NaN/inf.
        TypeError: naming `x`, when it is sparse or its dtype is not real.

    References:
        Zelnik-Manor, L. & Perona, P. (2004). Self-Tuning Spectral Clustering. NeurIPS 17.
        https://papers.nips.cc/paper/2619-self-tuning-spectral-clustering

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> import numpy as np
        >>> import tensorflow as tf
        >>> from keras_mf.graph import knn_graph
        >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0], [5.0, 1.0]])  # two pairs, 1 apart, 5 from each other
        >>> w = knn_graph(x, n_neighbors=1)
        >>> tf.sparse.to_dense(w).numpy().round(4).tolist()  # exp(−d²/(σ_i σ_j)) = exp(−1) with d = σ = 1
        [[0.0, 0.3679, 0.0, 0.0], [0.3679, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.3679], [0.0, 0.0, 0.3679, 0.0]]
    """
    x = _points(x)
    n = int(x.shape[0])
    n_neighbors = check_neighbors("n_neighbors", n_neighbors, n)
    if local_scale is None:
        local_scale = min(SELF_TUNING_NEIGHBOR, n_neighbors)
    local_scale = check_int("local_scale", local_scale, 1, n_neighbors)
    block_size = check_int("block_size", block_size, 1)
    # The weights do not change with the units of x, so the conditioned distances serve as they are.
    distances, indices = _neighbors(condition_points(x)[0], n_neighbors, block_size)
    sigma = _local_scales(distances, local_scale)
    weights = tf.exp(-tf.square(distances) / (sigma[:, None] * tf.gather(sigma, indices)))
    # An outlier whose neighbour sits in a tight cluster (σ_j ≪ d_ij) gets exp(−d²/σσ) below float32's
    # range: the edge would vanish and could leave the point isolated. The smallest normal float keeps it.
    weights = tf.maximum(weights, tf.constant(np.finfo(weights.dtype.as_numpy_dtype).tiny, weights.dtype))
    rows = tf.repeat(tf.range(n, dtype=tf.int64), n_neighbors)
    cols = tf.cast(tf.reshape(indices, [-1]), tf.int64)
    w = tf.SparseTensor(tf.stack([rows, cols], 1), tf.reshape(weights, [-1]), (n, n))
    w = tf.sparse.reorder(w)
    return tf.sparse.maximum(w, tf.sparse.reorder(tf.sparse.transpose(w)))


def _local_scales(distances, local_scale):
    """σ_i for `knn_graph`: the `local_scale`-th neighbour distance, else the nearest positive one, else the floor."""
    sigma = distances[:, local_scale - 1]
    inf = tf.constant(np.inf, distances.dtype)
    nearest_positive = tf.reduce_min(tf.where(distances > 0, distances, inf), 1)
    sigma = tf.where(sigma > 0, sigma, nearest_positive)
    sigma = tf.where(tf.math.is_finite(sigma), sigma, tf.zeros_like(sigma))
    largest = tf.reduce_max(sigma)
    return tf.maximum(sigma, tf.where(largest > 0, largest * _MIN_SCALE_FRACTION, tf.ones_like(largest)))


def nearest_neighbors(x, k, block_size=2048):
    """Exact k nearest neighbours: the distances `(n, k)` and indices `(n, k)` of each point's k nearest other
    points, ascending.

    The points are centred and rescaled first (`linalg.distances.condition_points`), so that points far from
    the origin keep their distances' digits and points near the dtype's range do not overflow.

    Distances are symmetric, so only the blocks of rows I ≤ J are computed: one matmul X_I X_Jᵀ gives
    the squared distances of the pair, whose row-wise top k are candidates for the points of block I
    and whose column-wise top k are candidates for those of block J; each point keeps the k best of its
    candidates so far. That halves the matmul work of the full n × n distances; memory holds one
    `block_size × block_size` block (and the `(n, k)` results).

    A point is never its own neighbour, but its duplicates are (at distance 0).

    Args:
        x: points `(n, d)` (or `(n,)` for scalars), finite, dense; float dtype kept, integers become float32.
        k: int in [1, n − 1], neighbours per point.
        block_size: int ≥ 1, rows per block of the distance computation.

    Returns:
        `(distances, indices)`: Euclidean distances `(n, k)`, a tensor in x's float dtype and units, each row
        ascending; indices `(n, k)`, int32, into the rows of x.

    Raises:
        ValueError: naming `k`, when it is not an int in [1, n − 1]; naming `block_size`, when below 1 or, before
            anything is allocated, when one block's distances would not fit in the memory available; naming `x`,
            when it is not `(n, d)` or `(n,)` with n ≥ 1, holds NaN/inf, or a neighbour distance exceeds the range
            of x's dtype (pass float64 points).
        TypeError: naming `x`, when it is sparse or its dtype is not real.

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import nearest_neighbors
        >>> distances, indices = nearest_neighbors(np.array([0.0, 1.0, 3.0, 7.0]), k=2)
        >>> distances.numpy().round(6).tolist()
        [[1.0, 3.0], [1.0, 2.0], [2.0, 3.0], [4.0, 6.0]]
        >>> indices.numpy().tolist()
        [[1, 2], [0, 2], [1, 0], [2, 1]]
    """
    x = _points(x)
    n = int(x.shape[0])
    k = check_neighbors("k", k, n)
    block_size = check_int("block_size", block_size, 1)
    y, _, scale = condition_points(x)
    distances, indices = _neighbors(y, k, block_size)
    distances = tf.cast(distances, tf.float64) * scale
    if not bool(tf.reduce_all(distances <= x.dtype.max)):
        raise ValueError(
            f"Received an invalid value for `x`, expected points whose distances fit in {x.dtype.name}. Received: "
            f"a neighbour distance of {float(tf.reduce_max(distances)):.3g}; pass float64 points"
        )
    return tf.cast(distances, x.dtype), indices


def _neighbors(x, k, block_size):
    """`nearest_neighbors` of points already checked and conditioned."""
    n = int(x.shape[0])
    block_size = min(block_size, n)
    _check_block_memory(block_size, x.dtype.size)
    squared_norms = tf.reduce_sum(tf.square(x), axis=1)[:, None]
    starts = list(range(0, n, block_size))
    sizes = [min(block_size, n - s) for s in starts]
    inf = tf.constant(float("inf"), x.dtype)
    best = [(tf.fill((size, k), -inf), tf.zeros((size, k), tf.int32)) for size in sizes]
    for i, start_i in enumerate(starts):
        for j in range(i, len(starts)):
            rows = (tf.constant(start_i), tf.constant(sizes[i]), tf.constant(starts[j]), tf.constant(sizes[j]))
            best[i], best[j] = _block_pair(k, i == j, x.dtype)(x, squared_norms, *rows, *best[i], *best[j])
    distances = -tf.concat([d for d, _ in best], 0)
    indices = tf.concat([i for _, i in best], 0)
    return tf.sqrt(tf.maximum(distances, 0.0)), indices


def _check_block_memory(block_size, itemsize):
    # The block's squared distances, its transpose for the column-wise top k and top_k's working copies.
    needed = 4 * block_size * block_size * itemsize
    available = _available_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"Received an invalid value for `block_size`, expected a block whose distances fit in memory: "
            f"it needs {needed} bytes ({needed / 2**30:.2f} GiB) and {available} bytes ({available / 2**30:.2f} GiB) "
            "are available. "
            f"Received: block_size={block_size}"
        )


def _available_memory():
    """Bytes the process can still allocate: MemAvailable where Linux reports it, else free physical pages."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


@functools.cache
def _block_pair(k, diagonal, dtype):
    """`_merge_pair` for k, diagonal or not, as a `tf.function` traced once per process with open shapes
    (blocks differ in size at the end, and the data in width), without AutoGraph (it has no loop or branch on a
    tensor, and the source conversion was most of its first call)."""
    matrix, column = tf.TensorSpec([None, None], dtype), tf.TensorSpec([None, k], dtype)
    index, scalar = tf.TensorSpec([None, k], tf.int32), tf.TensorSpec([], tf.int32)
    signature = [matrix, tf.TensorSpec([None, 1], dtype), scalar, scalar, scalar, scalar, column, index, column, index]

    def run(x, squared_norms, start_i, size_i, start_j, size_j, best_i, index_i, best_j, index_j):
        # −‖x_i − x_j‖² = [2x_i, −‖x_i‖², −1]·[x_j, 1, ‖x_j‖²]: one matmul yields the (negated) squared distances
        # of a block pair with no further pass over them before top_k. The augmented rows are built here, per
        # block, so that no augmented copy of all of x is held (two of them were ~0.9 GB at n = 70,000).
        x_i, norms_i = x[start_i : start_i + size_i], squared_norms[start_i : start_i + size_i]
        x_j, norms_j = x[start_j : start_j + size_j], squared_norms[start_j : start_j + size_j]
        queries = tf.concat([2.0 * x_i, -norms_i, -tf.ones_like(norms_i)], 1)
        keys = tf.concat([x_j, tf.ones_like(norms_j), norms_j], 1)
        return _merge_pair(queries, keys, start_i, start_j, best_i, index_i, best_j, index_j, k, diagonal)

    return tf.function(run, input_signature=signature, autograph=False)


def _merge_pair(queries_i, keys_j, start_i, start_j, best_i, index_i, best_j, index_j, k, diagonal):
    """Merges the candidates of the block pair (I, J) into both blocks' k best (negated squared distances,
    indices)."""
    scores = tf.linalg.matmul(queries_i, keys_j, transpose_b=True)
    if diagonal:
        # A point is not its own neighbour; excluded by index, so duplicates of it still count.
        scores = tf.linalg.set_diag(scores, tf.fill(tf.shape(scores)[:1], tf.constant(float("-inf"), scores.dtype)))
    best_i, index_i = _merge(best_i, index_i, scores, start_j, k)
    if diagonal:
        return (best_i, index_i), (best_i, index_i)
    best_j, index_j = _merge(best_j, index_j, scores, start_i, k, columns=True)
    return (best_i, index_i), (best_j, index_j)


def _merge(best, index, scores, offset, k, columns=False):
    """The k largest of each row's current best and of the row (or with `columns`, the column) of `scores`,
    whose entries are numbered from `offset`."""
    top, positions = _top_k(scores, k, columns)
    merged = tf.concat([best, top], 1)
    merged_index = tf.concat([index, positions + offset], 1)
    top, order = tf.math.top_k(merged, k=k)
    return top, tf.gather(merged_index, order, batch_dims=1)


_CHUNK = 16  # entries per chunk of the two-stage top k
# The two stages pay off once a line holds several times the k·_CHUNK candidates they keep.
_CHUNKED_FROM = 4


def _top_k(scores, k, columns=False):
    """The k largest entries of each row of `scores (m, c)` (of each column with `columns`) and their positions,
    unsorted, in two stages: the k chunks of `_CHUNK` entries with the largest maxima hold all of the k largest
    entries (a chunk outside them lies below k chunk maxima, so below k entries), so top_k runs over the chunk
    maxima and then over k·16 candidates instead of over every entry; the columns' chunks are read in place,
    with no transpose of the block (benchmarks/symnmf.py times the graph)."""
    axis = 0 if columns else 1
    length = tf.shape(scores)[axis]

    def chunked():
        pad = [[0, 0], [0, 0]]
        pad[axis] = [0, -length % _CHUNK]
        padded = tf.pad(scores, pad, constant_values=float("-inf"))
        if columns:
            chunks = tf.reshape(padded, (-1, _CHUNK, tf.shape(scores)[1]))  # (chunks, _CHUNK, c)
            maxima = tf.transpose(tf.reduce_max(chunks, axis=1))
        else:
            chunks = tf.reshape(padded, (tf.shape(scores)[0], -1, _CHUNK))  # (m, chunks, _CHUNK)
            maxima = tf.reduce_max(chunks, axis=2)
        _, chosen = tf.math.top_k(maxima, k=k, sorted=False)  # (lines, k) chunk numbers
        if columns:
            lines = tf.shape(chosen)[0]
            within = tf.broadcast_to(tf.range(_CHUNK)[None, None, :], (lines, k, _CHUNK))
            column = tf.broadcast_to(tf.range(lines)[:, None, None], (lines, k, _CHUNK))
            where = tf.stack([tf.broadcast_to(chosen[:, :, None], (lines, k, _CHUNK)), within, column], -1)
            candidates = tf.gather_nd(chunks, where)
        else:
            candidates = tf.gather(chunks, chosen, batch_dims=1)
        top, position = tf.math.top_k(tf.reshape(candidates, (tf.shape(chosen)[0], k * _CHUNK)), k=k, sorted=False)
        return top, tf.gather(chosen, position // _CHUNK, batch_dims=1) * _CHUNK + position % _CHUNK

    def direct():
        lines = tf.transpose(scores) if columns else scores
        top, position = tf.math.top_k(lines, k=tf.minimum(k, length), sorted=False)
        return top, position

    return tf.cond(length >= _CHUNKED_FROM * k * _CHUNK, chunked, direct)


def _points(x):
    return check_points("x", x, vectors=True)
