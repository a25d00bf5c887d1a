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
    """Ng–Jordan–Weiss spectral embedding: the rows of the first `n_components` eigenvectors of L_sym, each row
    scaled to unit length.

    The smallest eigenvalues of L_sym = I − N are the largest of N = D^{-1/2} W D^{-1/2}; they are
    found on N + I (eigenvalues in [0, 2], so positive semi-definite) by subspace iteration, which needs
    only sparse products with W, to the residual tolerance of `linalg.top_eigh` (a ConvergenceWarning naming
    `iterations` when they run out first). A dense W takes a full `eigh`. W's float dtype is kept.

    A graph of c connected components has c zero eigenvalues, whose eigenvectors are any mix of the components'
    indicators; with c ≤ `n_components` the embedding still separates the components (rows of different
    components are orthogonal), with more it cannot, and is refused.

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity, dense (numpy, tensor) or sparse (`tf.SparseTensor`,
            `scipy.sparse`), every vertex with an edge; integers become float32.
        n_components: int in [1, n], the number of eigenvectors (at least W's number of connected components).
        iterations: int ≥ 1, the most subspace iterations for a sparse W (a dense W ignores it).
        seed: int, seeds the subspace iteration's random start (sparse W only).

    Returns:
        Embedding `(n, n_components)`, a tensor in W's float dtype, rows of unit length. Each eigenvector's sign
        is arbitrary, so compare embeddings by their rows' inner products (`e @ e.T`), not entry by entry.

    Raises:
        ValueError: naming `n_components`, when it is not an int in [1, n] or W has more connected components
            than it; naming `iterations`, when below 1; naming `w`, when W is not a square, symmetric, finite,
            nonnegative matrix or has a vertex with no edge.
        TypeError: naming `w`, when its entries are not real numbers.

    Warns:
        ConvergenceWarning: a sparse W's subspace iteration ran out of `iterations` before its tolerance.

    References:
        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
        Neural Information Processing Systems 14, 849–856.
        https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import spectral_embedding
        >>> w = np.zeros((6, 6))  # two triangles, 0-1-2 and 3-4-5, joined by the edge 2-3
        >>> for i, j in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]:
        ...     w[i, j] = w[j, i] = 1.0
        >>> e = spectral_embedding(w, 2).numpy()
        >>> e.shape, bool(np.allclose(np.linalg.norm(e, axis=1), 1.0))
        ((6, 2), True)
        >>> (e @ e.T)[0].round(2).tolist()  # vertex 0 lines up with its own triangle, not with the other
        [1.0, 1.0, 0.97, 0.1, -0.16, -0.16]
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
    """Ng–Jordan–Weiss spectral clustering: k-means on the row-normalised spectral embedding of a similarity W.

    The `n_clusters` leading eigenvectors of D^{-1/2} W D^{-1/2} (`spectral_embedding`), their rows scaled to unit
    length, are clustered by `keras_mf.cluster.kmeans` (k-means++ starts, the best of `n_init` by inertia).

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity, dense (numpy, tensor) or sparse (`tf.SparseTensor`,
            `scipy.sparse`), every vertex with an edge (e.g. `knn_graph(x)`).
        n_clusters: int in [1, n], at least W's number of connected components; 1 returns all zeros.
        n_init: int ≥ 1, k-means starts.
        iterations: int ≥ 1, the most subspace iterations of the embedding of a sparse W.
        seed: int, seeds the embedding's subspace iteration and the k-means starts.

    Returns:
        Labels `(n,)`, an int numpy array with values in [0, n_clusters) (their numbering is arbitrary).

    Raises:
        ValueError: naming `n_clusters`, when it is not an int in [1, n] or W has more connected components than
            it; naming `n_init` or `iterations`, when below 1; naming `w`, when W is not a similarity (see
            `spectral_embedding`) or has a vertex with no edge.
        TypeError: naming `w`, when its entries are not real numbers.

    Warns:
        ConvergenceWarning: the embedding's subspace iteration (sparse W) or k-means did not converge, or k-means
            found fewer distinct clusters than `n_clusters`.

    References:
        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
        Neural Information Processing Systems 14, 849–856.
        https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import spectral_clustering
        >>> w = np.zeros((6, 6))  # two triangles, 0-1-2 and 3-4-5, joined by the edge 2-3
        >>> for i, j in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]:
        ...     w[i, j] = w[j, i] = 1.0
        >>> labels = spectral_clustering(w, 2, n_init=2)
        >>> bool(labels[0] == labels[1] == labels[2] != labels[3] == labels[4] == labels[5])
        True
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
    """The Fiedler pair of a connected graph: the second-smallest eigenvalue λ₂ of L = D − W (its algebraic
    connectivity) and its eigenvector.

    Computed by a full `eigh` of the dense Laplacian, in float64 (O(n³): for small graphs).

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity of a connected graph of n ≥ 2 vertices, dense or
            sparse (densified).

    Returns:
        `(value, vector)`: λ₂ a float64 scalar tensor (> 0 for a connected graph) and its eigenvector `(n,)`, a
        float64 tensor of unit length whose first nonzero entry is positive (eigenvectors have no sign of their
        own; this one makes the result reproducible).

    Raises:
        ValueError: naming `w`, when the graph is disconnected (λ₂ = 0 and its eigenvector is then any mix of the
            components' indicator vectors, so no cut is defined), has fewer than 2 vertices, or W is not a
            square, symmetric, finite, nonnegative matrix.
        TypeError: naming `w`, when its entries are not real numbers.

    References:
        Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak Mathematical Journal 23(2), 298–305.
        https://doi.org/10.21136/CMJ.1973.101168

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import fiedler_vector
        >>> w = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)  # the path 0-1-2-3
        >>> value, vector = fiedler_vector(w)
        >>> round(float(value), 6), round(float(2 - np.sqrt(2)), 6)  # the path's λ₂ = 2 − 2cos(π/4)
        (0.585786, 0.585786)
        >>> vector.numpy().round(4).tolist()
        [0.6533, 0.2706, -0.2706, -0.6533]
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
    """Splits a connected graph in two by the sign of its Fiedler vector (see `fiedler_vector`).

    The sign cut of the second eigenvector of the unnormalised Laplacian L = D − W, the spectral relaxation of
    the ratio cut (von Luxburg 2007, §5). It is not Shi & Malik's normalised cut, which takes the generalised
    eigenproblem L v = λ D v (use `spectral_clustering` with 2 clusters for a normalised split).

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity of a connected graph of n ≥ 2 vertices, dense or
            sparse (densified).

    Returns:
        Labels `(n,)`, an int numpy array in {0, 1}: 0 where the Fiedler vector is ≥ 0 (the side of the first
        vertex whose entry is nonzero), 1 elsewhere.

    Raises:
        ValueError: naming `w`, when the graph is disconnected, has fewer than 2 vertices, or W is not a
            similarity (see `fiedler_vector`).
        TypeError: naming `w`, when its entries are not real numbers.

    References:
        Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak Mathematical Journal 23(2), 298–305.
        https://doi.org/10.21136/CMJ.1973.101168

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

        Shi, J. & Malik, J. (2000). Normalized cuts and image segmentation. IEEE Transactions on Pattern Analysis
        and Machine Intelligence 22(8), 888–905. https://doi.org/10.1109/34.868688 (the normalised cut, for
        contrast).

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import fiedler_bisection
        >>> w = np.zeros((6, 6))  # two triangles, 0-1-2 and 3-4-5, joined by the edge 2-3
        >>> for i, j in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]:
        ...     w[i, j] = w[j, i] = 1.0
        >>> fiedler_bisection(w).tolist()  # cuts the bridge 2-3
        [0, 0, 0, 1, 1, 1]
    """
    _, vector = fiedler_vector(w)
    return np.where(vector.numpy() >= 0, 0, 1)
