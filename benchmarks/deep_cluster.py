"""Deep SymNMF on the 10,000 bundled MNIST test images: the pipeline over 3 seeds, and an ablation table.

Each seed runs `run_deep_symnmf` with the defaults `keras-mf-deep-cluster` uses (pretraining, neighbour layout,
SymNMF, two fine-tuning rounds); its wall time is the `minutes` figure. The ablation clusters each feature space —
pixels, 10-d PCA, the pretrained codes, their neighbour layout, the fine-tuned codes — with k-means (10 inits),
spectral clustering (NJW) and SymNMF (5 random restarts, lowest objective kept) on the same self-tuning 30-NN graph
the pipeline uses, and with SymNMF started from the k-means or the spectral partition; rows with codes are means
over the seeds. Labels only score.

    python benchmarks/deep_cluster.py        # about 15 minutes on 2 cores (3 runs of ~3 min plus the ablation)
"""

import _common  # noqa: F401
import numpy as np

from keras_mf import SymNMF
from keras_mf import TruncatedSVD
from keras_mf import graph
from keras_mf import training
from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import kmeans
from keras_mf.cluster import normalized_mutual_info
from keras_mf.cluster.partition import symnmf_from_partition
from keras_mf.datasets import load_mnist

SEEDS = (0, 1, 2)
CLUSTERS = 10
NEIGHBORS = 30
HEADS = ("k-means", "spectral", "SymNMF random", "SymNMF from k-means", "SymNMF from spectral")


def heads(features, y, seed):
    """ACC and NMI of each head on `features`, in the order of `HEADS`."""
    features = np.asarray(features, np.float32)
    w = graph.knn_graph(features, n_neighbors=NEIGHBORS)
    a = graph.normalize_adjacency(w)
    km, _, _ = kmeans(features, CLUSTERS, n_init=10, seed=seed)
    spectral = graph.spectral_clustering(w, CLUSTERS, seed=seed)
    labels = [
        km,
        spectral,
        SymNMF(CLUSTERS, n_init=5, max_iter=1000, random_state=seed).fit(a).labels_,
        symnmf_from_partition(a, km, CLUSTERS, seed=seed).labels_,
        symnmf_from_partition(a, spectral, CLUSTERS, seed=seed).labels_,
    ]
    return [(clustering_accuracy(y, lab), normalized_mutual_info(y, lab)) for lab in labels]


def main():
    x, y = load_mnist("test", source="bundled", as_numpy=True, verbose=False)
    runs, ablation = [], {"AE codes": [], "layout of AE codes": [], "fine-tuned codes": []}
    for seed in SEEDS:
        training.set_seed(seed)
        run = run_deep_symnmf(x, CLUSTERS, seed=seed)
        acc, nmi = clustering_accuracy(y, run["labels"]), normalized_mutual_info(y, run["labels"])
        runs.append((seed, acc, nmi, run["seconds"] / 60))
        stages = ", ".join(
            f"{name} {clustering_accuracy(y, labels):.4f} at {seconds / 60:.2f} min"
            for name, labels, _, seconds in run["stages"]
        )
        starts = ", ".join(
            f"from {name}: ACC {clustering_accuracy(y, labels):.4f}, size entropy {entropy:.4f}"
            for name, labels, entropy, _ in run["candidates"]
        )
        print(
            f"seed {seed}: ACC {acc:.4f}  NMI {nmi:.4f}  {run['seconds'] / 60:.2f} min  ({stages}; {starts})",
            flush=True,
        )
        ablation["AE codes"].append(heads(run["codes"], y, seed))
        ablation["layout of AE codes"].append(heads(run["layout"], y, seed))
        ablation["fine-tuned codes"].append(heads(run["finetuned_codes"], y, seed))
    pca = TruncatedSVD(rank=CLUSTERS)
    pca.adapt(x)
    fixed = {"pixels": heads(x, y, 0), "PCA codes (10)": heads(np.asarray(pca(x)), y, 0)}
    rows = []
    for name, scores in list(fixed.items()) + [(k, np.mean(v, axis=0)) for k, v in ablation.items()]:
        rows.append([name] + [f"{acc:.3f} / {nmi:.3f}" for acc, nmi in scores])
    print()
    print(training.format_table(["seed", "ACC", "NMI", "minutes"], [list(r) for r in runs]))
    print()
    print("ACC / NMI (code rows: mean over seeds)")
    print(training.format_table(["features"] + list(HEADS), rows))
    accs = [r[1] for r in runs]
    print(
        f"RESULT acc={np.mean(accs):.4f} nmi={np.mean([r[2] for r in runs]):.4f} acc_min={min(accs):.4f} "
        f"pixel_acc={fixed['pixels'][2][0]:.4f} kmeans_codes_acc={np.mean(ablation['AE codes'], axis=0)[0][0]:.4f} "
        f"minutes={np.mean([r[3] for r in runs]):.2f}"
    )


if __name__ == "__main__":
    main()
