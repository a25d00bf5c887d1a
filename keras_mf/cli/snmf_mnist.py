"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

Logs SymNMF's objective per iteration, both methods' accuracy/NMI (a text table and the HParams row), with
matplotlib the objective curve and SymNMF's confusion matrix against the labels, and a Projector embedding of
SymNMF's memberships coloured by digit and by cluster to TensorBoard; prints a result table.

    keras-mf-cluster                  # the 10,000 bundled test images, 10 clusters
"""

import os
import time

import numpy as np

from keras_mf.training import args as cli_args


def build_parser():
    parser = cli_args.make_parser("snmf_mnist", __doc__.splitlines()[0], training=False)
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=cli_args.positive_int, default=10, help="number of clusters k")
    parser.add_argument("--neighbors", type=cli_args.positive_int, default=10, help="k-NN graph neighbours")
    parser.add_argument(
        "--restarts", type=cli_args.positive_int, default=5, help="SymNMF random restarts (lowest objective kept)"
    )
    parser.add_argument("--max-iter", type=cli_args.positive_int, default=3000, help="SymNMF iteration cap")
    parser.add_argument(
        "--tol", type=cli_args.positive_float, default=1e-3, help="SymNMF relative projected-gradient tolerance"
    )
    return parser


def check(args):
    images = cli_args.split_examples(args, args.split)
    if args.clusters > images or args.neighbors >= images:
        return (
            f"argument --clusters/--neighbors: --split {args.split} holds {images} images; --clusters must be at "
            f"most that and --neighbors below it. Received: --clusters {args.clusters}, --neighbors {args.neighbors}"
        )
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
    args = cli_args.parse_args(build_parser(), argv, check)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    from keras_mf import training
    from keras_mf.datasets import load_mnist
    from keras_mf.graph.pipeline import cluster

    training.set_seed(args.seed)
    start = time.perf_counter()
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    result = cluster(
        x,
        args.clusters,
        n_neighbors=args.neighbors,
        n_init=args.restarts,
        max_iter=args.max_iter,
        tol=args.tol,
        random_state=args.seed,
        logdir=args.logdir,
        verbose=True,
    )
    rows = result_rows(result, y)
    with training.phase("writing the TensorBoard logs"):
        files = write_logs(args, rows, result["symnmf"], x, y, time.perf_counter() - start)
    print()
    print(training.format_table(HEADERS, rows))
    objectives = np.round(result["symnmf"].objectives_, 4)
    print(f"\ngraph: {result['graph_seconds']:.2f} s; SymNMF restarts' objectives: {objectives}")
    training.report_outputs(args.logdir, files)
    return rows


HEADERS = ["method", "accuracy", "NMI", "objective", "wall s (incl. graph)"]


def result_rows(result, y):
    """The table's rows: SymNMF and spectral clustering, scored against the labels."""
    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import normalized_mutual_info

    rows = []
    for name, labels, seconds, objective in (
        ("SymNMF", result["symnmf_labels"], result["symnmf_seconds"], result["symnmf"].objective_),
        ("spectral (NJW)", result["spectral_labels"], result["spectral_seconds"], float("nan")),
    ):
        accuracy, nmi = clustering_accuracy(y, labels), normalized_mutual_info(y, labels)
        rows.append([name, accuracy, nmi, objective, round(result["graph_seconds"] + seconds, 2)])
    return rows


def write_logs(args, rows, model, x, y, seconds):
    """The result table as text, the objective curve and confusion matrix (with matplotlib), a Projector embedding
    of SymNMF's memberships H coloured by label and by cluster, and the HParams row. Returns `{file: what}`."""
    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    folder = os.path.join(args.logdir, "clustering")
    training.write_text(folder, "clustering/results", training.markdown_table(HEADERS, rows))
    write_plots(folder, model, y)
    config = training.write_projector(
        args.logdir, model.components_, y, images=x, clusters=model.labels_, name="SymNMF memberships H"
    )
    (_, symnmf_accuracy, symnmf_nmi, _, _), (_, spectral_accuracy, spectral_nmi, _, _) = rows
    metrics = {
        "cluster_accuracy": symnmf_accuracy,
        "cluster_nmi": symnmf_nmi,
        "spectral_accuracy": spectral_accuracy,
        "spectral_nmi": spectral_nmi,
        "seconds": seconds,
    }
    log_run(args.logdir, args, metrics)
    return {
        config: "Projector: SymNMF's memberships H, coloured by digit and by cluster",
        os.path.join(args.logdir, ""): "TensorBoard logs: SymNMF's objective per iteration, results, HParams",
    }


def write_plots(folder, model, labels):
    """With matplotlib: SymNMF's objective against iteration and its confusion matrix against the labels."""
    import tensorflow as tf

    from keras_mf.cluster import contingency_table
    from keras_mf.training import plots

    if not plots.can_plot("the SymNMF plots"):
        return
    history = np.asarray(model.history_)
    objective = plots.line_figure(
        {"best restart": (np.arange(len(history)), history)}, "iteration", "½‖A − HHᵀ‖²", "SymNMF objective", logy=True
    )
    confusion = plots.confusion_figure(contingency_table(labels, model.labels_), "SymNMF clusters against labels")
    writer = tf.summary.create_file_writer(folder)
    with writer.as_default():
        tf.summary.image("symnmf/objective", plots.figure_to_image(objective), step=0)
        tf.summary.image("symnmf/confusion_matrix", plots.figure_to_image(confusion), step=0)
    writer.close()


def main(argv=None):
    """The console entry point: runs the command; exit status 0, 2 for a bad argument, 130 after a Ctrl-C."""
    from keras_mf.training.progress import run_command

    run_command(run, argv)
