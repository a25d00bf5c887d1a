"""Train an autoencoder on MNIST and compare it with PCA at the same latent size.

Writes TensorBoard logs (loss curves, the reconstruction MSE beside PCA's in one custom-scalars chart, a
per-epoch grid of originals above reconstructions, a Projector embedding of the evaluation images' codes
coloured by digit, the error against latent size beside PCA's, the model's op graph, the run's HParams row),
resumable backups, and the final `.keras` model; prints a result table.

    keras-mf-autoencoder                 # nonlinear 784-256-32 autoencoder
    keras-mf-autoencoder --linear        # the tutorial's linear model (≈ PCA)
    tensorboard --logdir runs

A linear autoencoder trained on the squared error spans the same subspace as PCA at its code size (Baldi & Hornik
1989), so PCA's error is the floor a linear model reaches and the line a nonlinear one is read against.

References:
    Baldi, P. & Hornik, K. (1989). Neural networks and principal component analysis: learning from examples
    without local minima. Neural Networks 2(1), 53–58. https://doi.org/10.1016/0893-6080(89)90014-2
"""

import os

from keras_mf.training import args as cli_args


def build_parser():
    """The command's `argparse.ArgumentParser`: the shared options (`keras_mf.training.make_parser`, 30 epochs by
    default) and `--latent-dim`, `--hidden-units`, `--activation`, `--linear`, `--learning-rate`, `--pca-init`,
    `--train-split`, `--eval-split`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.train_autoencoder import build_parser
        >>> args = build_parser().parse_args(["--latent-dim", "8", "--linear"])
        >>> args.latent_dim, args.linear, args.epochs, list(args.hidden_units)
        (8, True, 30, [256])
    """
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
    """Options that are wrong together: `--linear` with `--hidden-units` or `--activation` given, and `--pca-init`
    with hidden layers narrower than twice the code or an activation other than ReLU (the PCA start needs both).

    Args:
        args: the parsed namespace (from `build_parser`).

    Returns:
        A message "argument --flag: ..." (str) for argparse's `error`, or None when the options agree.

    Example:
        >>> from keras_mf.cli.train_autoencoder import build_parser, check
        >>> print(check(build_parser().parse_args(["--linear", "--hidden-units", "64"])))
        argument --linear: the linear model has no hidden layers; leave out --hidden-units and --activation
        >>> check(build_parser().parse_args(["--pca-init"])) is None     # 256 hidden units ≥ 2 · 32
        True
    """
    if args.linear and (cli_args.given(args.hidden_units) or cli_args.given(args.activation)):
        return "argument --linear: the linear model has no hidden layers; leave out --hidden-units and --activation"
    narrowest = min(args.hidden_units, default=2 * args.latent_dim)
    if args.pca_init and not args.linear and narrowest < 2 * args.latent_dim:
        return f"argument --pca-init: needs --hidden-units of at least 2 * --latent-dim = {2 * args.latent_dim}"
    if args.pca_init and not args.linear and args.activation != "relu":
        return "argument --pca-init: needs --activation relu (or --linear)"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks.

    Trains the autoencoder on the training split with Adam (cosine-decayed learning rate), beside PCA (the
    truncated SVD of the training images) at the same code size; writes the TensorBoard logs, the model
    `<logdir>/autoencoder.keras` and a resumable backup; prints the result table and the files written.

    Args:
        argv: list of str (the command line without the program name), or None for `sys.argv[1:]`.

    Returns:
        A dict: "train_mse" and "eval_mse" (the autoencoder's reconstruction MSE per pixel, pixels in [0, 1]),
        "pca_eval_mse" (PCA's at the same code size), "seconds" (the whole run's training time) and "logdir".

    Raises:
        SystemExit: status 2 for a bad option (the flag named, before TensorFlow loads and before anything is
            written); status 1 when the loss became NaN/inf.

    References:
        Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015. arXiv:1412.6980.
        https://arxiv.org/abs/1412.6980

        Loshchilov, I. & Hutter, F. (2017). SGDR: stochastic gradient descent with warm restarts. ICLR 2017.
        arXiv:1608.03983. https://arxiv.org/abs/1608.03983

    Example:
        One short epoch on 64 bundled images (a few seconds: the example is in the slow test suite):

        >>> import contextlib, io, os, tempfile
        >>> from keras_mf.cli import train_autoencoder
        >>> logdir = tempfile.mkdtemp()
        >>> argv = ["--data", "bundled", "--train-split", "test[:64]", "--eval-split", "test[8000:8064]",
        ...         "--epochs", "1", "--latent-dim", "2", "--hidden-units", "8", "--logdir", logdir]
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     result = train_autoencoder.run(argv)
        >>> sorted(result), os.path.isfile(os.path.join(logdir, "autoencoder.keras"))
        (['eval_mse', 'logdir', 'pca_eval_mse', 'seconds', 'train_mse'], True)
    """
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
    """The training and evaluation images the options name (`--data`, `--data-dir`, the splits).

    Args:
        args: the parsed namespace.

    Returns:
        A dict: "x_train" float32 `(n_train, 784)`, "x_eval" float32 `(n_eval, 784)` (pixels in [0, 1]) and
        "y_eval" int64 `(n_eval,)` (the digits, for the Projector's colours).

    Example:
        >>> from keras_mf.cli.train_autoencoder import build_parser, load_data
        >>> args = build_parser().parse_args(["--data", "bundled", "--eval-split", "test[9000:]"])
        >>> data = load_data(args)
        >>> data["x_train"].shape, data["x_eval"].shape, data["y_eval"].shape
        ((8000, 784), (1000, 784), (1000,))
    """
    from keras_mf import training
    from keras_mf.datasets import load_mnist

    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    x_eval, y_eval = load_mnist(eval_split, **load)
    return {"x_train": load_mnist(train_split, targets=None, **load), "x_eval": x_eval, "y_eval": y_eval}


def fit_pca(data, rank):
    """The truncated SVD (PCA) of the training images and its reconstruction MSE on both splits.

    Args:
        data: a dict with "x_train" and "x_eval", float arrays `(n, 784)`.
        rank: int, the number of principal components (the autoencoder's code size).

    Returns:
        A tuple `(pca, mse)`: the adapted `keras_mf.layers.TruncatedSVD`, and `{"train": float, "eval": float}`,
        the mean squared error per pixel of PCA's reconstruction.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.train_autoencoder import fit_pca
        >>> x = np.random.default_rng(0).random((50, 6), dtype=np.float32)
        >>> pca, mse = fit_pca({"x_train": x, "x_eval": x}, rank=6)    # all components: exact
        >>> mse["train"] < 1e-10
        True
    """
    from keras_mf import TruncatedSVD
    from keras_mf import training

    pca = TruncatedSVD(rank=rank)
    pca.adapt(data["x_train"])
    mse = {split: training.mse(data[f"x_{split}"], pca.reconstruct(data[f"x_{split}"])) for split in ("train", "eval")}
    return pca, mse


def build_model(args, strategy, pca, examples):
    """The compiled autoencoder (Adam with cosine decay over the run's steps), started from `pca` with --pca-init.

    Args:
        args: the parsed namespace (latent size, hidden units, activation, `--linear`, `--pca-init`, epochs, batch
            size, learning rate).
        strategy: the `tf.distribute.Strategy` to build it under (`keras_mf.training.get_strategy`).
        pca: the adapted `TruncatedSVD` of the training images (used with `--pca-init`).
        examples: int, the number of training images (for the decay's length in steps).

    Returns:
        A built and compiled `keras_mf.models.Autoencoder` on inputs `(batch, 784)`, loss MSE.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.train_autoencoder import build_model, build_parser, fit_pca
        >>> from keras_mf.training import get_strategy
        >>> args = build_parser().parse_args(["--latent-dim", "4", "--hidden-units", "16", "--pca-init"])
        >>> x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
        >>> pca, _ = fit_pca({"x_train": x, "x_eval": x}, 4)
        >>> model = build_model(args, get_strategy("none"), pca, len(x))
        >>> tuple(model.encode(x).shape)
        (64, 4)
    """
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
    latent size and the HParams row.

    Args:
        args: the parsed namespace (with `logdir`).
        model: the trained `Autoencoder`.
        data: the dict of `load_data`.
        pca_mse: `{"train": float, "eval": float}`, PCA's errors (from `fit_pca`).
        seconds: float, the run's training time.

    Returns:
        A tuple `(metrics, files)`: `metrics` with "train_mse", "eval_mse", "pca_eval_mse" and "seconds";
        `files` `{path: what it is}` for `keras_mf.training.report_outputs`.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.train_autoencoder import build_model, build_parser, evaluate_and_log, fit_pca
        >>> from keras_mf.training import get_strategy
        >>> argv = ["--latent-dim", "2", "--linear", "--pca-init", "--logdir", tempfile.mkdtemp()]
        >>> args = build_parser().parse_args(argv)
        >>> x = np.random.default_rng(0).random((16, 784), dtype=np.float32)
        >>> data = {"x_train": x, "x_eval": x, "y_eval": np.arange(16) % 10}
        >>> pca, pca_mse = fit_pca(data, 2)
        >>> model = build_model(args, get_strategy("none"), pca, len(x))
        >>> metrics, files = evaluate_and_log(args, model, data, pca_mse, 1.0)
        >>> sorted(metrics), abs(metrics["eval_mse"] - pca_mse["eval"]) < 1e-5     # started at PCA's optimum
        (['eval_mse', 'pca_eval_mse', 'seconds', 'train_mse'], True)
    """
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
    """Prints the result table: the autoencoder's errors beside PCA's at the same code size.

    Args:
        args: the parsed namespace (its architecture names the model's row).
        metrics: the dict of `evaluate_and_log`.
        pca_mse: `{"train": float, "eval": float}`.

    Example:
        >>> from keras_mf.cli.train_autoencoder import build_parser, print_results
        >>> metrics = {"train_mse": 0.0101, "eval_mse": 0.0112, "seconds": 12.34}
        >>> print_results(build_parser().parse_args([]), metrics, {"train": 0.0174, "eval": 0.0178})
        <BLANKLINE>
        model                latent  train MSE  eval MSE  PCA eval MSE  wall s
        -------------------  ------  ---------  --------  ------------  ------
        AE 784-256-32        32      0.0101     0.0112    0.0178        12.3
        PCA (truncated SVD)  32      0.0174     0.0178    0.0178        -
    """
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
    """With matplotlib, logs the autoencoder's training error at its latent size beside PCA's for every rank
    (image "reconstruction_mse_vs_latent_size" in `<logdir>/images`); without it, says so in one line.

    Args:
        logdir: str, the run folder.
        x_train: float array `(n, 784)`, the training images.
        latent_dim: int, the autoencoder's code size.
        train_mse: float, its training reconstruction MSE.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.train_autoencoder import write_error_curve
        >>> logdir = tempfile.mkdtemp()
        >>> x = np.random.default_rng(0).random((20, 784), dtype=np.float32)
        >>> write_error_curve(logdir, x, latent_dim=4, train_mse=0.05)
        >>> os.listdir(logdir)
        ['images']
    """
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
    """PCA's training error against rank, with the autoencoders' errors as points, on log-log axes.

    Args:
        curve: a tuple `(ranks, errors)` of numpy arrays, as `keras_mf.cli.experiments.compression.
            eckart_young_curve` returns; ranks whose error is below 1% of the rank-0 error are left out.
        autoencoders: `{label: (latent size, training MSE)}`.

    Returns:
        A `matplotlib.figure.Figure`.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.train_autoencoder import error_curve_figure
        >>> curve = (np.arange(5), np.array([1.0, 0.5, 0.2, 0.05, 0.0]))
        >>> figure = error_curve_figure(curve, {"autoencoder, latent 2": (2, 0.15)})
        >>> [line.get_label() for line in figure.axes[0].get_lines()]
        ['PCA (Eckart–Young)', 'autoencoder, latent 2']
    """
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
    """The console entry point `keras-mf-autoencoder`: runs the command (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 1 when the loss became NaN/inf,
            130 after a Ctrl-C (with the line saying where it stopped and how to resume).

    Example:
        >>> from keras_mf.cli.train_autoencoder import main
        >>> try:
        ...     main(["--latent-dim", "0"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.train_autoencoder
    main()
