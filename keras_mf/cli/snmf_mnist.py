"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

Logs SymNMF's objective per iteration, both methods' accuracy/NMI and (with matplotlib) the objective
curve and SymNMF's confusion matrix against the labels to TensorBoard; prints a result table.

    keras-mf-cluster                  # the 10,000 bundled test images, 10 clusters
"""

import os

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


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
    parser = build_parser()
    args = cli_args.parse_args(parser, argv)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    from keras_mf import training
    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import normalized_mutual_info
    from keras_mf.datasets import load_mnist
    from keras_mf.graph.pipeline import cluster

    training.set_seed(args.seed)
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    if args.clusters > len(x) or args.neighbors >= len(x):
        parser.error(
            f"argument --clusters/--neighbors: split {args.split!r} holds {len(x)} images; --clusters must be at "
            f"most that and --neighbors below it. Received: --clusters {args.clusters}, --neighbors {args.neighbors}"
        )
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
    write_logs(args.logdir, rows, result["symnmf"], y)
    metrics = {}
    for name, accuracy, nmi, _, _ in rows:
        tag = "symnmf" if name == "SymNMF" else "spectral"
        metrics.update({f"{tag}_accuracy": accuracy, f"{tag}_nmi": nmi})
    training.log_hparams(args.logdir, args, metrics)
    print()
    print(training.format_table(["method", "accuracy", "NMI", "objective", "wall s (incl. graph)"], rows))
    objectives = np.round(result["symnmf"].objectives_, 4)
    print(f"\ngraph: {result['graph_seconds']:.2f} s; SymNMF restarts' objectives: {objectives}")
    print(f"logs: {args.logdir}")
    return rows


def write_logs(logdir, rows, model, labels):
    """Accuracy/NMI per method and (with matplotlib) the objective curve and the confusion matrix."""
    import tensorflow as tf

    from keras_mf.cluster import contingency_table
    from keras_mf.training import plots

    writer = tf.summary.create_file_writer(os.path.join(logdir, "clustering"))
    with writer.as_default():
        for name, accuracy, nmi, _, _ in rows:
            tag = "symnmf" if name == "SymNMF" else "spectral"
            tf.summary.scalar(f"{tag}/accuracy", accuracy, step=0)
            tf.summary.scalar(f"{tag}/nmi", nmi, step=0)
        if plots.can_plot("the SymNMF plots"):
            history = np.asarray(model.history_)
            figure = plots.line_figure(
                {"best restart": (np.arange(len(history)), history)},
                "iteration",
                "½‖A − HHᵀ‖²",
                "SymNMF objective",
                logy=True,
            )
            tf.summary.image("symnmf/objective", plots.figure_to_image(figure), step=0)
            figure = plots.confusion_figure(contingency_table(labels, model.labels_), "SymNMF clusters against labels")
            tf.summary.image("symnmf/confusion_matrix", plots.figure_to_image(figure), step=0)
    writer.close()


def main(argv=None):
    """The console entry point: runs the command, exit status 0 (argparse exits 2 on a bad argument)."""
    run(argv)
