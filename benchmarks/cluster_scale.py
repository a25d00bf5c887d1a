"""Graph + SymNMF clustering as n grows: the first n of Fashion-MNIST's 70,000 images (train + test), k = 10,
against scikit-learn's SpectralClustering(affinity="nearest_neighbors") on the same points.

    python benchmarks/cluster_scale.py [--sizes 10000 20000 40000 70000] [--sklearn-timeout 600]

Ours is `keras_mf.graph.pipeline.cluster` (self-tuning 10-NN graph, normalised, SymNMF with 5 restarts). Every n
runs in a fresh subprocess, for ours and for scikit-learn separately, so each figure includes what a user running
once pays (TensorFlow's tracing too) and the peak resident memory is that process's own
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, data loading included). scikit-learn runs while it finishes inside
`--sklearn-timeout` seconds; after one run is cut off, larger n are not tried. The growth exponent is the slope
of log(our seconds) against log(n). Needs scikit-learn and the Debian package dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist); without them it says so in one line and exits 0.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time

import _common  # noqa: F401
import numpy as np

SIZES = (10_000, 20_000, 40_000, 70_000)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of points n")
    parser.add_argument("--sklearn-timeout", type=float, default=600.0, help="seconds one scikit-learn run may take")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def _load(n, tensorflow=True):
    """The first n images (float32 in [0, 1]) and labels of train + test. The peer's process reads the IDX
    files with numpy alone, so that its peak memory holds no TensorFlow (importing keras_mf imports it)."""
    if tensorflow:
        from keras_mf.datasets import load_fashion_mnist

        x, y = load_fashion_mnist("train+test", source="idx", as_numpy=True, verbose=False)
        return x[:n], y[:n]
    import gzip

    parts = []
    for images, labels in (("train-images", "train-labels"), ("t10k-images", "t10k-labels")):
        with gzip.open(os.path.join(FASHION_MNIST, f"{images}-idx3-ubyte.gz")) as file:
            x = np.frombuffer(file.read(), np.uint8, offset=16).reshape(-1, 784)
        with gzip.open(os.path.join(FASHION_MNIST, f"{labels}-idx1-ubyte.gz")) as file:
            y = np.frombuffer(file.read(), np.uint8, offset=8)
        parts.append((x, y))
    x = np.concatenate([p[0] for p in parts])[:n]
    return x.astype(np.float32) / 255.0, np.concatenate([p[1] for p in parts])[:n].astype(np.int64)


def worker(kind, n):
    """Runs one measurement in this (fresh) process and prints it as one JSON line."""
    x, y = _load(n, tensorflow=kind == "ours")
    if kind == "ours":
        from keras_mf.graph.pipeline import cluster as cluster_points

        result = cluster_points(x, 10, n_neighbors=10, n_init=5, spectral=False)
        labels = result["symnmf_labels"]
        out = {"graph": result["graph_seconds"], "symnmf": result["symnmf_seconds"]}
        out["seconds"] = out["graph"] + out["symnmf"]
        out["iterations"] = result["symnmf"].n_iter_
    else:
        from sklearn.cluster import SpectralClustering

        start = time.perf_counter()
        labels = SpectralClustering(10, affinity="nearest_neighbors", n_neighbors=10, random_state=0).fit_predict(x)
        out = {"seconds": time.perf_counter() - start}
    out["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30
    out["labels"] = np.asarray(labels).tolist()
    print("MEASURED " + json.dumps(out), flush=True)


def measure(kind, n, timeout=None):
    """Runs `worker(kind, n)` in a subprocess; returns its dict with the clustering accuracy of its labels, or
    None when it ran past `timeout`."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", kind, str(n)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    for line in done.stdout.splitlines():
        if line.startswith("MEASURED "):
            from keras_mf import cluster

            out = json.loads(line[len("MEASURED ") :])
            out["accuracy"] = cluster.clustering_accuracy(_load(n, tensorflow=False)[1], np.array(out.pop("labels")))
            return out
    raise RuntimeError(f"{kind} at n={n} failed:\n{done.stderr[-3000:]}")


def missing():
    """Why the benchmark cannot run here, or None."""
    if importlib.util.find_spec("sklearn") is None:
        return "scikit-learn is not installed (pip install scikit-learn)"
    try:
        _load(1, tensorflow=False)
    except (OSError, ValueError) as error:
        return f"Fashion-MNIST is not available (Debian package dataset-fashion-mnist): {error}"
    return None


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return None
    reason = missing()
    if reason:
        print(f"SKIP cluster_scale: {reason}")
        return None
    from keras_mf import training

    rows, ours, sklearn = [], {}, {}
    sklearn_running = True
    for n in args.sizes:
        ours[n] = measure("ours", n)
        if sklearn_running:
            sklearn[n] = measure("sklearn", n, timeout=args.sklearn_timeout)
            sklearn_running = sklearn[n] is not None
        peer = sklearn.get(n)
        stopped = f"> {args.sklearn_timeout:.0f} (stopped)" if n in sklearn else "-"
        rows.append(
            [
                n,
                f"{ours[n]['graph']:.1f}",
                f"{ours[n]['symnmf']:.1f}",
                f"{ours[n]['seconds']:.1f}",
                f"{ours[n]['peak_gib']:.2f}",
                f"{ours[n]['accuracy']:.3f}",
                f"{peer['seconds']:.1f}" if peer else stopped,
                f"{peer['peak_gib']:.2f}" if peer else "-",
                f"{peer['accuracy']:.3f}" if peer else "-",
                f"{ours[n]['seconds'] / peer['seconds']:.2f}" if peer else "-",
            ]
        )
        print(f"n={n}: ours {ours[n]}, sklearn {peer or 'stopped' if n in sklearn else 'not run'}", flush=True)
    print()
    print(
        training.format_table(
            [
                "n",
                "graph s",
                "SymNMF s",
                "ours s",
                "peak GiB",
                "ACC",
                "sklearn s",
                "sklearn GiB",
                "sklearn ACC",
                "ours/sklearn",
            ],
            rows,
        )
    )
    sizes = np.array(args.sizes, dtype=np.float64)
    seconds = np.array([ours[n]["seconds"] for n in args.sizes])
    exponent = np.polyfit(np.log(sizes), np.log(seconds), 1)[0] if len(sizes) > 1 else float("nan")
    n_max = args.sizes[-1]
    ratio = ours[10_000]["seconds"] / sklearn[10_000]["seconds"] if sklearn.get(10_000) else float("nan")
    print(f"fitted growth of our time: n^{exponent:.2f}")
    print(
        f"RESULT n_max={n_max} seconds_max={ours[n_max]['seconds']:.1f} peak_gib={ours[n_max]['peak_gib']:.2f} "
        f"exponent={exponent:.2f} sklearn_ratio_10k={ratio:.3f}"
    )
    return rows


if __name__ == "__main__":
    main()
