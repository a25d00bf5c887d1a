"""Spectral clustering (Ng–Jordan–Weiss, as the tutorial describes it) and Fiedler-vector bisection."""

import numpy as np
import tensorflow as tf

from keras_mf import linalg
from keras_mf._validation import check_int
from keras_mf._validation_tf import check_similarity
from keras_mf.cluster.k_means import kmeans
from keras_mf.graph.laplacian import laplacian
from keras_mf.graph.laplacian import normalize_adjacency


def spectral_embedding(w, n_components, iterations=300, seed=0):
    """Rows of the first `n_components` eigenvectors of L_sym, each row scaled to unit length.

    The smallest eigenvalues of L_sym = I − N are the largest of N = D^{-1/2} W D^{-1/2}; they are
    found on N + I (eigenvalues in [0, 2], so positive semi-definite) by subspace iteration, which needs
    only sparse products with W.

    Returns:
        `(n, n_components)` embedding.
    """
    w = check_similarity(w, "w")
    n = int(w.shape[0])
    n_components = check_int("n_components", n_components, 1, n)
    normalized = normalize_adjacency(w)
    if isinstance(normalized, tf.SparseTensor):
        shifted = tf.sparse.add(normalized, tf.sparse.eye(n, dtype=normalized.dtype))
        _, vectors = linalg.top_eigh(shifted, n_components, iterations=iterations, seed=seed)
    else:
        _, vectors = tf.linalg.eigh(tf.eye(n, dtype=normalized.dtype) - normalized)
        vectors = vectors[:, :n_components]
    return tf.math.l2_normalize(vectors, axis=1)


def spectral_clustering(w, n_clusters, n_init=10, iterations=300, seed=0):
    """Labels `(n,)`: k-means on the row-normalised spectral embedding of the similarity W (dense or sparse)."""
    w = check_similarity(w, "w")
    check_int("n_clusters", n_clusters, 1, int(w.shape[0]))
    embedding = spectral_embedding(w, n_clusters, iterations=iterations, seed=seed)
    labels, _, _ = kmeans(embedding, n_clusters, n_init=n_init, seed=seed)
    return labels


def fiedler_vector(w):
    """Eigenvalue λ₂ and eigenvector of L = D − W for the second-smallest eigenvalue (dense `(n, n)` W)."""
    values, vectors = tf.linalg.eigh(laplacian(check_similarity(w, "w", tf.float64)))
    vector = vectors[:, 1]
    # Eigenvectors have no sign of their own; make the first nonzero entry positive for reproducibility.
    first = tf.gather(vector, tf.argmax(tf.cast(tf.abs(vector) > 1e-12, tf.int32)))
    return values[1], vector * tf.sign(first)


def fiedler_bisection(w):
    """Splits a graph in two by the sign of its Fiedler vector; returns labels `(n,)` in {0, 1}."""
    _, vector = fiedler_vector(w)
    return np.where(vector.numpy() >= 0, 0, 1)
