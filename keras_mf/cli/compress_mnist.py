"""Compress a trained MNIST classifier's Dense layers by truncated SVD and fine-tune it.

Trains a small MLP, replaces its Dense layers by LowRankDense at several parameter budgets, and reports
rank, parameters and accuracy before and after a short fine-tune; also logs TruncatedSVD's
reconstruction error against rank on MNIST (scalars and a plotted image) to TensorBoard.

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
    from keras_mf.cli.experiments.classifier import mlp_classifier
    from keras_mf.cli.experiments.compression import compress_and_fine_tune
    from keras_mf.cli.experiments.compression import dense_parameters
    from keras_mf.cli.experiments.compression import svd_error_curve
    from keras_mf.datasets import load_mnist

    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    logdir = args.logdir
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    x_train, y_train = load_mnist(train_split, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)

    start = time.perf_counter()
    with strategy.scope():
        model = mlp_classifier(args.hidden_units)
    callbacks = training.standard_callbacks(logdir)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, callbacks=callbacks, verbose=2)
    base_accuracy = float(model.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
    training.atomic_save_model(model, os.path.join(logdir, "mlp.keras"))
    rows = [["1.0 (original)", "-", dense_parameters(model), base_accuracy, base_accuracy]]
    rows += compress_and_fine_tune(
        model, x_train, y_train, x_eval, y_eval, args.fractions, args.fine_tune_epochs, args.batch_size
    )
    curve = svd_error_curve(np.concatenate([x_train, x_eval]), args.ranks)
    write_logs(logdir, rows, curve)
    smallest = rows[-1]
    training.log_hparams(
        logdir,
        args,
        {
            "base_accuracy": base_accuracy,
            "smallest_parameters": smallest[2],
            "smallest_accuracy_after_fine_tune": smallest[4],
        },
    )
    print()
    print(training.format_table(["budget", "ranks", "parameters", "acc before FT", "acc after FT"], rows))
    print()
    print(training.format_table(["rank", "TruncatedSVD reconstruction MSE"], [[r, e] for r, e in curve]))
    print(f"\nwall {time.perf_counter() - start:.1f} s; logs: {logdir}")
    return {"rows": rows, "curve": curve}


def write_logs(logdir, rows, curve):
    """Compression scalars per budget, the SVD error curve, and (with matplotlib) both as plots."""
    import tensorflow as tf

    from keras_mf.training import plots

    writer = tf.summary.create_file_writer(os.path.join(logdir, "compression"))
    with writer.as_default():
        for i, (budget, ranks, params, before, after) in enumerate(rows):
            tf.summary.scalar("compression/parameters", params, step=i)
            tf.summary.scalar("compression/accuracy_before_fine_tune", before, step=i)
            tf.summary.scalar("compression/accuracy_after_fine_tune", after, step=i)
            tf.summary.text("compression/budget", f"{budget}: ranks {ranks}", step=i)
        for rank, error in curve:
            tf.summary.scalar("svd/reconstruction_mse_vs_rank", error, step=rank)
        if plots.can_plot("the compression plots"):
            ranks, errors = zip(*curve, strict=True)
            figure = plots.line_figure(
                {"TruncatedSVD": (ranks, errors)}, "rank", "reconstruction MSE", "MNIST error against rank", logx=True
            )
            tf.summary.image("svd/reconstruction_mse_vs_rank", plots.figure_to_image(figure), step=0)
            params = [row[2] for row in rows]
            figure = plots.line_figure(
                {"before fine-tune": (params, [row[3] for row in rows]), "after": (params, [row[4] for row in rows])},
                "parameters",
                "eval accuracy",
                "accuracy against parameters",
            )
            tf.summary.image("compression/accuracy_vs_parameters", plots.figure_to_image(figure), step=0)
    writer.close()


def main(argv=None):
    """The console entry point: runs the command, exit status 0 (argparse exits 2 on a bad argument)."""
    run(argv)
