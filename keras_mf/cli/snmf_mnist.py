"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

Logs SymNMF's objective per iteration, both methods' accuracy/NMI (a text table and the HParams row), with
matplotlib the objective curve and SymNMF's confusion matrix against the labels, and a Projector embedding of
SymNMF's memberships coloured by digit and by cluster to TensorBoard; prints a result table.

    keras-mf-cluster                  # the 10,000 bundled test images, 10 clusters

References:
    Kuang, D., Yun, S. & Park, H. (2015). SymNMF: nonnegative low-rank approximation of a similarity matrix for
    graph clustering. Journal of Global Optimization 62(3), 545–574. https://doi.org/10.1007/s10898-014-0247-2

    Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
    Neural Information Processing Systems 14, 849–856.
    https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm
"""

import os
import time

import numpy as np

from keras_mf.training import args as cli_args


def build_parser():
    """The command's `argparse.ArgumentParser`: the shared options of a command that trains no Keras model
    (`keras_mf.training.make_parser(training=False)`) and `--split`, `--clusters`, `--neighbors`, `--restarts`,
    `--max-iter`, `--tol`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.snmf_mnist import build_parser
        >>> args = build_parser().parse_args([])
        >>> args.split, args.clusters, args.neighbors, args.restarts, args.max_iter, args.tol
        ('test', 10, 10, 5, 3000, 0.001)
    """
    parser = cli_args.make_parser("snmf_mnist", __doc__.splitlines()[0], training=False)
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=cli_args.int_in(2), default=10, help="number of clusters k (at least 2)")
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
    """Options that are wrong together: more clusters than images in `--split`, or as many neighbours.

    Args:
        args: the parsed namespace (from `build_parser`), after `keras_mf.training.check_data` accepted the split.

    Returns:
        A message "argument --clusters/--neighbors: ..." (str) for argparse's `error`, or None.

    Example:
        >>> from keras_mf.cli.snmf_mnist import build_parser, check
        >>> args = build_parser().parse_args(["--data", "bundled", "--split", "test[:5]", "--neighbors", "5"])
        >>> print(check(args))
        argument --clusters/--neighbors: --split test[:5] holds 5 images; --clusters must be at most that and ...
    """
    images = cli_args.split_examples(args, args.split)
    if args.clusters > images or args.neighbors >= images:
        return (
            f"argument --clusters/--neighbors: --split {args.split} holds {images} images; --clusters must be at "
            f"most that and --neighbors below it. Received: --clusters {args.clusters}, --neighbors {args.neighbors}"
        )
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks.

    Builds the self-tuning k-NN graph of the images, fits `keras_mf.factorization.SymNMF` to its normalised
    adjacency (the lowest objective of `--restarts` starts) and runs spectral clustering (Ng–Jordan–Weiss) on the
    same graph (`keras_mf.graph.pipeline.cluster`); scores both against the labels; writes the TensorBoard logs;
    prints the table and the files written.

    Args:
        argv: list of str (the command line without the program name), or None for `sys.argv[1:]`.

    Returns:
        The table's rows (see `result_rows`): SymNMF's and spectral clustering's.

    Raises:
        SystemExit: status 2 for a bad option (the flag named, before TensorFlow loads).

    Example:
        Two clusters of 200 bundled images (a few seconds: the example is in the slow test suite):

        >>> import contextlib, io, tempfile
        >>> from keras_mf.cli import snmf_mnist
        >>> argv = ["--data", "bundled", "--split", "test[:200]", "--clusters", "2", "--neighbors", "5",
        ...         "--restarts", "1", "--tol", "0.01", "--logdir", tempfile.mkdtemp()]
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     rows = snmf_mnist.run(argv)
        >>> [row[0] for row in rows], all(0.0 <= row[1] <= 1.0 and 0.0 <= row[2] <= 1.0 for row in rows)
        (['SymNMF', 'spectral (NJW)'], True)
    """
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
    """The table's rows: SymNMF and spectral clustering, scored against the labels.

    Args:
        result: the dict of `keras_mf.graph.pipeline.cluster` (labels, fitted SymNMF, seconds).
        y: `(n,)` int labels.

    Returns:
        Two rows `[method, accuracy, NMI, objective (NaN for spectral clustering), seconds with the graph's]`;
        accuracy under the best one-to-one matching (`keras_mf.cluster.clustering_accuracy`) and NMI
        (`keras_mf.cluster.normalized_mutual_info`) in [0, 1].

    Example:
        >>> import numpy as np
        >>> from types import SimpleNamespace
        >>> from keras_mf.cli.snmf_mnist import result_rows
        >>> result = {"symnmf_labels": np.array([1, 1, 0, 0]), "spectral_labels": np.array([0, 1, 1, 1]),
        ...           "symnmf": SimpleNamespace(objective_=0.25), "graph_seconds": 1.0,
        ...           "symnmf_seconds": 2.0, "spectral_seconds": 0.5}
        >>> [row[:2] for row in result_rows(result, np.array([0, 0, 1, 1]))]
        [['SymNMF', 1.0], ['spectral (NJW)', 0.75]]
    """
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
    of SymNMF's memberships H coloured by label and by cluster, and the HParams row.

    Args:
        args: the parsed namespace (with `logdir`).
        rows: the rows of `result_rows`.
        model: the fitted `SymNMF`.
        x: float32 images `(n, 784)` (the Projector's sprites).
        y: int labels `(n,)`.
        seconds: float, the whole run's time.

    Returns:
        `{path: what it is}` for `keras_mf.training.report_outputs`.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf import SymNMF
        >>> from keras_mf.cli.snmf_mnist import build_parser, write_logs
        >>> args = build_parser().parse_args(["--logdir", tempfile.mkdtemp(), "--clusters", "2"])
        >>> a = np.kron(np.eye(2), np.ones((2, 2)))       # two blocks of two nodes
        >>> model = SymNMF(2, random_state=0).fit(a)
        >>> rows = [["SymNMF", 1.0, 1.0, 0.0, 0.1], ["spectral clustering", 1.0, 1.0, "-", 0.1]]
        >>> files = write_logs(args, rows, model, np.zeros((4, 784), np.float32), np.array([0, 0, 1, 1]), 1.0)
        >>> sorted(os.path.basename(path) for path in files)
        ['', 'projector_config.pbtxt']
    """
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
    """With matplotlib: SymNMF's objective against iteration and its confusion matrix against the labels, as images
    "symnmf/objective" and "symnmf/confusion_matrix" in `folder`.

    Args:
        folder: str, the TensorBoard folder of the images.
        model: the fitted `SymNMF` (its `history_` and `labels_`).
        labels: `(n,)` true labels.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.snmf_mnist import write_plots
        >>> from keras_mf.factorization import SymNMF
        >>> model = SymNMF(n_components=2, random_state=0).fit(np.kron(np.eye(2), np.ones((3, 3))))
        >>> folder = tempfile.mkdtemp()
        >>> write_plots(folder, model, np.array([0, 0, 0, 1, 1, 1]))
        >>> len(os.listdir(folder))
        1
    """
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
    """The console entry point `keras-mf-cluster`: runs the command (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 130 after a Ctrl-C (with the
            line saying where it stopped).

    Example:
        >>> from keras_mf.cli.snmf_mnist import main
        >>> try:
        ...     main(["--clusters", "0"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.snmf_mnist
    main()
