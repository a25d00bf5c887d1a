"""Partitions of codes: the clustering head of deep SymNMF clustering. Neighbour layouts of the codes' fuzzy graph,
k-means, Gaussian-mixture and spectral partitions of each layout, each refined by SymNMF started from it, and the
candidate with the largest modularity on the codes' graph kept.

SymNMF's objective is flat across partitions that merge or split the same pieces differently, so random restarts
pick among them almost at random; started from a partition, it keeps that partition and turns it into soft
memberships H. TensorFlow (graphs, SymNMF) and scikit-learn (the mixture), not Keras layers.

References:
    Kuang, D., Ding, C. & Park, H. (2012). Symmetric Nonnegative Matrix Factorization for Graph Clustering.
    SDM 2012. https://doi.org/10.1137/1.9781611972825.10
    McConville, R., Santos-Rodriguez, R., Piechocki, R. J. & Craddock, I. (2021). N2D: (Not Too) Deep
    Clustering via Clustering the Local Manifold of an Autoencoded Embedding. ICPR 2020.
    https://arxiv.org/abs/1908.05968
    Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23), 8577–8582.
    https://doi.org/10.1073/pnas.0601602103
"""

import math

import numpy as np

from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int
from keras_mf._validation import invalid_value
from keras_mf._validation_tf import check_points
from keras_mf.cluster.k_means import kmeans
from keras_mf.cluster.selection import best_by_modularity
from keras_mf.exceptions import ClusteringError
from keras_mf.factorization.symnmf import SymNMF
from keras_mf.graph.fuzzy import fuzzy_knn_graph
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.laplacian import normalize_adjacency
from keras_mf.graph.layout import neighbor_layout
from keras_mf.graph.similarity import knn_graph
from keras_mf.graph.spectral import spectral_clustering
from keras_mf.training.progress import phase as progress_phase

# Added to the one-hot start so that every point may move to another cluster: a zero entry of H stays zero under
# a multiplicative or projected step whose gradient is positive there.
PARTITION_SMOOTHING = 0.05
# k-means++ starts of the k-means partition (scikit-learn's KMeans default n_init for k-means++ is 1; 10 is the
# classic default and costs little on a 10-d layout).
KMEANS_INITS = 10
# Neighbours of the codes' fuzzy graph and of each layout's self-tuning graph: UMAP's (and N2D's) 20, and the
# 30 of the layouts' graphs, on which spectral clustering measured best (anchors); fewer when there are fewer points.
LAYOUT_NEIGHBORS = 20
GRAPH_NEIGHBORS = 30
# The layout's SGD passes over each edge about this many times (umap-learn runs 200 epochs for large data, 500 for
# small; 90 measured as good as 10,000 steps at 10,000 points for a third of the time, see the CHANGELOG), in
# batches of at most `LAYOUT_BATCH` edges.
EDGE_EPOCHS = 90
LAYOUT_BATCH = 8192
# Layouts from different seeds: different local optima of the layout, whose partitions modularity chooses among.
LAYOUTS = 3


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


def layout_schedule(n_edges):
    """`(steps, batch_size)` of a neighbour layout of a graph with `n_edges` stored entries (both directions of
    each edge): batches of min(8192, n_edges) edges, and steps = ⌈90 · n_edges / batch⌉, so that each edge is
    sampled about 90 times whatever the size of the graph (about 3,000 steps at 10,000 points and 20 neighbours)."""
    n_edges = check_int("n_edges", n_edges, 1)
    batch = min(LAYOUT_BATCH, n_edges)
    return math.ceil(EDGE_EPOCHS * n_edges / batch), batch


def partition_heads(space, n_clusters, graph_neighbors=GRAPH_NEIGHBORS, seed=0):
    """Three partitions of the points `space (n, d)`: k-means (10 inits), a Gaussian mixture with full covariances
    (scikit-learn, N2D's head) and spectral clustering (NJW) of the self-tuning k-NN graph with `graph_neighbors`
    neighbours (at most n − 1). Returns `({head: labels (n,)}, the graph's normalised adjacency)`, heads "kmeans",
    "gmm", "spectral" in that order; spectral clustering is left out when the graph has more connected components than
    `n_clusters` (k eigenvectors cannot tell them apart, see `keras_mf.graph.spectral_clustering`).

    Raises:
        ValueError: naming `space` (not (n, d), NaN/inf) or `n_clusters` (not in [1, n])."""
    from sklearn.mixture import GaussianMixture

    space = np.asarray(check_points("space", space), np.float32)
    n_clusters = check_int("n_clusters", n_clusters, 1, len(space))
    w = knn_graph(space, n_neighbors=min(graph_neighbors, len(space) - 1))
    mixture = GaussianMixture(n_clusters, covariance_type="full", random_state=seed).fit(space.astype(np.float64))
    heads = {
        "kmeans": np.asarray(kmeans(space, n_clusters, n_init=KMEANS_INITS, seed=seed)[0]),
        "gmm": mixture.predict(space.astype(np.float64)),
    }
    if connected_components(w)[0] <= n_clusters:
        heads["spectral"] = np.asarray(spectral_clustering(w, n_clusters, seed=seed))
    return heads, normalize_adjacency(w)


