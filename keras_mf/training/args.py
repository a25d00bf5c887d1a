"""Command-line arguments shared by the console commands, and `type=` checks that name the flag.

Nothing here loads TensorFlow: a command parses (and refuses bad arguments) before it loads data.
"""

import argparse
import atexit
import datetime
import json
import os
import shutil
import sys
import tempfile

from keras_mf import __version__
from keras_mf.datasets import SOURCES
from keras_mf.training import STRATEGIES


def make_parser(script, description, training=True, resumable=True, **defaults):
    """Returns an `ArgumentParser` with the options every command shares; `defaults` overrides their defaults.

    Every command gets `--seed`, `--logdir`, `--data`, `--data-dir` and `--version`; a command that trains
    a Keras model (`training=True`) also gets `--epochs` and `--batch-size`, and, when it trains in one
    `fit` that `BackupAndRestore` under `<logdir>/backup` can resume (`resumable=True`), `--resume` and
    `--distribute`.

    Example:

    >>> parser = make_parser("train_autoencoder", "Train an autoencoder.", epochs=20)
    >>> args = parser.parse_args(["--seed", "3"])
    >>> args.epochs, args.seed
    (20, 3)
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_common_arguments(parser, script, training=training, resumable=resumable, **defaults)
    return parser


def add_common_arguments(parser, script, training=True, resumable=True, epochs=10, batch_size=128, seed=0):
    parser.set_defaults(script=script, resume=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s (keras_mf {__version__})")
    if training:
        parser.add_argument("--epochs", type=positive_int, default=epochs, help="training epochs")
        parser.add_argument("--batch-size", type=positive_int, default=batch_size, help="examples per batch")
    parser.add_argument("--seed", type=int, default=seed, help="seed for weights, shuffling and sampling")
    parser.add_argument(
        "--logdir",
        default=None,
        help=f"TensorBoard log folder (default runs/{script}/<timestamp>)"
        + ("; re-run with the same --logdir to resume an interrupted run" if training else ""),
    )
    if training and resumable:
        parser.add_argument(
            "--resume", action="store_true", help=f"resume the newest interrupted run under runs/{script}/"
        )
    parser.add_argument("--data", choices=SOURCES, default="auto", help="where MNIST comes from")
    parser.add_argument("--data-dir", default=None, help="folder of IDX files for --data idx (or $KERAS_MF_MNIST_DIR)")
    if training and resumable:
        parser.add_argument(
            "--distribute",
            choices=STRATEGIES,
            default="none",
            help="tf.distribute strategy: mirrored over local GPUs, or multiworker driven by TF_CONFIG",
        )
    return parser


def parse_args(parser, argv=None, check=None, runs_root="runs"):
    """Parses `argv` and settles `args.logdir` (see `resolve_logdir`), checking that it can be written.

    Under `--distribute multiworker` only the chief (see `is_chief`) keeps `--logdir`; any other worker
    gets a temporary folder, deleted when its process exits, for the logs, backups and model every
    worker writes, so that nothing but the chief's output lands where a user looks.

    `check(args)` may return a message about options that are wrong together ("argument --x: ..."). Such
    a message, or a folder that cannot be created or written, ends the command at once as argparse ends
    it for a bad value, with the flag named: before any data is loaded or anything trained.
    """
    args = parser.parse_args(argv)
    problem = check(args) if check else None
    if problem:
        parser.error(problem)
    if getattr(args, "distribute", "none") == "multiworker" and not is_chief():
        args.logdir = tempfile.mkdtemp(prefix="keras_mf-worker-")
        atexit.register(shutil.rmtree, args.logdir, ignore_errors=True)
        print(f"keras_mf: not the chief worker: writing to {args.logdir}, deleted at exit", file=sys.stderr)
    try:
        resolve_logdir(args, runs_root)
        with tempfile.TemporaryFile(dir=args.logdir):
            pass
    except OSError as e:
        parser.error(f"argument --logdir: cannot write to {args.logdir!r}: {e.strerror or e}")
    return args


def resolve_logdir(args, runs_root="runs"):
    """Sets `args.logdir`: the given one, the newest resumable run (`--resume`), or a new timestamped one."""
    root = os.path.join(runs_root, args.script)
    if args.logdir is None and args.resume:
        candidates = sorted(
            d
            for d in (os.listdir(root) if os.path.isdir(root) else [])
            if os.path.isdir(os.path.join(root, d, "backup"))
        )
        if not candidates:
            raise SystemExit(f"--resume: no interrupted run (a folder with backup/) under {root}")
        args.logdir = os.path.join(root, candidates[-1])
    if args.logdir is None:
        args.logdir = os.path.join(root, datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(args.logdir, exist_ok=True)
    return args.logdir


def is_chief(environ=None):
    """Whether this process is the chief of the cluster that `TF_CONFIG` describes (True without `TF_CONFIG`).

    The chief is the task of type "chief", or worker 0 when the cluster names no chief, as
    `MultiWorkerMirroredStrategy` counts them.

    Example:

    >>> is_chief({"TF_CONFIG": '{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}'})
    False
    """
    config = json.loads((os.environ if environ is None else environ).get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    if not task or task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and "chief" not in config.get("cluster", {})


def add_split_arguments(parser):
    parser.add_argument("--train-split", default=None, help="default 'train', or 'test[:8000]' on the bundled data")
    parser.add_argument("--eval-split", default=None, help="default 'test', or 'test[8000:]' on the bundled data")


def positive_int(text):
    """argparse `type=`: an integer ≥ 1."""
    return int_in(1)(text)


def int_in(low, high=None):
    """argparse `type=` factory: an integer in [low, high] (no upper bound when `high` is None)."""
    bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer {bounds}, received {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected an integer {bounds}, received {text}")
        return value

    return parse


def positive_float(text):
    """argparse `type=`: a finite float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text}")
    return value


def fraction(text):
    """argparse `type=`: a float in (0, 1]."""
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1], received {text}")
    return value
