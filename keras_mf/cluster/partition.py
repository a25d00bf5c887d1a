"""Partitions of points by SymNMF started from a partition: the clustering head of deep SymNMF clustering.

SymNMF's objective is flat across partitions that merge or split the same pieces differently, so random restarts
pick among them almost at random; started from a partition (spectral clustering's or k-means'), it keeps that
partition and turns it into soft memberships H. TensorFlow (graphs, SymNMF), not Keras layers.

References:
    Kuang, D., Ding, C. & Park, H. (2012). Symmetric Nonnegative Matrix Factorization for Graph Clustering.
    SDM 2012. https://doi.org/10.1137/1.9781611972825.10
"""

import numpy as np

from keras_mf._validation import check_choice
from keras_mf._validation import check_int
from keras_mf._validation import invalid_value
from keras_mf.cluster.k_means import kmeans
from keras_mf.cluster.metrics import check_balance
from keras_mf.cluster.metrics import size_entropy
from keras_mf.exceptions import ClusteringError
from keras_mf.factorization.symnmf import SymNMF
from keras_mf.graph.fuzzy import fuzzy_knn_graph
from keras_mf.graph.laplacian import normalize_adjacency
from keras_mf.graph.layout import neighbor_layout
from keras_mf.graph.similarity import knn_graph
from keras_mf.graph.spectral import spectral_clustering

# Added to the one-hot start so that every point may move to another cluster: a zero entry of H stays zero under
# a multiplicative or projected step whose gradient is positive there.
PARTITION_SMOOTHING = 0.05
# k-means++ starts of the k-means partition (scikit-learn's KMeans default n_init for k-means++ is 1; 10 is the
# classic default and costs little on a 10-d layout).
KMEANS_INITS = 10


def partition_start(labels, n_components, smoothing=PARTITION_SMOOTHING):
    """SymNMF's start from a partition: H⁰ = one-hot(labels) + `smoothing`, shape `(n, n_components)`, float64.

    `SymNMF.fit(a, init=H⁰)` rescales it by the scalar that best fits A.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0:
        raise invalid_value("labels", "a 1-D array of nonnegative integer labels", f"array of shape {labels.shape}")
    if labels.size and labels.max() >= n_components:
        raise invalid_value("labels", f"labels in [0, {n_components - 1}]", f"largest label {int(labels.max())}")
    return np.eye(n_components, dtype=np.float64)[labels] + smoothing


def symnmf_from_partition(a, labels, n_clusters, max_iter=2000, tol=1e-5, seed=0):
    """SymNMF of the graph `a (n, n)` started from a partition (`partition_start`), which `SymNMF.fit` rescales by
    α² = ⟨A, H⁰H⁰ᵀ⟩ / ‖H⁰H⁰ᵀ‖² so that α²H⁰H⁰ᵀ fits A best (an unscaled start inflates the first projected
    gradient, against which `tol` is measured).

    Returns:
        The fitted `SymNMF`.
    """
    model = SymNMF(n_clusters, n_init=1, max_iter=max_iter, tol=tol, random_state=seed)
    return model.fit(a, init=partition_start(labels, n_clusters))


def cluster_codes(
    codes,
    n_clusters,
    *,
    layout=True,
    layout_neighbors=20,
    layout_steps=10000,
    graph_neighbors=30,
    init="balanced",
    init_labels=None,
    max_iter=2000,
    tol=1e-5,
    seed=0,
):
    """Clusters codes `(n, d)` with SymNMF: (optional) neighbour layout, its self-tuning k-NN graph, SymNMF started
    from `init_labels` or, when None, from a partition of that graph chosen by `init`:

    - "spectral": spectral clustering (NJW) of the graph;
    - "kmeans": k-means (10 inits) on the points;
    - "balanced" (default): SymNMF from each of the two, keeping the result whose cluster sizes have the larger
      entropy.

    Each single start can fail by merging two classes into one cluster of twice the size (k-means' inertia may
    prefer splitting an elongated class and merging two touching ones), which the size entropy sees without labels
    and SymNMF's own objective does not (it is flat across such partitions, see the module's docstring). The rule
    assumes roughly balanced clusters.

    Returns:
        dict with `labels (n,)`, `memberships` H `(n, n_clusters)`, `objective`, `init_labels`, `space` (the points
        the graph was built on), `symnmf` (the fitted model) and `candidates` (`(init, labels, size entropy,
        objective)` for each start tried).
    """
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2:
        raise invalid_value("codes", "an array of shape (n, d)", f"array of shape {codes.shape}")
    n = codes.shape[0]
    n_clusters = check_int("n_clusters", n_clusters, 1, n)
    check_choice("init", init, ("balanced", "spectral", "kmeans"))
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("The codes hold NaN/inf: the network diverged.")
    space = codes
    if layout:
        neighbors = min(layout_neighbors, n - 1)
        space = neighbor_layout(fuzzy_knn_graph(codes, neighbors), min(n_clusters, n - 2), layout_steps, seed=seed)
    w = knn_graph(space, n_neighbors=min(graph_neighbors, n - 1))
    a = normalize_adjacency(w)
    if init_labels is not None:
        starts = {"given": np.asarray(init_labels)}
    else:
        starts = {}
        if init in ("balanced", "spectral"):
            starts["spectral"] = spectral_clustering(w, n_clusters, seed=seed)
        if init in ("balanced", "kmeans"):
            starts["kmeans"] = kmeans(space, n_clusters, n_init=KMEANS_INITS, seed=seed)[0]
    candidates, best = [], None
    for name, start in starts.items():
        model = symnmf_from_partition(a, start, n_clusters, max_iter=max_iter, tol=tol, seed=seed)
        entropy = size_entropy(model.labels_, n_clusters)
        candidates.append((name, model.labels_, entropy, model.objective_))
        if best is None or (entropy, -model.objective_) > (best[0], -best[1].objective_):
            best = (entropy, model, start)
    _, model, start = best
    check_balance(model.labels_, n_clusters)
    return {
        "labels": model.labels_,
        "memberships": model.components_,
        "objective": model.objective_,
        "init_labels": np.asarray(start),
        "space": space,
        "symnmf": model,
        "candidates": candidates,
    }
