"""Compress a trained MNIST classifier's Dense layers by truncated SVD and fine-tune it.

Trains a small MLP, replaces its Dense layers by LowRankDense at several parameter budgets, and reports
rank, parameters and accuracy before and after a short fine-tune; also logs TruncatedSVD's
reconstruction error against rank on MNIST (scalars and a plotted image) to TensorBoard.

    python scripts/compress_mnist.py --fractions 0.5 0.25 0.1
"""

import os
import time

import keras
import numpy as np
import tensorflow as tf

from keras_mf import TruncatedSVD
from keras_mf import compress
from keras_mf import training
from keras_mf.datasets import load_mnist


def parse_args(argv=None):
    parser = training.make_parser("compress_mnist", __doc__.splitlines()[0], epochs=10, batch_size=128)
    parser.add_argument("--hidden-units", type=int, nargs="+", default=[512, 256], help="MLP hidden widths")
    parser.add_argument(
        "--fractions", type=float, nargs="+", default=[0.5, 0.25, 0.1], help="kernel-parameter budgets to try"
    )
    parser.add_argument("--fine-tune-epochs", type=int, default=3, help="epochs of fine-tuning after compression")
    parser.add_argument("--ranks", type=int, nargs="+", default=[8, 16, 32, 64, 128], help="ranks for the SVD curve")
    training.add_split_arguments(parser)
    return parser.parse_args(argv)


def build_mlp(hidden_units):
    layers = [keras.Input((784,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden_units]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers, name="mlp")
    _compile(model, 1e-3)
    return model


def _compile(model, learning_rate):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def dense_parameters(model):
    return sum(int(np.prod(w.shape)) for layer in model.layers for w in layer.weights)


def run_compression(model, x_train, y_train, x_eval, y_eval, fractions, fine_tune_epochs, batch_size):
    """Returns rows (fraction, ranks, params, accuracy before and after fine-tune) for each budget."""
    rows = []
    for fraction in fractions:
        small, report = compress(model, param_fraction=fraction)
        _compile(small, 3e-4)
        before = float(small.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
        small.fit(x_train, y_train, epochs=fine_tune_epochs, batch_size=batch_size, verbose=0)
        after = float(small.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
        ranks = "/".join(str(r["rank"]) for r in report if r["rank"] is not None)
        rows.append([fraction, ranks, dense_parameters(small), before, after])
    return rows


def main(argv=None):
    args = parse_args(argv)
    training.set_seed(args.seed)
    logdir = training.resolve_logdir(args)
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, as_numpy=True)
    x_train, y_train = load_mnist(train_split, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)

    start = time.perf_counter()
    with training.get_strategy(args.distribute).scope():
        model = build_mlp(args.hidden_units)
    callbacks = training.standard_callbacks(logdir)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, callbacks=callbacks, verbose=2)
    base_accuracy = float(model.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
    training.atomic_save_model(model, os.path.join(logdir, "mlp.keras"))
    rows = [["1.0 (original)", "-", dense_parameters(model), base_accuracy, base_accuracy]]
    rows += run_compression(
        model, x_train, y_train, x_eval, y_eval, args.fractions, args.fine_tune_epochs, args.batch_size
    )
    curve = svd_error_curve(np.concatenate([x_train, x_eval]), args.ranks)
    write_logs(logdir, rows, curve)
    print()
    print(training.format_table(["budget", "ranks", "parameters", "acc before FT", "acc after FT"], rows))
    print()
    print(training.format_table(["rank", "TruncatedSVD reconstruction MSE"], [[r, e] for r, e in curve]))
    print(f"\nwall {time.perf_counter() - start:.1f} s; logs: {logdir}")
    return {"rows": rows, "curve": curve}


def svd_error_curve(x, ranks):
    """Per-pixel MSE of TruncatedSVD's reconstruction at each rank."""
    curve = []
    for rank in ranks:
        layer = TruncatedSVD(rank=rank)
        layer.adapt(x)
        curve.append((rank, float(np.mean((x - layer.reconstruct(x).numpy()) ** 2))))
    return curve


def write_logs(logdir, rows, curve):
    writer = tf.summary.create_file_writer(os.path.join(logdir, "compression"))
    with writer.as_default():
        for i, (budget, ranks, params, before, after) in enumerate(rows):
            tf.summary.scalar("compression/parameters", params, step=i)
            tf.summary.scalar("compression/accuracy_before_fine_tune", before, step=i)
            tf.summary.scalar("compression/accuracy_after_fine_tune", after, step=i)
            tf.summary.text("compression/budget", f"{budget}: ranks {ranks}", step=i)
        for rank, error in curve:
            tf.summary.scalar("svd/reconstruction_mse_vs_rank", error, step=rank)
        tf.summary.image("svd/reconstruction_mse_vs_rank", plot_curve(curve)[None, :, :, None], step=0)
    writer.flush()


def plot_curve(points, height=120, width=240, margin=10):
    """A minimal line plot as a grayscale image in [0, 1] (white background, dark line and dots)."""
    image = np.ones((height, width), np.float32)
    xs = np.log2([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    px = margin + (xs - xs.min()) / max(np.ptp(xs), 1e-12) * (width - 2 * margin)
    py = height - margin - (ys - ys.min()) / max(np.ptp(ys), 1e-12) * (height - 2 * margin)
    image[height - margin, margin : width - margin] = 0.6
    image[margin : height - margin, margin] = 0.6
    for (x0, y0), (x1, y1) in zip(zip(px, py), zip(px[1:], py[1:])):
        for t in np.linspace(0, 1, 200):
            image[int(round(y0 + t * (y1 - y0))), int(round(x0 + t * (x1 - x0)))] = 0.0
    for x, y in zip(px, py):
        image[max(int(y) - 2, 0) : int(y) + 3, max(int(x) - 2, 0) : int(x) + 3] = 0.0
    return image


if __name__ == "__main__":
    main()
