"""Command-line arguments shared by every training script."""

import argparse
import datetime
import os

from keras_mf.datasets import load_mnist

DATA_SOURCES = ("auto", "tfds", "idx", "bundled")
DISTRIBUTE = ("none", "mirrored", "multiworker")


def make_parser(script, description, **defaults):
    """Returns an `ArgumentParser` with the common arguments; `defaults` overrides their defaults.

    Example:

    >>> parser = make_parser("train_autoencoder", "Train an autoencoder.", epochs=20)
    >>> args = parser.parse_args(["--seed", "3"])
    >>> args.epochs, args.seed
    (20, 3)
    """
    parser = argparse.ArgumentParser(
        prog=f"{script}.py",
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_common_arguments(parser, script, **defaults)
    return parser


def add_common_arguments(parser, script, epochs=10, batch_size=128, seed=0):
    parser.set_defaults(script=script)
    parser.add_argument("--epochs", type=_positive_int, default=epochs, help="training epochs")
    parser.add_argument("--batch-size", type=_positive_int, default=batch_size, help="examples per batch")
    parser.add_argument("--seed", type=int, default=seed, help="seed for weights, shuffling and sampling")
    parser.add_argument(
        "--logdir",
        default=None,
        help=f"TensorBoard log folder (default runs/{script}/<timestamp>); "
        "re-run with the same --logdir to resume an interrupted run",
    )
    parser.add_argument(
        "--resume", action="store_true", help=f"resume the newest interrupted run under runs/{script}/"
    )
    parser.add_argument("--data", choices=DATA_SOURCES, default="auto", help="where MNIST comes from")
    parser.add_argument(
        "--data-dir", default=None, help="folder of IDX files for --data idx (or $KERAS_MF_MNIST_DIR)"
    )
    parser.add_argument(
        "--distribute",
        choices=DISTRIBUTE,
        default="none",
        help="tf.distribute strategy: mirrored over local GPUs, or multiworker driven by TF_CONFIG",
    )
    return parser


def resolve_logdir(args, runs_root="runs"):
    """Sets `args.logdir`: the given one, the newest resumable run (`--resume`), or a new timestamped one."""
    root = os.path.join(runs_root, args.script)
    if args.logdir is None and args.resume:
        candidates = sorted(
            d for d in (os.listdir(root) if os.path.isdir(root) else [])
            if os.path.isdir(os.path.join(root, d, "backup"))
        )
        if not candidates:
            raise SystemExit(f"--resume: no interrupted run (a folder with backup/) under {root}")
        args.logdir = os.path.join(root, candidates[-1])
    if args.logdir is None:
        args.logdir = os.path.join(root, datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(args.logdir, exist_ok=True)
    return args.logdir


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text}")
    return value


def resolve_splits(args):
    """`(train_split, eval_split)`: `--train-split`/`--eval-split` when given, else ("train", "test")
    when the source has MNIST's training split, else the bundled test split cut 8,000 / 2,000."""
    if args.train_split and args.eval_split:
        return args.train_split, args.eval_split
    try:
        load_mnist("train[:1]", source=args.data, data_dir=args.data_dir, as_numpy=True, verbose=False)
        defaults = ("train", "test")
    except ValueError:
        defaults = ("test[:8000]", "test[8000:]")
    return args.train_split or defaults[0], args.eval_split or defaults[1]


def add_split_arguments(parser):
    parser.add_argument("--train-split", default=None, help="default 'train', or 'test[:8000]' on the bundled data")
    parser.add_argument("--eval-split", default=None, help="default 'test', or 'test[8000:]' on the bundled data")