def cluster_codes(
    codes,
    n_clusters,
    *,
    layouts=LAYOUTS,
    layout_neighbors=None,
    layout_steps=None,
    graph_neighbors=None,
    refine=True,
    seed=0,
    verbose=False,
    phase=None,
):
    """Clusters codes `(n, d)`: N2D's layouts with several heads, refined by SymNMF, chosen by modularity.

    1. G = `fuzzy_knn_graph(codes, layout_neighbors)`, the codes' graph every candidate is judged on.
    2. `layouts` neighbour layouts of G in min(n_clusters, n − 2) dimensions (`neighbor_layout`, seeds
       100·seed + l), each with `layout_steps` steps (see `layout_schedule`).
    3. On each layout, the `partition_heads` (k-means, Gaussian mixture, spectral) and, with `refine`, each of them
       refined by SymNMF on the layout's graph started from it (`symnmf_from_partition`): 6 candidates a layout
       (4 where spectral clustering is left out, see `partition_heads`).
    4. The candidate with the largest modularity on G (`keras_mf.cluster.modularity`), computed without labels.

    Size-dependent defaults (None): `layout_neighbors` = min(20, n − 1), `graph_neighbors` = min(30, n − 1),
    `layout_steps` from the size of G (`layout_schedule`).

    Args:
        codes: points `(n, d)`, n ≥ 3.
        n_clusters: k, in [2, number of distinct codes].
        layouts: number of layouts, ≥ 1.
        refine: also refine each head's partition by SymNMF.
        seed: seed of the layouts, the heads and SymNMF.
        verbose: print each long step's name and elapsed time (`keras_mf.training.progress.phase`).
        phase: optional `phase(name)` returning a context manager around each long step ("layouts", "partitions
            of the layouts", "SymNMF refinement"), e.g. one that also records its time; replaces `verbose`'s.

    Returns:
        dict with `labels (n,)` and `memberships (n, n_clusters)` of the chosen candidate (SymNMF's H, or the
        one-hot labels of an unrefined head), `chosen` (its index), `names`, `candidates` (labels `(c, n)`),
        `modularity` `(c,)`, `graph` (G, a `tf.SparseTensor`) and `layouts` (list of `(n, dim)` arrays).

    Raises:
        ValueError: naming `codes` (not (n, d), fewer than 3 points, NaN/inf) or `n_clusters` (more than the
            distinct codes).
    """
    codes, n_clusters = check_codes(codes, n_clusters)
    n = len(codes)
    layouts = check_int("layouts", layouts, 1)
    layout_neighbors = min(check_optional_int("layout_neighbors", layout_neighbors, 2) or LAYOUT_NEIGHBORS, n - 1)
    graph_neighbors = min(check_optional_int("graph_neighbors", graph_neighbors, 1) or GRAPH_NEIGHBORS, n - 1)
    check_optional_int("layout_steps", layout_steps, 1)
    phase = phase or (lambda name: progress_phase(name, verbose))
    with phase(f"{layouts} neighbour layouts of the codes"):
        graph = fuzzy_knn_graph(codes, max(layout_neighbors, 2))
        steps, batch = layout_schedule(int(graph.indices.shape[0]))
        dim = min(n_clusters, n - 2)
        spaces = [
            neighbor_layout(graph, dim, layout_steps or steps, batch_size=batch, seed=100 * seed + number)
            for number in range(layouts)
        ]
    names, candidates, adjacency, numbers = [], [], [], []
    with phase("k-means, Gaussian-mixture and spectral partitions of each layout"):
        for number, space in enumerate(spaces):
            heads, a = partition_heads(space, n_clusters, graph_neighbors, seed=100 * seed + number)
            adjacency.append(a)
            names += [f"layout {number} {head}" for head in heads]
            candidates += list(heads.values())
            numbers += [number] * len(heads)
    memberships = [np.eye(n_clusters)[labels] for labels in candidates]
    if refine:
        with phase("SymNMF refinement of each partition"):
            for i, number in enumerate(numbers):
                model = symnmf_from_partition(adjacency[number], candidates[i], n_clusters, seed=100 * seed + number)
                names.append(f"{names[i]} + SymNMF")
                candidates.append(model.labels_)
                memberships.append(model.components_)
    chosen, scores = best_by_modularity(graph, candidates)
    return {
        "labels": np.asarray(candidates[chosen]),
        "memberships": np.asarray(memberships[chosen], np.float32),
        "chosen": chosen,
        "names": names,
        "candidates": np.stack(candidates),
        "modularity": scores,
        "graph": graph,
        "layouts": spaces,
    }


def check_codes(codes, n_clusters):
    """`(codes as float32 (n, d), n_clusters)` after the checks `cluster_codes` states."""
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2 or len(codes) < 3:
        raise invalid_value("codes", "an array of at least 3 points, shape (n, d)", f"array of shape {codes.shape}")
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("The codes hold NaN/inf: the network diverged.")
    distinct = len(np.unique(codes, axis=0))
    n_clusters = check_int("n_clusters", n_clusters, 2, distinct)
    return codes, n_clusters
