"""A force-directed layout of a fuzzy graph: UMAP's cross-entropy between the graph's weights and a kernel of
the layout's distances, minimised by edge-sampling SGD in TensorFlow (no umap-learn, no numba).

References:
    McInnes, L., Healy, J. & Melville, J. (2018). UMAP: Uniform Manifold Approximation and Projection for
    Dimension Reduction. arXiv:1802.03426. https://arxiv.org/abs/1802.03426
    McConville, R., Santos-Rodriguez, R., Piechocki, R. J. & Craddock, I. (2021). N2D: (Not Too) Deep
    Clustering via Clustering the Local Manifold of an Autoencoded Embedding. ICPR 2020.
    https://arxiv.org/abs/1908.05968
"""

import warnings

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf._validation_tf import check_similarity
from keras_mf.exceptions import ClusteringError
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.graph.laplacian import components_message
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.spectral import spectral_embedding

# UMAP's output kernel φ(d) = 1 / (1 + a·d^(2b)) for min_dist = 0, spread = 1 (umap-learn's fitted constants):
# clusters contract to tight clumps, which a k-NN graph of the layout then cuts cleanly.
_KERNEL_A = 1.929
_KERNEL_B = 0.7915
_GRADIENT_CLIP = 4.0  # per-coordinate gradient clip of UMAP's SGD
_START_SCALE = 10.0  # UMAP scales its spectral start to [-10, 10]
# Coincident points: 0.001 added to squared distances is umap-learn's own guard in its repulsive gradient (the
# power d^(2b - 2) is infinite at 0); flooring 1 − φ at 1e-4 caps the repulsion −log(1 − φ) at about 9.2.
_DISTANCE_EPSILON = 1e-3
_REPULSION_FLOOR = 1e-4
# Steps per compiled call: long enough to amortise the call, short enough that the Python loop stays responsive.
_STEPS_PER_CALL = 100


def neighbor_layout(w, n_components=10, steps=10000, batch_size=8192, negatives=5, learning_rate=1.0, seed=0):
    """Force-directed layout of a fuzzy graph: minimises UMAP's cross-entropy between w and φ(‖y_i − y_j‖).

    Started from the spectral embedding (scaled to [−10, 10], as UMAP does); each step samples `batch_size`
    edges, pulls their ends together (weight w_ij) and pushes each head away from `negatives` random points,
    by SGD with per-coordinate clipping and a learning rate decaying linearly to 0. The last, small steps
    are those that contract the clusters into clumps, so cutting `steps` short leaves them loose. Like
    umap-learn's, this schedule has no convergence test: the loss keeps falling over the last steps whatever
    their number (the shrinking rate contracts the clumps), so `steps` is a budget, not a tolerance.

    A graph of more connected components than `n_components` has no well-defined spectral start (its leading
    eigenvectors are an arbitrary mix of the components' indicators, which `spectral_embedding` refuses); the
    layout then starts from seeded uniform positions in [−10, 10] (umap-learn's fallback), with a warning.

    Args:
        w: symmetric `tf.SparseTensor` `(n, n)`, e.g. `fuzzy_knn_graph(codes)`.
        n_components: dimension of the layout.
        steps: SGD steps.
        batch_size: edges per step.
        negatives: random points pushed away per edge.
        learning_rate: initial SGD step.
        seed: seed of the edge and negative sampling.

    Returns:
        Layout `(n, n_components)` as a numpy array, float32, coordinates in the units of UMAP's kernel φ
        (starting within [−10, 10]).

    Raises:
        ValueError: naming `n_components`, when it is not an int in [1, n − 1]; naming `steps`, `batch_size` or
            `negatives`, when below 1; naming `learning_rate`, when not a real number above 0; naming `w`, when it
            is not a square, symmetric, finite, nonnegative matrix, or has a vertex with no edge (and no more
            connected components than `n_components`, so that the spectral start is taken).
        TypeError: naming `w`, when its entries are not real numbers.
        keras_mf.exceptions.ClusteringError: the layout diverged to NaN/inf coordinates (lower `learning_rate`).

    Warns:
        UserWarning: `w` has more connected components than `n_components`, so the layout starts from random
            positions.

    References:
        McInnes, L., Healy, J. & Melville, J. (2018). UMAP: Uniform Manifold Approximation and Projection for
        Dimension Reduction. arXiv:1802.03426. https://arxiv.org/abs/1802.03426

        McConville, R., Santos-Rodriguez, R., Piechocki, R. J. & Craddock, I. (2021). N2D: (Not Too) Deep
        Clustering via Clustering the Local Manifold of an Autoencoded Embedding. ICPR 2020.
        https://arxiv.org/abs/1908.05968

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = np.concatenate([rng.normal(0, 0.1, (10, 2)), rng.normal(5, 0.1, (10, 2))])  # two far clumps
        >>> from keras_mf.graph import fuzzy_knn_graph, neighbor_layout
        >>> y = neighbor_layout(fuzzy_knn_graph(x, n_neighbors=3), n_components=2, steps=100, batch_size=64)
        >>> y.shape, y.dtype
        ((20, 2), dtype('float32'))
        >>> gap = np.linalg.norm(y[:10].mean(0) - y[10:].mean(0))  # the clumps stay apart in the layout
        >>> bool(gap > 3 * max(y[:10].std(0).max(), y[10:].std(0).max()))
        True
    """
    w = check_similarity(w, "w", dtype=tf.float32)
    n = int(w.shape[0])
    n_components = check_int("n_components", n_components, 1, n - 1)
    steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    negatives = check_int("negatives", negatives, 1)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    if not isinstance(w, tf.SparseTensor):
        w = tf.sparse.from_dense(w)
    y = _start(w, n_components, seed)
    edges = tf.cast(w.indices, tf.int32)
    for first in range(0, steps, _STEPS_PER_CALL):
        count = min(_STEPS_PER_CALL, steps - first)
        y = _layout_steps(
            y,
            edges,
            w.values,
            tf.constant(first),
            tf.constant(count),
            tf.constant(steps),
            batch_size,
            negatives,
            tf.constant(learning_rate, tf.float32),
            tf.constant(seed, tf.int32),
        )
    layout = np.asarray(y)
    if not np.all(np.isfinite(layout)):
        raise ClusteringError("The neighbour layout diverged (NaN/inf coordinates); lower `learning_rate`.")
    return layout


