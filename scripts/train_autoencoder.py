"""Train an autoencoder on MNIST and compare it with PCA at the same latent size.

Writes TensorBoard logs (loss curves, a per-epoch grid of originals above reconstructions, the PCA
reference error), resumable backups, and the final `.keras` model; prints a result table.

    python scripts/train_autoencoder.py                 # nonlinear 784-256-32 autoencoder
    python scripts/train_autoencoder.py --linear        # the tutorial's linear model (≈ PCA)
    tensorboard --logdir runs
"""

import os
import time

import keras
import numpy as np

from keras_mf import Autoencoder
from keras_mf import TruncatedSVD
from keras_mf import training
from keras_mf.datasets import load_mnist


def parse_args(argv=None):
    parser = training.make_parser("train_autoencoder", __doc__.splitlines()[0], epochs=30, batch_size=128)
    parser.add_argument("--latent-dim", type=int, default=32, help="size of the code")
    parser.add_argument(
        "--hidden-units", type=int, nargs="*", default=[256], help="encoder hidden widths (decoder mirrors them)"
    )
    parser.add_argument("--activation", default="relu", help="hidden activation")
    parser.add_argument("--linear", action="store_true", help="the tutorial's linear model h = W1 x + b1")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's learning rate (cosine decay)")
    parser.add_argument("--pca-init", action="store_true", help="start from the truncated SVD of the data")
    training.add_split_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    training.set_seed(args.seed)
    logdir = training.resolve_logdir(args)
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, targets=None, as_numpy=True)
    x_train = load_mnist(train_split, **load)
    x_eval = load_mnist(eval_split, **load)

    pca = TruncatedSVD(rank=args.latent_dim)
    pca.adapt(x_train)
    pca_train = mse(x_train, pca.reconstruct(x_train))
    pca_eval = mse(x_eval, pca.reconstruct(x_eval))

    strategy = training.get_strategy(args.distribute)
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

    train_mse = mse(x_train, model.predict(x_train, batch_size=1024, verbose=0))
    eval_mse = mse(x_eval, model.predict(x_eval, batch_size=1024, verbose=0))
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
    return {"train_mse": train_mse, "eval_mse": eval_mse, "pca_eval_mse": pca_eval, "logdir": logdir}


def mse(x, x_hat):
    """Mean squared error in float64."""
    return float(np.mean((np.asarray(x, np.float64) - np.asarray(x_hat, np.float64)) ** 2))


if __name__ == "__main__":
    main()
