"""Compress a trained MNIST classifier's Dense layers by truncated SVD and fine-tune it.

Trains a small MLP, replaces its Dense layers by LowRankDense at several parameter budgets, and reports
rank, parameters and accuracy before and after a short fine-tune; also TruncatedSVD's reconstruction error
against rank on MNIST. TensorBoard gets both results as text tables and plots (x = parameters, x = rank).

    keras-mf-compress --fractions 0.5 0.25 0.1

References:
    Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
    Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

    Xue, J., Li, J. & Gong, Y. (2013). Restructuring of deep neural network acoustic models with singular
    value decomposition. Proc. Interspeech 2013, 2365–2369. https://doi.org/10.21437/Interspeech.2013-552
"""

import os
import time

from keras_mf.training import args as cli_args


def build_parser():
    """The command's `argparse.ArgumentParser`: the shared options (`keras_mf.training.make_parser`, 10 epochs by
    default) and `--hidden-units`, `--fractions`, `--fine-tune-epochs`, `--ranks`, `--train-split`, `--eval-split`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.compress_mnist import build_parser
        >>> args = build_parser().parse_args(["--fractions", "0.5", "0.1"])
        >>> args.fractions, args.hidden_units, args.fine_tune_epochs
        ([0.5, 0.1], [512, 256], 3)
    """
    parser = cli_args.make_parser("compress_mnist", __doc__.splitlines()[0], epochs=10, batch_size=128)
    parser.add_argument(
        "--hidden-units", type=cli_args.positive_int, nargs="+", default=[512, 256], help="MLP hidden widths"
    )
    parser.add_argument(
        "--fractions",
        type=cli_args.fraction,
        nargs="+",
        default=[0.5, 0.25, 0.1],
        help="kernel-parameter budgets to try",
    )
    parser.add_argument(
        "--fine-tune-epochs", type=cli_args.positive_int, default=3, help="epochs of fine-tuning after compression"
    )
    parser.add_argument(
        "--ranks", type=cli_args.int_in(1, 784), nargs="+", default=[8, 16, 32, 64, 128], help="ranks for the SVD curve"
    )
    cli_args.add_split_arguments(parser)
    return parser


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks.

    Trains the MLP (`keras_mf.cli.experiments.classifier.mlp_classifier`), compresses its Dense layers at each
    budget of `--fractions` (`keras_mf.compress`) and fine-tunes each copy; measures TruncatedSVD's
    reconstruction error of the images at each rank of `--ranks`; writes the TensorBoard logs and the model
    `<logdir>/mlp.keras`; prints both tables and the files written.

    Args:
        argv: list of str (the command line without the program name), or None for `sys.argv[1:]`.

    Returns:
        A dict: "rows" (the compression table: `[budget, ranks, Dense parameters, accuracy before fine-tuning,
        accuracy after]`, the trained model first), "curve" (`[(rank, reconstruction MSE per pixel)]`) and
        "seconds" (the whole run's time).

    Raises:
        SystemExit: status 2 for a bad option (the flag named, before TensorFlow loads); status 1 when the loss
            became NaN/inf.

    Example:
        One short epoch on 256 bundled images (a few seconds: the example is in the slow test suite):

        >>> import contextlib, io, tempfile
        >>> from keras_mf.cli import compress_mnist
        >>> argv = ["--data", "bundled", "--train-split", "test[:256]", "--eval-split", "test[8000:8256]",
        ...         "--epochs", "1", "--hidden-units", "32", "--fractions", "0.5", "--fine-tune-epochs", "1",
        ...         "--ranks", "2", "4", "--logdir", tempfile.mkdtemp()]
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     result = compress_mnist.run(argv)
        >>> [row[:3] for row in result["rows"]], [rank for rank, _ in result["curve"]]
        ([['1.0 (original)', '-', 25450], [0.5, '15', 12602]], [2, 4])
    """
    args = cli_args.parse_args(build_parser(), argv)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    import numpy as np

    from keras_mf import training
    from keras_mf.cli.experiments.compression import svd_error_curve
    from keras_mf.datasets import load_mnist

    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    start = time.perf_counter()
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    train, evaluation = load_mnist(train_split, **load), load_mnist(eval_split, **load)
    model, callbacks = train_classifier(args, strategy, train, evaluation)
    rows = compress_all(args, model, train, evaluation)
    ranks = " ".join(map(str, args.ranks))
    with training.phase(f"TruncatedSVD reconstruction error of the images at ranks {ranks}"):
        curve = svd_error_curve(np.concatenate([train[0], evaluation[0]]), args.ranks)
    # The whole run's time: this process's, and the training before an interruption when it resumed one.
    seconds = time.perf_counter() - start + training.run_seconds(callbacks, before_resume_only=True)
    with training.phase("writing the TensorBoard logs"):
        files = write_logs(args, model, rows, curve, seconds)
    print()
    print(training.format_table(ROW_HEADERS, rows))
    print()
    print(training.format_table(CURVE_HEADERS, [[r, e] for r, e in curve]))
    print(f"\nwall {seconds:.1f} s (the whole run)")
    training.report_outputs(args.logdir, files)
    return {"rows": rows, "curve": curve, "seconds": seconds}


ROW_HEADERS = ["budget", "ranks", "parameters", "acc before FT", "acc after FT"]
CURVE_HEADERS = ["rank", "TruncatedSVD reconstruction MSE"]


def train_classifier(args, strategy, train, evaluation):
    """The MLP trained on `train`, validated on `evaluation` each epoch (TensorBoard overlays both curves), with the
    standard callbacks (`keras_mf.training.standard_callbacks`).

    Args:
        args: the parsed namespace (hidden units, epochs, batch size, `logdir`).
        strategy: the `tf.distribute.Strategy` to build it under.
        train: a tuple `(x, y)`, images `(n, 784)` float32 in [0, 1] and labels `(n,)`.
        evaluation: a tuple `(x, y)`.

    Returns:
        A tuple `(model, callbacks)`: the trained `keras.Sequential` and the callbacks (for the run's time).

    Raises:
        SystemExit: the loss became NaN/inf (`keras_mf.training.exit_if_stopped`).

    Example:
        >>> import contextlib, io, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.compress_mnist import build_parser, train_classifier
        >>> from keras_mf.training import get_strategy
        >>> argv = ["--hidden-units", "8", "--epochs", "1", "--logdir", tempfile.mkdtemp()]
        >>> args = build_parser().parse_args(argv)
        >>> x, y = np.zeros((32, 784), np.float32), np.arange(32) % 10
        >>> with contextlib.redirect_stdout(io.StringIO()):     # Keras' progress lines
        ...     model, callbacks = train_classifier(args, get_strategy("none"), (x, y), (x, y))
        >>> model.count_params()                      # 784·8 + 8 + 8·10 + 10
        6370
    """
    from keras_mf import training
    from keras_mf.cli.experiments.classifier import mlp_classifier

    with strategy.scope():
        model = mlp_classifier(args.hidden_units)
    callbacks = training.standard_callbacks(args.logdir)
    model.fit(
        *train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=evaluation,
        callbacks=callbacks,
        verbose=training.fit_verbosity(),
    )
    training.exit_if_stopped(callbacks)
    return model, callbacks


def compress_all(args, model, train, evaluation):
    """The table's rows: the trained model, then each budget before and after fine-tuning, one phase line each.

    Args:
        args: the parsed namespace (fractions, fine-tune epochs, batch size).
        model: the trained MLP.
        train: a tuple `(x, y)` for fine-tuning.
        evaluation: a tuple `(x, y)` for the accuracies.

    Returns:
        A list of rows `[budget, ranks "r1/r2", Dense parameters, accuracy before, accuracy after fine-tuning]`,
        the trained model's first (budget "1.0 (original)").

    Example:
        >>> import contextlib, io
        >>> import numpy as np
        >>> from keras_mf.cli.compress_mnist import build_parser, compress_all
        >>> from keras_mf.cli.experiments.classifier import mlp_classifier
        >>> args = build_parser().parse_args(["--fractions", "0.5", "--fine-tune-epochs", "1"])
        >>> x, y = np.zeros((32, 784), np.float32), np.arange(32) % 10
        >>> with contextlib.redirect_stdout(io.StringIO()):     # one phase line per budget
        ...     rows = compress_all(args, mlp_classifier((16,)), (x, y), (x, y))
        >>> [row[:3] for row in rows]          # rank 7: 7·(784 + 16) + 16, and the output layer's 16·10 + 10
        [['1.0 (original)', '-', 12730], [0.5, '7', 5786]]
    """
    from keras_mf import training
    from keras_mf.cli.experiments.compression import compress_and_fine_tune
    from keras_mf.cli.experiments.compression import dense_parameters

    accuracy = float(model.evaluate(*evaluation, batch_size=1000, verbose=0)[1])
    rows = [["1.0 (original)", "-", dense_parameters(model), accuracy, accuracy]]
    for fraction in args.fractions:
        name = f"compressing to {fraction:g} of the Dense parameters, fine-tuning {args.fine_tune_epochs} epochs"
        with training.phase(name):
            rows += compress_and_fine_tune(
                model, *train, *evaluation, [fraction], args.fine_tune_epochs, args.batch_size
            )
    return rows


def write_logs(args, model, rows, curve, seconds):
    """The model, its op graph, the result tables as text, the plots (x = parameters, x = rank) and the HParams
    row.

    Args:
        args: the parsed namespace (with `logdir`).
        model: the trained MLP (saved as `<logdir>/mlp.keras`).
        rows: the rows of `compress_all`.
        curve: `[(rank, MSE)]` of `keras_mf.cli.experiments.compression.svd_error_curve`.
        seconds: float, the whole run's time.

    Returns:
        `{path: what it is}` for `keras_mf.training.report_outputs`.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.cli.compress_mnist import build_parser, write_logs
        >>> from keras_mf.cli.experiments.classifier import mlp_classifier
        >>> args = build_parser().parse_args(["--logdir", tempfile.mkdtemp()])
        >>> rows = [["1.0 (original)", "-", 12730, 0.9, 0.9], [0.5, "5/10", 4230, 0.8, 0.88]]
        >>> files = write_logs(args, mlp_classifier((16,)), rows, [(2, 0.05), (4, 0.04)], 3.0)
        >>> sorted(os.path.basename(path) for path in files)
        ['', 'mlp.keras']
    """
    import tensorflow as tf

    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    logdir = args.logdir
    model_path = training.atomic_save_model(model, os.path.join(logdir, "mlp.keras"))
    training.write_model_graph(os.path.join(logdir, "train"), model, tf.TensorSpec((None, 784), tf.float32))
    folder = os.path.join(logdir, "compression")
    training.write_text(folder, "compression/results", training.markdown_table(ROW_HEADERS, rows))
    training.write_text(folder, "svd/error_vs_rank", training.markdown_table(CURVE_HEADERS, curve))
    write_plots(folder, rows, curve)
    smallest = min(rows, key=lambda row: row[2])
    metrics = {
        "eval_accuracy": rows[0][3],
        "compressed_parameters": smallest[2],
        "compressed_accuracy": smallest[4],
        "seconds": seconds,
    }
    log_run(logdir, args, metrics)
    return {
        model_path: "the trained MLP before compression (keras.saving.load_model)",
        os.path.join(logdir, ""): "TensorBoard logs: training curves, accuracy against parameters, SVD error, HParams",
    }


def write_plots(folder, rows, curve):
    """With matplotlib: accuracy against Dense parameters, and TruncatedSVD's error against rank, as images
    "compression/accuracy_vs_parameters" and "svd/reconstruction_mse_vs_rank" in `folder`.

    Args:
        folder: str, the TensorBoard folder of the images.
        rows: the rows of `compress_all`.
        curve: `[(rank, MSE)]`.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.cli.compress_mnist import write_plots
        >>> folder = tempfile.mkdtemp()
        >>> rows = [["1.0 (original)", "-", 1000, 0.9, 0.9], [0.5, "8", 500, 0.8, 0.88]]
        >>> write_plots(folder, rows, [(2, 0.05), (4, 0.04)])
        >>> len(os.listdir(folder))
        1
    """
    import tensorflow as tf

    from keras_mf.training import plots

    if not plots.can_plot("the compression plots"):
        return
    ranks, errors = zip(*curve, strict=True)
    params = [row[2] for row in rows]
    figures = {
        "svd/reconstruction_mse_vs_rank": plots.line_figure(
            {"TruncatedSVD": (ranks, errors)}, "rank", "reconstruction MSE", "MNIST error against rank", logx=True
        ),
        "compression/accuracy_vs_parameters": plots.line_figure(
            {"before fine-tune": (params, [row[3] for row in rows]), "after": (params, [row[4] for row in rows])},
            "Dense parameters",
            "eval accuracy",
            "accuracy against parameters",
        ),
    }
    writer = tf.summary.create_file_writer(folder)
    with writer.as_default():
        for tag, figure in figures.items():
            tf.summary.image(tag, plots.figure_to_image(figure), step=0)
    writer.close()


def main(argv=None):
    """The console entry point `keras-mf-compress`: runs the command (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 1 when the loss became NaN/inf,
            130 after a Ctrl-C (with the line saying where it stopped and how to resume).

    Example:
        >>> from keras_mf.cli.compress_mnist import main
        >>> try:
        ...     main(["--fractions", "2"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.compress_mnist
    main()
