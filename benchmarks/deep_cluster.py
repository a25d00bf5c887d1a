"""Deep SymNMF clustering on the 10,000 MNIST test images (5 seeds) and the 10,000 Fashion-MNIST test images
(3 seeds), with an ablation table for each and the N2D-style reference from the same runs.

Each run is `run_deep_symnmf` with its defaults (what `keras-mf-deep-cluster` runs); its wall time is the `minutes`
figure (CPU minutes beside it: the machine may be shared). The ablation reads each run's own intermediate results,
recomputing nothing but k-means on the codes:

- k-means (10 inits) on the autoencoder's codes;
- N2D's heads: layout 0 (the UMAP-style layout of the codes) clustered by the Gaussian mixture (N2D's choice) and by
  k-means, and spectral clustering of its graph;
- the partition of largest modularity among: layout 0's three heads; those and their SymNMF refinements; the three
  layouts' nine heads; all 18 candidates (the pipeline's choice);
- the self-trained CNN (the pipeline's result);
- for reference only, the best of the 18 candidates by accuracy (what a perfect label-free choice would reach) and
  the rank correlation of modularity with accuracy over the 18 (how well the criterion tracks the labels);
- once per dataset (the first seed), the same pipeline without augmentation and without self-training.

Rows are means over seeds. Labels only score. Each run's folder (`--cache`, default runs/benchmark_deep_cluster) holds
its checkpoints and timing, so an interrupted benchmark resumes where it stopped and reports the original times.

    python benchmarks/deep_cluster.py                  # about 1–1.5 hours on 2 cores (10 runs of ~4–8 minutes)
    python benchmarks/deep_cluster.py --n 2000 --mnist-seeds 0 --fashion-seeds 0    # a quick check of the script
"""

import argparse
import json
import os
import time

import _common  # noqa: F401
import numpy as np
from scipy.stats import spearmanr

from keras_mf import training
from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
from keras_mf.cluster import best_by_modularity
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import kmeans
from keras_mf.cluster import normalized_mutual_info
from keras_mf.datasets import load_fashion_mnist
from keras_mf.datasets import load_mnist

CLUSTERS = 10
HEADS = ("kmeans", "gmm", "spectral")
ROWS = (
    "k-means on the codes",
    "N2D: layout 0, GMM",
    "N2D: layout 0, k-means",
    "layout 0, spectral",
    "modularity: layout 0, 3 heads",
    "modularity: layout 0, 3 heads + SymNMF",
    "modularity: 3 layouts, 9 heads",
    "modularity: 3 layouts, 18 (chosen)",
    "self-trained CNN (final)",
    "best of 18 by ACC (labels: reference)",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--fashion-seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--n", type=int, default=None, help="cluster only the first n images (a quick check)")
    parser.add_argument("--cache", default=os.path.join("runs", "benchmark_deep_cluster"))
    parser.add_argument("--no-plain", action="store_true", help="skip the runs without augmentation/self-training")
    return parser.parse_args(argv)


def load(dataset, n):
    loader = load_mnist if dataset == "mnist" else load_fashion_mnist
    kwargs = {"source": "bundled"} if dataset == "mnist" else {}
    x, y = loader("test", as_numpy=True, verbose=False, **kwargs)
    x, y = np.asarray(x, np.float32).reshape(-1, 28, 28), np.asarray(y)
    return (x[:n], y[:n]) if n else (x, y)


def timed_run(x, y, seed, folder, **kwargs):
    """`run_deep_symnmf` checkpointed in `folder`, and its times: measured now, or those of the run that filled
    `folder` (a run read back from its checkpoints takes no time)."""
    times = os.path.join(folder, "times.json")
    training.set_seed(seed)
    wall, cpu = time.perf_counter(), time.process_time()
    run = run_deep_symnmf(x, CLUSTERS, seed=seed, logdir=folder, y_monitor=y, **kwargs)
    if os.path.exists(times):
        with open(times) as file:
            run["times"] = json.load(file)
    else:
        run["times"] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "phases": run["phases"]}
        training.atomic_write_text(times, json.dumps(run["times"]))
    return run


