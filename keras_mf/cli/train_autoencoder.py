"""Train an autoencoder on MNIST and compare it with PCA at the same latent size.

Writes TensorBoard logs (loss curves, a per-epoch grid of originals above reconstructions, the PCA
reference error, a Projector embedding of the evaluation images' codes coloured by digit, the error
against latent size beside PCA's, the run's hyperparameters), resumable backups, and the final
`.keras` model; prints a result table.

    keras-mf-autoencoder                 # nonlinear 784-256-32 autoencoder
    keras-mf-autoencoder --linear        # the tutorial's linear model (≈ PCA)
    tensorboard --logdir runs
"""

import os
import time

from keras_mf.training import args as cli_args


def build_parser():
    parser = cli_args.make_parser("train_autoencoder", __doc__.splitlines()[0], epochs=30, batch_size=128)
    parser.add_argument("--latent-dim", type=cli_args.int_in(1, 783), default=32, help="size of the code")
    parser.add_argument(
        "--hidden-units",
        type=cli_args.positive_int,
        nargs="*",
        default=[256],
        help="encoder hidden widths (decoder mirrors them)",
    )
    parser.add_argument("--activation", default="relu", help="hidden activation (a keras.activations name)")
    parser.add_argument("--linear", action="store_true", help="the tutorial's linear model h = W1 x + b1")
    parser.add_argument(
        "--learning-rate", type=cli_args.positive_float, default=1e-3, help="Adam's learning rate (cosine decay)"
    )
    parser.add_argument("--pca-init", action="store_true", help="start from the truncated SVD of the data")
    cli_args.add_split_arguments(parser)
    return parser


def check(args):
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
    import numpy as np

    from keras_mf import Autoencoder
    from keras_mf import TruncatedSVD
    from keras_mf import training
    from keras_mf.datasets import load_mnist

    try:
        keras.activations.get(args.activation)
    except ValueError:
        parser.error(f"argument --activation: unknown activation {args.activation!r}")
    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    logdir = args.logdir
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    x_train = load_mnist(train_split, targets=None, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)

    pca = TruncatedSVD(rank=args.latent_dim)
    pca.adapt(x_train)
    pca_train = training.mse(x_train, pca.reconstruct(x_train))
    pca_eval = training.mse(x_eval, pca.reconstruct(x_eval))

    with strategy.scope():
        model = Autoencoder(
            input_shape=(784,),
            latent_dim=args.latent_dim,
            hidden_units=args.hidden_units,
            activation=args.activation,
            linear=args.linear,
        )
        model.build((None, 784))
        if args.pca_init:
            model.init_from_pca(pca=pca)
        steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")

    callbacks = training.standard_callbacks(logdir)
    callbacks += [
        training.ReconstructionGrid(x_eval[:8], logdir),
        training.ConstantScalars({"pca_reference/eval_mse": pca_eval, "pca_reference/train_mse": pca_train}, logdir),
    ]
    start = time.perf_counter()
    model.fit(
        x_train,
        x_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=(x_eval, x_eval),
        callbacks=callbacks,
        verbose=2,
    )
    wall = time.perf_counter() - start
    training.exit_if_stopped(callbacks)
    model_path = training.atomic_save_model(model, os.path.join(logdir, "autoencoder.keras"))

    train_mse = training.mse(x_train, model.predict(x_train, batch_size=1024, verbose=0))
    eval_mse = training.mse(x_eval, model.predict(x_eval, batch_size=1024, verbose=0))
    codes = keras.ops.convert_to_numpy(model.encode(x_eval))
    training.write_projector(logdir, codes, y_eval, images=x_eval)
    write_error_curve(logdir, x_train, args.latent_dim, train_mse)
    metrics = {"train_mse": train_mse, "eval_mse": eval_mse, "pca_eval_mse": pca_eval}
    training.log_hparams(logdir, args, metrics)
    name = "linear AE" if args.linear else f"AE {'-'.join(map(str, [784, *args.hidden_units, args.latent_dim]))}"
    print()
    print(
        training.format_table(
            ["model", "latent", "train MSE", "eval MSE", "PCA eval MSE", "wall s"],
            [
                [name, args.latent_dim, train_mse, eval_mse, pca_eval, round(wall, 1)],
                ["PCA (truncated SVD)", args.latent_dim, pca_train, pca_eval, pca_eval, "-"],
            ],
        )
    )
    print(f"\nmodel: {model_path}\nlogs:  {logdir}  (tensorboard --logdir {os.path.dirname(logdir)})")
    return {**metrics, "logdir": logdir}


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
    """The console entry point: runs the command, exit status 0 (argparse exits 2 on a bad argument)."""
    run(argv)
