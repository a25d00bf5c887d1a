"""Compress a trained MNIST classifier's Dense layers by truncated SVD and fine-tune it.

Trains a small MLP, replaces its Dense layers by LowRankDense at several parameter budgets, and reports
rank, parameters and accuracy before and after a short fine-tune; also TruncatedSVD's reconstruction error
against rank on MNIST. TensorBoard gets both results as text tables and plots (x = parameters, x = rank).

    keras-mf-compress --fractions 0.5 0.25 0.1
"""

import os
import time

from keras_mf.training import args as cli_args


def build_parser():
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
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
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
    """The MLP trained on `train` (`(x, y)`), validated on `evaluation` each epoch (TensorBoard overlays both
    curves), with the standard callbacks; returns `(model, callbacks)`."""
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
    """The table's rows: the trained model, then each budget before and after fine-tuning, one phase line each."""
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
    row. Returns `{file: what it is}`."""
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
    """With matplotlib: accuracy against Dense parameters, and TruncatedSVD's error against rank, as images."""
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
    """The console entry point: runs the command; exit status 0, 2 for a bad argument, 130 after a Ctrl-C."""
    from keras_mf.training.progress import run_command

    run_command(run, argv)
