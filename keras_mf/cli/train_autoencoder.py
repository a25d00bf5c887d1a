"""Train an autoencoder on MNIST and compare it with PCA at the same latent size.

Writes TensorBoard logs (loss curves, the reconstruction MSE beside PCA's in one custom-scalars chart, a
per-epoch grid of originals above reconstructions, a Projector embedding of the evaluation images' codes
coloured by digit, the error against latent size beside PCA's, the model's op graph, the run's HParams row),
resumable backups, and the final `.keras` model; prints a result table.

    keras-mf-autoencoder                 # nonlinear 784-256-32 autoencoder
    keras-mf-autoencoder --linear        # the tutorial's linear model (≈ PCA)
    tensorboard --logdir runs
"""

import os

from keras_mf.training import args as cli_args


def build_parser():
    parser = cli_args.make_parser("train_autoencoder", __doc__.splitlines()[0], epochs=30, batch_size=128)
    parser.add_argument("--latent-dim", type=cli_args.int_in(1, 783), default=32, help="size of the code")
    parser.add_argument(
        "--hidden-units",
        type=cli_args.positive_int,
        nargs="*",
        default=cli_args.default([256]),
        help="encoder hidden widths, the decoder mirrors them (not with --linear)",
    )
    parser.add_argument(
        "--activation",
        default=cli_args.default("relu"),
        help="hidden activation, a keras.activations name (not with --linear)",
    )
    parser.add_argument("--linear", action="store_true", help="the tutorial's linear model h = W1 x + b1")
    parser.add_argument(
        "--learning-rate", type=cli_args.positive_float, default=1e-3, help="Adam's learning rate (cosine decay)"
    )
    parser.add_argument("--pca-init", action="store_true", help="start from the truncated SVD of the data")
    cli_args.add_split_arguments(parser)
    return parser


def check(args):
    if args.linear and (cli_args.given(args.hidden_units) or cli_args.given(args.activation)):
        return "argument --linear: the linear model has no hidden layers; leave out --hidden-units and --activation"
    narrowest = min(args.hidden_units, default=2 * args.latent_dim)
    if args.pca_init and not args.linear and narrowest < 2 * args.latent_dim:
        return f"argument --pca-init: needs --hidden-units of at least 2 * --latent-dim = {2 * args.latent_dim}"
    if args.pca_init and not args.linear and args.activation != "relu":
        return "argument --pca-init: needs --activation relu (or --linear)"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
    parser = build_parser()
    args = cli_args.parse_args(parser, argv, check)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    import keras

    from keras_mf import training

    try:
        keras.activations.get(args.activation)
    except ValueError:
        parser.error(f"argument --activation: unknown activation {args.activation!r}")
    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    data = load_data(args)
    with training.phase("PCA (truncated SVD) of the training images"):
        pca, pca_mse = fit_pca(data, args.latent_dim)
    model = build_model(args, strategy, pca, len(data["x_train"]))
    callbacks = training.standard_callbacks(args.logdir)
    callbacks += [
        training.ReconstructionGrid(data["x_eval"][:8], args.logdir),
        training.ReconstructionError("pca", pca_mse["train"], pca_mse["eval"], args.logdir),
    ]
    x_train, x_eval = data["x_train"], data["x_eval"]
    model.fit(
        x_train,
        x_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=(x_eval, x_eval),
        callbacks=callbacks,
        verbose=training.fit_verbosity(),
    )
    training.exit_if_stopped(callbacks)
    with training.phase("evaluating and writing the TensorBoard logs"):
        metrics, files = evaluate_and_log(args, model, data, pca_mse, training.run_seconds(callbacks))
    print_results(args, metrics, pca_mse)
    training.report_outputs(args.logdir, files)
    return {**metrics, "logdir": args.logdir}


def load_data(args):
    from keras_mf import training
    from keras_mf.datasets import load_mnist

    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    x_eval, y_eval = load_mnist(eval_split, **load)
    return {"x_train": load_mnist(train_split, targets=None, **load), "x_eval": x_eval, "y_eval": y_eval}


def fit_pca(data, rank):
    """The truncated SVD of the training images and its reconstruction MSE on both splits."""
    from keras_mf import TruncatedSVD
    from keras_mf import training

    pca = TruncatedSVD(rank=rank)
    pca.adapt(data["x_train"])
    mse = {split: training.mse(data[f"x_{split}"], pca.reconstruct(data[f"x_{split}"])) for split in ("train", "eval")}
    return pca, mse


