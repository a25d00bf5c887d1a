"""Spectral clustering (Ng–Jordan–Weiss, as the tutorial describes it) and Fiedler-vector bisection."""

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_int
from keras_mf._validation_tf import check_similarity
from keras_mf.cluster.k_means import kmeans
from keras_mf.graph.laplacian import _normalize
from keras_mf.graph.laplacian import components_message
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.laplacian import laplacian
from keras_mf.linalg.convergence import warn_unconverged
from keras_mf.linalg.decompositions import subspace_eigh


def spectral_embedding(w, n_components, iterations=300, seed=0):
    """Rows of the first `n_components` eigenvectors of L_sym, each row scaled to unit length.

    The smallest eigenvalues of L_sym = I − N are the largest of N = D^{-1/2} W D^{-1/2}; they are
    found on N + I (eigenvalues in [0, 2], so positive semi-definite) by subspace iteration, which needs
    only sparse products with W, to the residual tolerance of `linalg.top_eigh` (a ConvergenceWarning naming
    `iterations` when they run out first). A dense W takes a full `eigh`. W's float dtype is kept.

    A graph of c connected components has c zero eigenvalues, whose eigenvectors are any mix of the components'
    indicators; with c ≤ `n_components` the embedding still separates the components (rows of different
    components are orthogonal), with more it cannot, and is refused.

    Returns:
        `(n, n_components)` embedding.

    Raises:
        ValueError: naming `n_components`, when W has more connected components than `n_components`; naming
            `w`, when W is not a similarity graph or has a vertex with no edge.

    References:
        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On Spectral Clustering: Analysis and an Algorithm.
        NeurIPS 14. https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm
    """
    w = check_similarity(w, "w", dtype=None)
    n = int(w.shape[0])
    n_components = check_int("n_components", n_components, 1, n)
    iterations = check_int("iterations", iterations, 1)
    check_components(w, n_components, "n_components")
    normalized = _normalize(w)
    if isinstance(normalized, tf.SparseTensor):
        shifted = tf.sparse.add(normalized, tf.sparse.eye(n, dtype=normalized.dtype))
        _, vectors, used, residual, tol = subspace_eigh(shifted, n_components, iterations=iterations, seed=seed)
        warn_unconverged("spectral_embedding", used, residual, tol, "iterations", iterations)
    else:
        _, vectors = tf.linalg.eigh(tf.eye(n, dtype=normalized.dtype) - normalized)
        vectors = vectors[:, :n_components]
    return tf.math.l2_normalize(vectors, axis=1)


def check_components(w, limit, parameter):
    """Raises ValueError, naming `parameter`, when the checked graph `w` has more connected components than
    `limit`; returns the count."""
    count, labels = connected_components(w)
    if count > limit:
        raise ValueError(
            f"Received an invalid value for `{parameter}`, expected at least the number of connected components "
            f"of `w`: its {components_message(count, labels)} cannot be told apart by fewer eigenvectors. "
            f"Connect the graph (e.g. more neighbours) or ask for more. Received: {parameter}={limit}"
        )
    return count


def spectral_clustering(w, n_clusters, n_init=10, iterations=300, seed=0):
    """Labels `(n,)`: k-means on the row-normalised spectral embedding of the similarity W (dense or sparse).

    Raises:
        ValueError: naming `n_clusters`, when W has more connected components than `n_clusters` (see
            `spectral_embedding`).
    """
    w = check_similarity(w, "w", dtype=None)
    n_clusters = check_int("n_clusters", n_clusters, 1, int(w.shape[0]))
    if n_clusters == 1:
        return np.zeros(int(w.shape[0]), np.int32)  # one cluster needs no embedding, connected or not
    check_components(w, n_clusters, "n_clusters")
    embedding = spectral_embedding(w, n_clusters, iterations=iterations, seed=seed)
    labels, _, _ = kmeans(embedding, n_clusters, n_init=n_init, seed=seed)
    return labels


def fiedler_vector(w):
    """Eigenvalue λ₂ and eigenvector of L = D − W for the second-smallest eigenvalue (dense `(n, n)` W), in float64.

    Raises:
        ValueError: naming `w`, when the graph is disconnected (λ₂ = 0 and its eigenvector is then any mix of the
            components' indicator vectors, so no cut is defined) or has fewer than 2 vertices.
    """
    w = check_similarity(w, "w", tf.float64)
    if int(w.shape[0]) < 2:
        raise ValueError(
            f"Received an invalid value for `w`, expected a graph of at least 2 vertices. Received: w with shape "
            f"{tuple(w.shape)}"
        )
    count, labels = connected_components(w)
    if count > 1:
        raise ValueError(
            "Received an invalid value for `w`, expected a connected graph: a disconnected one has λ₂ = 0, whose "
            "eigenvectors are any mix of its components' indicators, so the Fiedler vector is undefined. Split it "
            f"by `graph.connected_components(w)` instead. Received: w with {components_message(count, labels)}"
        )
    values, vectors = tf.linalg.eigh(laplacian(w))
    vector = vectors[:, 1]
    # Eigenvectors have no sign of their own; make the first nonzero entry positive for reproducibility.
    first = tf.gather(vector, tf.argmax(tf.cast(tf.abs(vector) > 1e-12, tf.int32)))
    return values[1], vector * tf.sign(first)


def fiedler_bisection(w):
    """Splits a connected graph in two by the sign of its Fiedler vector; returns labels `(n,)` in {0, 1}.

    Raises:
        ValueError: naming `w`, when the graph is disconnected (see `fiedler_vector`).
    """
    _, vector = fiedler_vector(w)
    return np.where(vector.numpy() >= 0, 0, 1)
