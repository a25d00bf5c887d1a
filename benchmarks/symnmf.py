"""SymNMF and spectral clustering on the 10,000 bundled MNIST images, against scikit-learn's SpectralClustering.

    python benchmarks/symnmf.py
"""

import _common  # noqa: F401

import time

from sklearn.cluster import SpectralClustering

import snmf_mnist
from keras_mf import SymNMF
from keras_mf import cluster
from keras_mf import graph
from keras_mf import training
from keras_mf.datasets import load_mnist

LANDSCAPE_SEEDS = range(12)


def main():
    x, y = load_mnist("test", source="bundled", as_numpy=True, verbose=False)
    # The first run traces the TF functions for every batch of restarts (5, then fewer as they converge).
    first = snmf_mnist.cluster(x, restarts=5, verbose=False)
    result = snmf_mnist.cluster(x, restarts=5, verbose=False)
    ours_seconds = result["graph_seconds"] + result["symnmf_seconds"]
    start = time.perf_counter()
    sk_labels = SpectralClustering(10, affinity="nearest_neighbors", n_neighbors=10, random_state=0).fit_predict(x)
    sk_seconds = time.perf_counter() - start
    rows = [
        ["SymNMF (5 restarts)", cluster.clustering_accuracy(y, result["symnmf_labels"]),
         cluster.normalized_mutual_info(y, result["symnmf_labels"]), ours_seconds],
        ["ours spectral (NJW)", cluster.clustering_accuracy(y, result["spectral_labels"]),
         cluster.normalized_mutual_info(y, result["spectral_labels"]), result["graph_seconds"] + result["spectral_seconds"]],
        ["sklearn SpectralClustering", cluster.clustering_accuracy(y, sk_labels), cluster.normalized_mutual_info(y, sk_labels), sk_seconds],
    ]
    print(training.format_table(["method", "accuracy", "NMI", "seconds end to end"], rows))
    print(f"SymNMF objectives per restart: {result['symnmf'].objectives_.round(4).tolist()}, "
          f"iterations of the best: {result['symnmf'].n_iter_}; graph {result['graph_seconds']:.2f} s, "
          f"SymNMF {result['symnmf_seconds']:.2f} s; first run, tracing included: "
          f"{first['graph_seconds'] + first['symnmf_seconds']:.2f} s")
    print()
    print(landscape(result["graph"], y, LANDSCAPE_SEEDS))
    print(f"RESULT acc={rows[0][1]:.4f} nmi={rows[0][2]:.4f} spectral_acc={rows[1][1]:.4f} sklearn_acc={rows[2][1]:.4f} "
          f"sklearn_nmi={rows[2][2]:.4f} time_ratio={ours_seconds / sk_seconds:.3f}")


def landscape(a, y, seeds):
    """Single restarts on the benchmark's graph `a`, sorted by objective: does a lower objective mean better clusters?"""
    rows = []
    for seed in seeds:
        model = SymNMF(10, seed=seed).fit(a)
        rows.append([seed, f"{model.objective_:.4f}", model.n_iter_, cluster.clustering_accuracy(y, model.labels_),
                     cluster.normalized_mutual_info(y, model.labels_)])
    rows.sort(key=lambda row: float(row[1]))
    return training.format_table(["seed", "objective", "iterations", "accuracy", "NMI"], rows)


if __name__ == "__main__":
    main()