def build_model(args, strategy, pca, examples):
    """The compiled autoencoder (Adam with cosine decay over the run's steps), started from `pca` with --pca-init."""
    import keras
    import numpy as np

    from keras_mf import Autoencoder

    with strategy.scope():
        model = Autoencoder(
            input_shape=(784,),
            latent_dim=args.latent_dim,
            hidden_units=[] if args.linear else list(args.hidden_units),
            activation=str(args.activation),
            linear=args.linear,
        )
        model.build((None, 784))
        if args.pca_init:
            model.init_from_pca(pca=pca)
        steps = args.epochs * int(np.ceil(examples / args.batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    return model


def evaluate_and_log(args, model, data, pca_mse, seconds):
    """Saves the model; logs the op graph, the error chart layout, the Projector embedding, the error against
    latent size and the HParams row. Returns `(metrics, {file: what it is})`."""
    import keras
    import tensorflow as tf

    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    logdir, x_train, x_eval = args.logdir, data["x_train"], data["x_eval"]
    model_path = training.atomic_save_model(model, os.path.join(logdir, "autoencoder.keras"))
    metrics = {
        "train_mse": training.mse(x_train, model.predict(x_train, batch_size=1024, verbose=0)),
        "eval_mse": training.mse(x_eval, model.predict(x_eval, batch_size=1024, verbose=0)),
        "pca_eval_mse": pca_mse["eval"],
        "seconds": seconds,
    }
    training.write_model_graph(os.path.join(logdir, "train"), model, tf.TensorSpec((None, 784), tf.float32))
    training.write_custom_scalars(logdir, RECONSTRUCTION_LAYOUT)
    codes = keras.ops.convert_to_numpy(model.encode(x_eval))
    config = training.write_projector(logdir, codes, data["y_eval"], images=x_eval)
    write_error_curve(logdir, x_train, args.latent_dim, metrics["train_mse"])
    log_run(logdir, args, metrics)
    files = {
        model_path: "the trained model (keras.saving.load_model)",
        config: "Projector: the evaluation images' codes, coloured by digit",
        os.path.join(logdir, ""): "TensorBoard logs: loss curves beside PCA's, reconstructions, HParams",
    }
    return metrics, files


# One custom-scalars chart: the autoencoder's reconstruction MSE (its loss) and PCA's, on both splits.
RECONSTRUCTION_LAYOUT = {
    "autoencoder against PCA": {"reconstruction MSE (model, PCA; train, validation)": r"^reconstruction_mse/"}
}


def print_results(args, metrics, pca_mse):
    from keras_mf import training

    name = "linear AE" if args.linear else f"AE {'-'.join(map(str, [784, *args.hidden_units, args.latent_dim]))}"
    print()
    print(
        training.format_table(
            ["model", "latent", "train MSE", "eval MSE", "PCA eval MSE", "wall s"],
            [
                [name, args.latent_dim, metrics["train_mse"], metrics["eval_mse"], pca_mse["eval"],
                 round(metrics["seconds"], 1)],
                ["PCA (truncated SVD)", args.latent_dim, pca_mse["train"], pca_mse["eval"], pca_mse["eval"], "-"],
            ],
        )
    )  # fmt: skip


def write_error_curve(logdir, x_train, latent_dim, train_mse):
    """With matplotlib, logs the autoencoder's training error at its latent size beside PCA's for every rank."""
    import tensorflow as tf

    from keras_mf.cli.experiments.compression import eckart_young_curve
    from keras_mf.training import plots

    if not plots.can_plot("the error-against-latent-size plot"):
        return
    autoencoder = {f"autoencoder, latent {latent_dim}": (latent_dim, train_mse)}
    figure = error_curve_figure(eckart_young_curve(x_train), autoencoder)
    writer = tf.summary.create_file_writer(os.path.join(logdir, "images"))
    with writer.as_default():
        tf.summary.image("reconstruction_mse_vs_latent_size", plots.figure_to_image(figure), step=0)
    writer.close()


def error_curve_figure(curve, autoencoders):
    """PCA's training error against rank (`curve`: ranks, errors) with the autoencoders' `{label: (latent, mse)}`."""
    from keras_mf.training import plots

    ranks, errors = curve
    # Ranks whose error is above 1% of the data's variance: beyond them the curve falls to rounding noise.
    shown = (ranks >= 1) & (errors >= errors[0] / 100)
    return plots.line_figure(
        {"PCA (Eckart–Young)": (ranks[shown], errors[shown])},
        "latent size / rank",
        "training reconstruction MSE",
        "MNIST: error against code size",
        logx=True,
        logy=True,
        points={label: ([latent], [mse]) for label, (latent, mse) in autoencoders.items()},
    )


def main(argv=None):
    """The console entry point: runs the command; exit status 0, 2 for a bad argument, 130 after a Ctrl-C."""
    from keras_mf.training.progress import run_command

    run_command(run, argv)
