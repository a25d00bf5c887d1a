"""k-means (k-means++ seeding, Lloyd iterations) in TensorFlow, so the library needs no scikit-learn."""

import warnings

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_int
from keras_mf._validation_tf import check_points
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.linalg.distances import condition_points
from keras_mf.linalg.distances import squared_distances


def kmeans(x, n_clusters, n_init=10, max_iter=100, seed=0):
    """Clusters the rows of `x (n, d)`; keeps the best of `n_init` k-means++ starts by inertia.

    Runs on centred, rescaled points (`linalg.distances.condition_points`: points far from the origin keep
    their distances' digits, points near the dtype's range do not overflow), in x's float dtype.

    Args:
        x: float or int points `(n, d)`, finite, dense (numpy, tensor or nested list; integers become float).
        n_clusters: int in [1, n].
        n_init: int ≥ 1, the number of k-means++ starts.
        max_iter: int ≥ 1, the most Lloyd iterations per start.
        seed: int, seeds the k-means++ draws (start i uses `[seed, i]`): the same seed gives the same result.

    Returns:
        `(labels, centers, inertia)`: labels an int numpy array `(n,)` with values in [0, n_clusters),
        centers a numpy array `(n_clusters, d)` in x's float dtype, inertia a float, the sum of squared
        distances of the points to their centres (in x's squared units).

    Raises:
        ValueError: `x` not `(n, d)` with n ≥ 1, or holding NaN/inf; `n_clusters` outside [1, n]; `n_init` or
            `max_iter` below 1.
        TypeError: sparse `x`, or a non-real dtype.

    Warns:
        ConvergenceWarning: fewer distinct clusters were found than `n_clusters` (duplicate points: fewer
            distinct points than clusters), in scikit-learn's words; or the best start's labels still changed
            at `max_iter`.

    References:
        Arthur, D. & Vassilvitskii, S. (2007). k-means++: The Advantages of Careful Seeding. SODA 2007.
        https://dl.acm.org/doi/10.5555/1283383.1283494

        Lloyd, S. P. (1982). Least squares quantization in PCM. IEEE Transactions on Information Theory 28(2),
        129–137. https://doi.org/10.1109/TIT.1982.1056489

    Example:
        >>> import numpy as np
        >>> from keras_mf.cluster import kmeans
        >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
        >>> labels, centers, inertia = kmeans(x, 2, n_init=2)
        >>> bool(labels[0] == labels[1] != labels[2] == labels[3]), np.sort(centers[:, 0]), round(inertia, 6)
        (True, array([ 0., 10.]), 1.0)
    """
    x = check_points("x", x)
    n = int(x.shape[0])
    n_clusters = check_int("n_clusters", n_clusters, 1, n)
    n_init = check_int("n_init", n_init, 1)
    max_iter = check_int("max_iter", max_iter, 1)
    y, shift, scale = condition_points(x)
    best = None
    for i in range(n_init):
        centers = _kmeans_plus_plus(y, n_clusters, seed=tf.constant([seed, i]))
        labels, centers, inertia, converged = _lloyd(y, centers, tf.constant(max_iter))
        if best is None or float(inertia) < best[2]:
            best = (labels.numpy(), centers, float(inertia), bool(converged))
    labels, centers, inertia, converged = best
    _warn(labels, n_clusters, converged, max_iter)
    # Back in x's units in numpy: TensorFlow's CPU casts flush float32 subnormals (centres of points near 1e-38) to 0.
    centers = (centers.numpy().astype(np.float64) * scale + shift).astype(x.dtype.as_numpy_dtype)
    return labels, centers, inertia * scale**2


def _warn(labels, n_clusters, converged, max_iter):
    distinct = len(np.unique(labels))
    if distinct < n_clusters:
        warnings.warn(
            f"Number of distinct clusters ({distinct}) found smaller than n_clusters ({n_clusters}). "
            "Possibly due to duplicate points in X.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if not converged:
        warnings.warn(
            f"k-means did not converge: the labels still changed after max_iter={max_iter} Lloyd iterations. "
            "Raise `max_iter`.",
            ConvergenceWarning,
            stacklevel=3,
        )


# Compiled without AutoGraph (loops written as tf.while_loop): converting them cost a fresh process about as much
# as the first clustering's own work.
@tf.function(reduce_retracing=True, autograph=False)
def _kmeans_plus_plus(x, k, seed):
    n = tf.shape(x)[0]
    first = tf.random.stateless_uniform([], seed=seed, maxval=n, dtype=tf.int32)
    centers = tf.TensorArray(x.dtype, size=k, element_shape=x.shape[1:])
    centers = centers.write(0, x[first])
    closest = tf.reduce_sum(tf.square(x - x[first]), 1)

    def add_center(j, centers, closest):
        # Sample the next center with probability proportional to the squared distance (D² weighting).
        logits = tf.math.log(tf.maximum(closest, 1e-30))[None, :]
        draw_seed = tf.random.experimental.stateless_fold_in(seed, j)
        pick = tf.random.stateless_categorical(logits, 1, seed=draw_seed)[0, 0]
        center = x[pick]
        return j + 1, centers.write(j, center), tf.minimum(closest, tf.reduce_sum(tf.square(x - center), 1))

    _, centers, _ = tf.while_loop(lambda j, *_: j < k, add_center, (tf.constant(1), centers, closest))
    return centers.stack()


@tf.function(reduce_retracing=True, autograph=False)
def _lloyd(x, centers, max_iter):
    k = tf.shape(centers)[0]
    labels = tf.argmin(squared_distances(x, centers), axis=1, output_type=tf.int32)

    def step(i, labels, centers, converged):
        counts = tf.math.unsorted_segment_sum(tf.ones_like(labels, x.dtype), labels, k)
        sums = tf.math.unsorted_segment_sum(x, labels, k)
        # An emptied cluster keeps its old center rather than becoming NaN.
        centers = tf.where(counts[:, None] > 0, sums / tf.maximum(counts, 1.0)[:, None], centers)
        new_labels = tf.argmin(squared_distances(x, centers), axis=1, output_type=tf.int32)
        return i + 1, new_labels, centers, tf.reduce_all(new_labels == labels)

    start = (tf.constant(0), labels, centers, tf.constant(False))
    # The emptied-cluster rule loses the static number of centres (1 when tracing a single one).
    shapes = (tf.TensorShape([]), labels.shape, tf.TensorShape([None, x.shape[1]]), tf.TensorShape([]))
    _, labels, centers, converged = tf.while_loop(
        lambda i, labels, centers, converged: (i < max_iter) & tf.logical_not(converged),
        step,
        start,
        shape_invariants=shapes,
    )
    inertia = tf.reduce_sum(tf.cast(tf.reduce_min(squared_distances(x, centers), axis=1), tf.float64))
    return labels, centers, inertia, converged
