"""Draw the README's figures from the bundled MNIST test images, with our own code.

Writes four small PNGs (about a minute on two CPU cores):
  reconstructions.png    originals, PCA's and the autoencoder's reconstructions at the same code size
  error_vs_rank.png      PCA's reconstruction error for every rank (Eckart–Young) and the autoencoders'
  principal_components.png   the mean digit and the leading principal components ("eigendigits")
  symnmf_confusion.png   SymNMF clusters of the k-NN graph against the true digits

    python scripts/make_figures.py            # writes docs/*.png
"""

import argparse
import contextlib
import io
import os
import tempfile

from keras_mf import __version__
from keras_mf.training import args as cli_args

FIGURES = ("reconstructions.png", "error_vs_rank.png", "principal_components.png", "symnmf_confusion.png")


def build_parser():
    """The script's `argparse.ArgumentParser`: `--out`, `--seed`, `--epochs`, `--latent-dims`, `--cluster-images`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.make_figures import build_parser
        >>> args = build_parser().parse_args([])
        >>> args.out, args.epochs, args.latent_dims, args.cluster_images
        ('docs', 15, [8, 32], 10000)
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=cli_args.HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s (keras_mf {__version__})")
    parser.add_argument("--out", default="docs", help="folder the PNGs are written to")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, shuffling and SymNMF restarts")
    parser.add_argument("--epochs", type=cli_args.positive_int, default=15, help="autoencoder training epochs")
    parser.add_argument(
        "--latent-dims", type=cli_args.int_in(1, 783), nargs="+", default=[8, 32], help="autoencoder code sizes"
    )
    parser.add_argument(
        "--cluster-images", type=cli_args.int_in(20, 10000), default=10000, help="test images SymNMF clusters"
    )
    return parser


def run(argv=None):
    """Draws the figures into `--out` and returns their paths.

    Trains an autoencoder per `--latent-dims` on the 8,000 bundled training images (`keras-mf-autoencoder`'s
    `run`, its logs in a temporary folder), fits PCA at the largest code size, and clusters the first
    `--cluster-images` test images with SymNMF (`keras_mf.graph.pipeline.cluster`, 10 clusters, 5 restarts).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Returns:
        The paths (str) of the four PNGs, in the order of `FIGURES`; an empty list without matplotlib.

    Raises:
        SystemExit: status 2 for a bad option.

    Example:
        A run trains on 8,000 images (tens of seconds even at one epoch: tests/cli/test_make_figures.py runs it);
        `--cluster-images` below the 20 that a 10-neighbour graph of 10 clusters needs is refused first:

        >>> import contextlib, io
        >>> from keras_mf.cli import make_figures
        >>> with contextlib.redirect_stderr(io.StringIO()) as err:
        ...     try:
        ...         make_figures.run(["--epochs", "1", "--cluster-images", "10"])
        ...     except SystemExit as exit:
        ...         print("exit status", exit.code)
        exit status 2
        >>> print(err.getvalue().splitlines()[-1].split(": ", 1)[1])       # after the program's name
        error: argument --cluster-images: expected an integer in [20, 10000], received 10
    """
    args = build_parser().parse_args(argv)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    import keras
    import numpy as np

    from keras_mf import TruncatedSVD
    from keras_mf.cli import train_autoencoder
    from keras_mf.cli.experiments.compression import eckart_young_curve
    from keras_mf.datasets import load_mnist
    from keras_mf.training import plots
    from keras_mf.training import progress
    from keras_mf.training.progress import phase

    if not plots.can_plot("the README figures"):
        return []
    os.makedirs(args.out, exist_ok=True)
    x_train = load_mnist("test[:8000]", source="bundled", targets=None, as_numpy=True)
    x_eval, y_eval = load_mnist("test[8000:]", source="bundled", as_numpy=True)

    # The autoencoders are trained by the autoencoder command itself; its logs go to a temporary folder, so its
    # report (the files it wrote, the tensorboard line) would point at nothing and is left out.
    autoencoders = {}
    with tempfile.TemporaryDirectory() as scratch, phase(f"training the autoencoders (latent {args.latent_dims})"):
        for latent in args.latent_dims:
            logdir = os.path.join(scratch, str(latent))
            with contextlib.redirect_stdout(io.StringIO()):
                result = train_autoencoder.run(
                    ["--data", "bundled", "--epochs", str(args.epochs), "--latent-dim", str(latent),
                     "--seed", str(args.seed), "--logdir", logdir]
                )  # fmt: skip
            model = keras.saving.load_model(os.path.join(logdir, "autoencoder.keras"))
            autoencoders[latent] = (model, result["train_mse"])
    progress.begin_run(None, resumable=False)  # the autoencoders' runs were temporary
    largest = max(autoencoders)
    pca = TruncatedSVD(rank=largest)
    pca.adapt(x_train)

    # One example of each digit from the evaluation split.
    examples = x_eval[[int(np.flatnonzero(y_eval == digit)[0]) for digit in range(10)]]
    rows = {
        "original": examples,
        f"PCA, rank {largest}": keras.ops.convert_to_numpy(pca.reconstruct(examples)),
        f"autoencoder, latent {largest}": keras.ops.convert_to_numpy(autoencoders[largest][0](examples)),
    }
    paths = [os.path.join(args.out, name) for name in FIGURES]
    _save(image_grid_figure(rows), paths[0])
    points = {f"autoencoder, latent {latent}": (latent, mse) for latent, (_, mse) in sorted(autoencoders.items())}
    _save(train_autoencoder.error_curve_figure(eckart_young_curve(x_train), points), paths[1])
    _save(principal_components_figure(x_train), paths[2])
    with phase(f"SymNMF of {args.cluster_images} test images"):
        _save(symnmf_confusion_figure(args.cluster_images, args.seed), paths[3])
    for path in paths:
        print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")
    return paths


def image_grid_figure(rows):
    """Digits in rows, each row labelled on its left (grey levels in [0, 1], ink dark).

    Args:
        rows: `{row label: (count, 784) float images}`, the same count in each row.

    Returns:
        A `matplotlib.figure.Figure` with one axes per image.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.make_figures import image_grid_figure
        >>> figure = image_grid_figure({"original": np.zeros((3, 784)), "PCA": np.ones((3, 784))})
        >>> len(figure.axes)
        6
    """
    from keras_mf.training import plots

    count = len(next(iter(rows.values())))
    figure = plots.new_figure(0.55 * count + 1.6, 0.6 * len(rows) + 0.1)
    grid = figure.subplots(len(rows), count, squeeze=False)
    for i, (label, images) in enumerate(rows.items()):
        for j in range(count):
            axes = grid[i, j]
            axes.imshow(images[j].reshape(28, 28).clip(0, 1), cmap="gray_r", vmin=0, vmax=1)
            axes.set_xticks([])
            axes.set_yticks([])
        grid[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    return figure


def principal_components_figure(x, count=9):
    """The mean image and the first `count` principal components of x, each titled with its share of the variance.

    Components are drawn on a symmetric red-blue scale (a component's sign is arbitrary).

    Args:
        x: float images `(n, 784)`, n > `count`.
        count: int, the number of components.

    Returns:
        A `matplotlib.figure.Figure` of `count + 1` images.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.make_figures import principal_components_figure
        >>> x = np.random.default_rng(0).random((50, 784), dtype=np.float32)
        >>> figure = principal_components_figure(x, count=3)
        >>> [axes.get_title().split(":")[0] for axes in figure.axes]
        ['mean', 'PC 1', 'PC 2', 'PC 3']
    """
    import keras
    import numpy as np

    from keras_mf import TruncatedSVD

    pca = TruncatedSVD(rank=count)
    pca.adapt(x)
    components = keras.ops.convert_to_numpy(pca.components).T
    ratios = keras.ops.convert_to_numpy(pca.explained_variance_ratio)
    figure = image_grid_figure({"": np.zeros((count + 1, 784))})
    axes = figure.axes
    axes[0].images[0].set_data(keras.ops.convert_to_numpy(pca.mean).reshape(28, 28))
    axes[0].set_title("mean", fontsize=8)
    for i in range(count):
        # Components have either sign; a symmetric colour scale shows which pixels add and which remove ink.
        limit = np.abs(components[i]).max()
        image = axes[i + 1].images[0]
        image.set_data(components[i].reshape(28, 28))
        image.set_cmap("RdBu_r")
        image.set_clim(-limit, limit)
        axes[i + 1].set_title(f"PC {i + 1}: {ratios[i]:.0%}", fontsize=8)
    return figure


def symnmf_confusion_figure(count, seed):
    """SymNMF (10 clusters, 5 restarts, as `keras-mf-cluster` runs it) of the normalised 10-NN graph of
    the first `count` test images, clusters ordered to match the digits.

    Args:
        count: int, the number of bundled test images, ≥ 20.
        seed: int, SymNMF's random starts.

    Returns:
        A `matplotlib.figure.Figure`: the confusion matrix, titled with the clustering accuracy.

    Example:
        >>> from keras_mf.cli.make_figures import symnmf_confusion_figure
        >>> figure = symnmf_confusion_figure(100, seed=0)
        >>> figure.axes[0].get_title()
        'SymNMF on 100 MNIST digits: accuracy ...%'
    """
    import numpy as np

    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import contingency_table
    from keras_mf.cluster.metrics import linear_sum_assignment
    from keras_mf.datasets import load_mnist
    from keras_mf.graph.pipeline import cluster
    from keras_mf.training import plots

    x, y = load_mnist(f"test[:{count}]", source="bundled", as_numpy=True)
    labels = cluster(x, 10, n_init=5, max_iter=3000, random_state=seed, spectral=False)["symnmf_labels"]
    table = contingency_table(y, labels)
    # Clusters in the order of the digits they match; a cluster left empty by SymNMF has no column.
    _, order = linear_sum_assignment(-table)
    order = [column for column in order if column < table.shape[1]]
    title = f"SymNMF on {count} MNIST digits: accuracy {clustering_accuracy(y, labels):.1%}"
    figure = plots.confusion_figure(table[:, np.asarray(order)], title)
    figure.axes[0].set_xlabel("cluster (ordered by the digit it matches best)")
    return figure


def _save(figure, path):
    from keras_mf.training import atomic_write_bytes
    from keras_mf.training import plots

    atomic_write_bytes(path, plots.figure_to_png(figure))


def main(argv=None):
    """The script's entry point (`python scripts/make_figures.py`): draws the figures (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 130 after a Ctrl-C.

    Example:
        >>> from keras_mf.cli.make_figures import main
        >>> try:
        ...     main(["--cluster-images", "5"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.make_figures
    main()