def _start(w, n_components, seed):
    """The spectral embedding scaled to [−10, 10], or uniform positions when the graph has too many components.

    The start need not be exact: a spectral start that did not meet `spectral_embedding`'s tolerance is still a
    good start, so that warning is not passed on."""
    count, labels = connected_components(w)
    if count > n_components:
        warnings.warn(
            f"The graph `w` has {components_message(count, labels)}, more than n_components={n_components}, so its "
            "spectral embedding is undefined: the layout starts from random positions instead.",
            UserWarning,
            stacklevel=3,
        )
        n = int(w.shape[0])
        return tf.random.stateless_uniform((n, n_components), [seed, 2], -_START_SCALE, _START_SCALE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = tf.cast(spectral_embedding(w, n_components, seed=seed), tf.float32)
    start = start - tf.reduce_mean(start, 0)
    return _START_SCALE * start / tf.maximum(tf.reduce_max(tf.abs(start)), np.finfo(np.float32).tiny)


# How `_layout_steps` is compiled (tests/conftest.py recompiles it with the same options for each test). No AutoGraph:
# the loop is written as tf.while_loop.
_COMPILE_OPTIONS = {"reduce_retracing": True, "autograph": False}


# The positions go in and out as a tensor, not a tf.Variable: a variable argument kept the static width of the first
# trace, so a later layout of another width failed with "Incompatible shapes: [8192,3] vs. [8192,10]".
@tf.function(**_COMPILE_OPTIONS)
def _layout_steps(y, edges, weights, first, count, total, batch_size, negatives, learning_rate, seed):
    n = tf.shape(y)[0]
    mean_weight = tf.reduce_mean(weights)

    def move(step, y):
        sample_seed = tf.stack([seed, step])
        pick = tf.random.stateless_uniform((batch_size,), sample_seed, 0, tf.shape(edges)[0], dtype=tf.int32)
        heads = tf.gather(edges[:, 0], pick)
        tails = tf.gather(edges[:, 1], pick)
        others = tf.random.stateless_uniform((batch_size, negatives), sample_seed + 1, 0, n, dtype=tf.int32)
        with tf.GradientTape() as tape:
            tape.watch(y)
            head = tf.gather(y, heads)
            near = tf.reduce_sum(tf.square(head - tf.gather(y, tails)), 1)
            far = tf.reduce_sum(tf.square(head[:, None] - tf.gather(y, others)), 2)
            attraction = (
                tf.gather(weights, pick)
                / mean_weight
                * tf.math.log1p(_KERNEL_A * (near + _DISTANCE_EPSILON) ** _KERNEL_B)
            )
            kernel = 1.0 / (1.0 + _KERNEL_A * (far + _DISTANCE_EPSILON) ** _KERNEL_B)
            repulsion = -tf.math.log(tf.maximum(1.0 - kernel, _REPULSION_FLOOR))
            loss = tf.reduce_sum(attraction) + tf.reduce_sum(repulsion)
        gradient = tf.convert_to_tensor(tape.gradient(loss, y))
        rate = learning_rate * (1.0 - tf.cast(step, tf.float32) / tf.cast(total, tf.float32))
        y = y - rate * tf.clip_by_value(gradient, -_GRADIENT_CLIP, _GRADIENT_CLIP)
        return step + 1, y

    _, y = tf.while_loop(lambda step, y: step < first + count, move, (first, y))
    return y
