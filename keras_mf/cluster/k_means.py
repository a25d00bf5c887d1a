"""k-means (k-means++ seeding, Lloyd iterations) in TensorFlow, so the library needs no scikit-learn."""

import tensorflow as tf

from keras_mf._validation import check_int
from keras_mf._validation_tf import check_points
from keras_mf.linalg.distances import squared_distances


def kmeans(x, n_clusters, n_init=10, max_iter=100, seed=0):
    """Clusters the rows of `x (n, d)`; keeps the best of `n_init` k-means++ starts by inertia.

    Returns:
        `(labels (n,) int, centers (n_clusters, d), inertia float)`.
    """
    x = check_points("x", x)
    n = int(x.shape[0])
    n_clusters = check_int("n_clusters", n_clusters, 1, n)
    n_init = check_int("n_init", n_init, 1)
    max_iter = check_int("max_iter", max_iter, 1)
    best = None
    for i in range(n_init):
        centers = _kmeans_plus_plus(x, n_clusters, seed=tf.constant([seed, i]))
        labels, centers, inertia = _lloyd(x, centers, tf.constant(max_iter))
        if best is None or float(inertia) < best[2]:
            best = (labels.numpy(), centers.numpy(), float(inertia))
    return best


@tf.function(reduce_retracing=True)
def _kmeans_plus_plus(x, k, seed):
    n = tf.shape(x)[0]
    first = tf.random.stateless_uniform([], seed=seed, maxval=n, dtype=tf.int32)
    centers = tf.TensorArray(x.dtype, size=k, element_shape=x.shape[1:])
    centers = centers.write(0, x[first])
    closest = tf.reduce_sum(tf.square(x - x[first]), 1)
    for j in tf.range(1, k):
        # Sample the next center with probability proportional to the squared distance (D² weighting).
        logits = tf.math.log(tf.maximum(closest, 1e-30))[None, :]
        draw_seed = tf.random.experimental.stateless_fold_in(seed, j)
        pick = tf.random.stateless_categorical(logits, 1, seed=draw_seed)[0, 0]
        center = x[pick]
        centers = centers.write(j, center)
        closest = tf.minimum(closest, tf.reduce_sum(tf.square(x - center), 1))
    return centers.stack()


@tf.function(reduce_retracing=True)
def _lloyd(x, centers, max_iter):
    k = tf.shape(centers)[0]
    labels = tf.argmin(squared_distances(x, centers), axis=1, output_type=tf.int32)
    for _ in tf.range(max_iter):
        counts = tf.math.unsorted_segment_sum(tf.ones_like(labels, x.dtype), labels, k)
        sums = tf.math.unsorted_segment_sum(x, labels, k)
        # An emptied cluster keeps its old center rather than becoming NaN.
        centers = tf.where(counts[:, None] > 0, sums / tf.maximum(counts, 1.0)[:, None], centers)
        new_labels = tf.argmin(squared_distances(x, centers), axis=1, output_type=tf.int32)
        if tf.reduce_all(new_labels == labels):
            break
        labels = new_labels
    inertia = tf.reduce_sum(tf.reduce_min(squared_distances(x, centers), axis=1))
    return labels, centers, inertia
