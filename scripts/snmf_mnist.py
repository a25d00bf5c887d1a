"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

    python scripts/snmf_mnist.py                  # the 10,000 bundled test images, 10 clusters
"""

import time

import numpy as np

from keras_mf import SymNMF
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import normalized_mutual_info
from keras_mf import graph
from keras_mf import training
from keras_mf.datasets import load_mnist


def parse_args(argv=None):
    parser = training.make_parser("snmf_mnist", __doc__.splitlines()[0])
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=int, default=10, help="number of clusters k")
    parser.add_argument("--neighbors", type=int, default=10, help="k-NN graph neighbours")
    parser.add_argument("--restarts", type=int, default=5, help="SymNMF random restarts (lowest objective kept)")
    parser.add_argument("--max-iter", type=int, default=3000, help="SymNMF iteration cap")
    parser.add_argument("--tol", type=float, default=1e-3, help="SymNMF relative projected-gradient tolerance")
    return parser.parse_args(argv)


def cluster(x, clusters=10, neighbors=10, restarts=5, max_iter=3000, tol=1e-3, seed=0, logdir=None, verbose=True):
    """Builds the graph once and runs both methods; returns a dict of the normalised graph, labels, objective and timings."""
    start = time.perf_counter()
    w = graph.knn_graph(x, n_neighbors=neighbors)
    a = graph.normalize_adjacency(w)
    graph_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model = SymNMF(clusters, n_init=restarts, max_iter=max_iter, tol=tol, seed=seed, verbose=verbose, logdir=logdir)
    symnmf_labels = model.fit_predict(a)
    symnmf_seconds = time.perf_counter() - start
    start = time.perf_counter()
    spectral_labels = graph.spectral_clustering(w, clusters, seed=seed)
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


def main(argv=None):
    args = parse_args(argv)
    training.set_seed(args.seed)
    logdir = training.resolve_logdir(args)
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    result = cluster(x, args.clusters, args.neighbors, args.restarts, args.max_iter, args.tol, args.seed, logdir)
    rows = []
    for name, labels, seconds, objective in (
        ("SymNMF", result["symnmf_labels"], result["symnmf_seconds"], result["symnmf"].objective_),
        ("spectral (NJW)", result["spectral_labels"], result["spectral_seconds"], float("nan")),
    ):
        rows.append(
            [
                name,
                clustering_accuracy(y, labels),
                normalized_mutual_info(y, labels),
                objective,
                round(result["graph_seconds"] + seconds, 2),
            ]
        )
    print()
    print(training.format_table(["method", "accuracy", "NMI", "objective", "wall s (incl. graph)"], rows))
    print(f"\ngraph: {result['graph_seconds']:.2f} s; SymNMF restarts' objectives: {np.round(result['symnmf'].objectives_, 4)}")
    print(f"logs: {logdir}")
    return rows


if __name__ == "__main__":
    main()
