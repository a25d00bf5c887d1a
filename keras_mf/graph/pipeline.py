"""Graph clustering end to end: a k-NN graph of the points, its normalised adjacency, SymNMF on it (and
spectral clustering on the same graph), each step timed. TensorFlow, not Keras layers."""

import time

from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation_tf import check_points
from keras_mf.factorization.symnmf import SymNMF
from keras_mf.graph.laplacian import _normalize
from keras_mf.graph.laplacian import components_message
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.similarity import knn_graph
from keras_mf.graph.spectral import spectral_clustering
from keras_mf.training.progress import phase


def cluster(
    x,
    n_clusters=10,
    *,
    n_neighbors=10,
    n_init=5,
    max_iter=3000,
    tol=1e-3,
    solver="auto",
    random_state=0,
    spectral=True,
    logdir=None,
    verbose=False,
):
    """Clusters the points `x (n, d)` with SymNMF on the normalised self-tuning k-NN graph D^(-1/2) W D^(-1/2).

    Args:
        x: points `(n, d)` (or `(n,)` for scalars), finite, dense; float dtype kept, integers become float32.
        n_clusters: int k in [1, n], SymNMF's `n_components` and spectral clustering's `n_clusters`.
        n_neighbors: int in [1, n − 1], neighbours per point of the k-NN graph (`knn_graph`).
        n_init, max_iter, tol, solver, logdir, verbose: SymNMF's (the lowest objective of `n_init` restarts wins).
        random_state: int seeding SymNMF's starts and spectral clustering's k-means.
        spectral: also run spectral clustering (Ng–Jordan–Weiss) on the same graph W.

    Returns:
        A dict: "graph" the normalised adjacency (`tf.SparseTensor` `(n, n)` in x's float dtype), "symnmf" the
        fitted `SymNMF`, "symnmf_labels" and "spectral_labels" (None when `spectral` is False) int numpy arrays
        `(n,)` in [0, n_clusters), and "graph_seconds", "symnmf_seconds", "spectral_seconds" the wall-clock time
        of each step, in seconds (None when `spectral` is False).

    Raises:
        ValueError, TypeError: naming this function's own arguments (`x`, `n_clusters`, `n_neighbors`, ...),
            never the intermediate graph: e.g. `n_neighbors` when, with `spectral`, the k-NN graph falls into
            more connected components than `n_clusters`.

    References:
        Kuang, D., Ding, C. & Park, H. (2012). Symmetric nonnegative matrix factorization for graph clustering.
        Proc. 2012 SIAM International Conference on Data Mining (SDM), 106–117.
        https://doi.org/10.1137/1.9781611972825.10

        Zelnik-Manor, L. & Perona, P. (2004). Self-Tuning Spectral Clustering. NeurIPS 17.
        https://papers.nips.cc/paper/2619-self-tuning-spectral-clustering

        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
        Neural Information Processing Systems 14, 849–856.
        https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph.pipeline import cluster
        >>> rng = np.random.default_rng(0)
        >>> x = np.concatenate([rng.normal(0, 0.1, (10, 2)), rng.normal(5, 0.1, (10, 2))])  # two far clumps
        >>> result = cluster(x, 2, n_neighbors=3, n_init=1)
        >>> def found(labels):  # each clump one cluster, the two different (whatever their numbers)
        ...     return bool(len(set(labels[:10])) == len(set(labels[10:])) == 1 and labels[0] != labels[10])
        >>> found(result["symnmf_labels"]), found(result["spectral_labels"]), result["graph"].dense_shape.numpy()
        (True, True, array([20, 20]))
    """
    x = check_points("x", x, vectors=True)
    n_clusters = check_int("n_clusters", n_clusters, 1, int(x.shape[0]))
    spectral = check_bool("spectral", spectral)
    verbose = check_bool("verbose", verbose)
    start = time.perf_counter()
    with phase(f"{n_neighbors}-NN graph of {len(x)} points", verbose):
        w = knn_graph(x, n_neighbors=n_neighbors)
        # Every point has an edge to its nearest neighbour with a positive weight, so no vertex is isolated.
        a = _normalize(w)
    graph_seconds = time.perf_counter() - start
    if spectral:
        _check_connected_enough(w, n_clusters, n_neighbors)
    start = time.perf_counter()
    model = SymNMF(
        n_clusters,
        solver=solver,
        n_init=n_init,
        max_iter=max_iter,
        tol=tol,
        random_state=random_state,
        verbose=verbose,
        logdir=logdir,
    )
    symnmf_labels = model.fit_predict(a)
    symnmf_seconds = time.perf_counter() - start
    spectral_labels = spectral_seconds = None
    if spectral:
        start = time.perf_counter()
        with phase("spectral clustering of the same graph", verbose):
            spectral_labels = spectral_clustering(w, n_clusters, seed=random_state)
        spectral_seconds = time.perf_counter() - start
    return {
        "graph": a,
        "graph_seconds": graph_seconds,
        "symnmf": model,
        "symnmf_labels": symnmf_labels,
        "symnmf_seconds": symnmf_seconds,
        "spectral_labels": spectral_labels,
        "spectral_seconds": spectral_seconds,
    }


def _check_connected_enough(w, n_clusters, n_neighbors):
    """Spectral clustering cannot split a graph of more components than clusters: say so naming `n_neighbors`."""
    count, labels = connected_components(w)
    if count > n_clusters:
        raise ValueError(
            f"Received an invalid value for `n_neighbors`, expected enough neighbours to join the k-NN graph of `x` "
            f"into at most n_clusters={n_clusters} pieces: it has {components_message(count, labels)}. Raise "
            f"`n_neighbors` or `n_clusters`. Received: n_neighbors={n_neighbors}"
        )
