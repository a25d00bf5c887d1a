"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

    python scripts/snmf_mnist.py                  # the 10,000 bundled test images, 10 clusters
"""

import numpy as np

from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import normalized_mutual_info
from keras_mf import training
from keras_mf.datasets import load_mnist
from keras_mf.graph.pipeline import cluster


def parse_args(argv=None):
    parser = training.make_parser("snmf_mnist", __doc__.splitlines()[0])
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=int, default=10, help="number of clusters k")
    parser.add_argument("--neighbors", type=int, default=10, help="k-NN graph neighbours")
    parser.add_argument("--restarts", type=int, default=5, help="SymNMF random restarts (lowest objective kept)")
    parser.add_argument("--max-iter", type=int, default=3000, help="SymNMF iteration cap")
    parser.add_argument("--tol", type=float, default=1e-3, help="SymNMF relative projected-gradient tolerance")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    training.set_seed(args.seed)
    logdir = training.resolve_logdir(args)
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    result = cluster(
        x, args.clusters, n_neighbors=args.neighbors, n_init=args.restarts, max_iter=args.max_iter, tol=args.tol,
        random_state=args.seed, logdir=logdir, verbose=True,
    )
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