def ablation(run, y, seed):
    """`{row: (ACC, NMI)}` for `ROWS` from one run, and the rank correlation of modularity with ACC."""
    clustering = run["clustering"]
    names, candidates, scores = clustering["names"], clustering["candidates"], clustering["modularity"]
    index = {name: i for i, name in enumerate(names)}

    def best_of(chosen_names):
        rows = [index[name] for name in chosen_names]
        return candidates[rows[int(np.argmax(scores[rows]))]]

    layout0 = [f"layout 0 {head}" for head in HEADS if f"layout 0 {head}" in index]
    raw = [name for name in names if not name.endswith("SymNMF")]
    accuracies = np.array([clustering_accuracy(y, labels) for labels in candidates])
    labels = {
        ROWS[0]: kmeans(run["codes"], CLUSTERS, n_init=10, seed=seed)[0],
        ROWS[1]: candidates[index["layout 0 gmm"]],
        ROWS[2]: candidates[index["layout 0 kmeans"]],
        ROWS[3]: candidates[index["layout 0 spectral"]] if "layout 0 spectral" in index else None,
        ROWS[4]: best_of(layout0),
        ROWS[5]: best_of(layout0 + [f"{name} + SymNMF" for name in layout0]),
        ROWS[6]: best_of(raw),
        ROWS[7]: candidates[best_by_modularity(clustering["graph"], candidates)[0]],
        ROWS[8]: run["labels"],
        ROWS[9]: candidates[int(np.argmax(accuracies))],
    }
    # Spectral clustering is left out of a layout whose graph has more components than k (`partition_heads`).
    scored = {
        row: (clustering_accuracy(y, lab), normalized_mutual_info(y, lab)) if lab is not None else (np.nan, np.nan)
        for row, lab in labels.items()
    }
    return scored, spearmanr(scores, accuracies).statistic


def benchmark(dataset, seeds, args):
    """Runs `dataset` for every seed; prints the per-seed and ablation tables; returns the per-seed rows."""
    x, y = load(dataset, args.n)
    per_seed, tables, correlations = [], [], []
    for seed in seeds:
        run = timed_run(x, y, seed, os.path.join(args.cache, f"{dataset}_n{len(x)}_seed{seed}"))
        table, correlation = ablation(run, y, seed)
        tables.append(table)
        correlations.append(correlation)
        phases = " / ".join(f"{_short(name)} {cpu:.0f}" for name, (_, cpu) in run["times"]["phases"].items())
        chosen = run["clustering"]["names"][run["clustering"]["chosen"]]
        final, picked, n2d = table[ROWS[8]], table[ROWS[7]], table[ROWS[1]]
        per_seed.append([seed, final[0], final[1], picked[0], chosen, n2d[0], table[ROWS[2]][0]])
        per_seed[-1] += [run["times"]["wall"] / 60, run["times"]["cpu"] / 60, phases]
        shown = (f"{value:.4f}" if isinstance(value, float) else str(value) for value in per_seed[-1])
        print(f"{dataset} seed {seed}: " + "  ".join(shown), flush=True)
    plain = None
    if not args.no_plain and seeds:
        folder = os.path.join(args.cache, f"{dataset}_n{len(x)}_seed{seeds[0]}_plain")
        run = timed_run(x, y, seeds[0], folder, augment="off", self_train="off")
        plain = (clustering_accuracy(y, run["labels"]), normalized_mutual_info(y, run["labels"]))
    _print_tables(dataset, seeds, per_seed, tables, correlations, plain)
    return per_seed, tables


def _short(phase):
    """A short name for one of the pipeline's phase lines."""
    for word, short in (("pretraining", "AE"), ("layouts", "layouts"), ("partitions", "heads"), ("SymNMF", "SymNMF")):
        if word in phase:
            return short
    return "CNN"


def _print_tables(dataset, seeds, per_seed, tables, correlations, plain):
    print(f"\n{dataset} test, 10 clusters, seeds {list(seeds)}")
    headers = ["seed", "ACC", "NMI", "chosen ACC", "chosen", "N2D GMM", "N2D k-means", "wall min", "CPU min"]
    print(training.format_table(headers + ["CPU s by phase"], per_seed))
    rows = []
    for row in ROWS:
        accs, nmis = [t[row][0] for t in tables], [t[row][1] for t in tables]
        rows.append([row, np.mean(accs), np.min(accs), np.max(accs), np.mean(nmis)])
    if plain is not None:
        rows.append([f"no augmentation, no self-training (seed {seeds[0]})", plain[0], plain[0], plain[0], plain[1]])
    print(f"\nablation ({dataset}): ACC mean / min / max over seeds, NMI mean")
    print(training.format_table(["step", "ACC", "ACC min", "ACC max", "NMI"], rows))
    print(f"Spearman correlation of modularity with ACC over the 18 candidates: {np.round(correlations, 3).tolist()}\n")


def main(argv=None):
    args = parse_args(argv)
    mnist, _ = benchmark("mnist", args.mnist_seeds, args)
    fashion, fashion_tables = benchmark("fashion", args.fashion_seeds, args)
    runs = mnist + fashion
    print(
        f"RESULT acc={np.mean([r[1] for r in mnist]):.4f} nmi={np.mean([r[2] for r in mnist]):.4f} "
        f"acc_min={np.min([r[1] for r in mnist]):.4f} fashion_acc={np.mean([r[1] for r in fashion]):.4f} "
        f"fashion_nmi={np.mean([r[2] for r in fashion]):.4f} "
        f"fashion_n2d_acc={np.mean([t[ROWS[1]][0] for t in fashion_tables]):.4f} "
        f"minutes={np.mean([r[7] for r in runs]):.2f}"
    )


if __name__ == "__main__":
    main()
