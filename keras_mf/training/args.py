"""Command-line arguments shared by the console commands, and `type=` checks that name the flag.

Nothing here loads TensorFlow: a command parses (and refuses bad arguments) before it loads data.
"""

import argparse
import atexit
import contextlib
import datetime
import json
import os
import shutil
import sys
import tempfile

from keras_mf import __version__
from keras_mf.datasets import SOURCES
from keras_mf.datasets import sources
from keras_mf.datasets.sources import DATASETS
from keras_mf.datasets.splits import SplitError
from keras_mf.training import STRATEGIES
from keras_mf.training import progress


def make_parser(script, description, training=True, resumable=True, **defaults):
    """Returns an `ArgumentParser` with the options every command shares; `defaults` overrides their defaults.

    Every command gets `--seed`, `--logdir`, `--data`, `--data-dir` and `--version`; a command that trains
    a Keras model (`training=True`) also gets `--epochs` and `--batch-size`, and, when it trains in one
    `fit` that `BackupAndRestore` under `<logdir>/backup` can resume (`resumable=True`), `--resume` and
    `--distribute`. `--help` shows each default once (`HelpFormatter`).

    Args:
        script: str, the command's module name in `keras_mf.cli` ("train_autoencoder"); runs go to
            `runs/<script>/<timestamp>` by default.
        description: str, the text `--help` shows first.
        training: bool, whether the command trains a Keras model.
        resumable: bool, whether a training command can resume (`--resume`, `--distribute`).
        **defaults: `epochs`, `batch_size` or `seed`, overriding the defaults 10, 128 and 0.

    Returns:
        An `argparse.ArgumentParser`; parse with `parse_args` to check the data source and settle `--logdir`.

    Example:
        >>> from keras_mf.training import make_parser
        >>> parser = make_parser("train_autoencoder", "Train an autoencoder.", epochs=20)
        >>> args = parser.parse_args(["--seed", "3"])
        >>> args.epochs, args.batch_size, args.seed, args.data
        (20, 128, 3, 'auto')
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=HelpFormatter)
    add_common_arguments(parser, script, training=training, resumable=resumable, **defaults)
    return parser


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """`--help` with each option's default said once: appended as "(default: ...)" unless the help already says
    it or there is none to say (None, a flag's False); lists read as they are typed, "512 256".

    Pass it as `formatter_class` of an `argparse.ArgumentParser`.

    Example:
        >>> import argparse
        >>> from keras_mf.training.args import HelpFormatter
        >>> parser = argparse.ArgumentParser(prog="demo", formatter_class=HelpFormatter)
        >>> _ = parser.add_argument("--units", type=int, nargs="+", default=[512, 256], help="widths")
        >>> "widths (default: 512 256)" in parser.format_help()
        True
    """

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        # Identity, not equality: a default of 0 (--seed) is said, False (a flag's) is not.
        if "default" in text or default is None or default is False or default == argparse.SUPPRESS:
            return text
        if isinstance(default, (list, tuple)):
            default = " ".join(map(str, default))
        return f"{text} (default: {str(default).replace('%', '%%')})"


def add_common_arguments(parser, script, training=True, resumable=True, epochs=10, batch_size=128, seed=0):
    """Adds the options every command shares to `parser` (see `make_parser`, which calls it).

    Args:
        parser: an `argparse.ArgumentParser`.
        script: str, the command's module name in `keras_mf.cli`; stored as `args.script`.
        training: bool, add `--epochs` and `--batch-size` (a command that trains a Keras model).
        resumable: bool, with `training`, add `--resume` and `--distribute`.
        epochs: int, `--epochs`' default.
        batch_size: int, `--batch-size`'s default.
        seed: int, `--seed`'s default.

    Returns:
        `parser`, with the options added.

    Example:
        >>> import argparse
        >>> from keras_mf.training import add_common_arguments
        >>> parser = add_common_arguments(argparse.ArgumentParser(), "demo", training=False)
        >>> sorted(vars(parser.parse_args([])))
        ['data', 'data_dir', 'logdir', 'rerun_resumes', 'resume', 'script', 'seed']
    """
    # A run a command trains resumes when re-run into the same --logdir (per epoch, or per phase).
    parser.set_defaults(script=script, resume=False, rerun_resumes=training)
    parser.add_argument("--version", action="version", version=f"%(prog)s (keras_mf {__version__})")
    if training:
        parser.add_argument("--epochs", type=positive_int, default=epochs, help="training epochs")
        parser.add_argument("--batch-size", type=positive_int, default=batch_size, help="examples per batch")
    parser.add_argument("--seed", type=int, default=seed, help="seed for weights, shuffling and sampling")
    parser.add_argument(
        "--logdir",
        default=None,
        help=f"TensorBoard log folder (default: runs/{script}/<timestamp>)"
        + ("; re-run with the same --logdir to resume an interrupted run" if training else ""),
    )
    if training and resumable:
        parser.add_argument(
            "--resume", action="store_true", help=f"resume the newest interrupted run under runs/{script}/"
        )
    parser.add_argument("--data", choices=SOURCES, default="auto", help="where MNIST comes from")
    parser.add_argument(
        "--data-dir", default=None, help=f"folder of IDX files for --data idx (or ${DATASETS['mnist']['env']})"
    )
    if training and resumable:
        parser.add_argument(
            "--distribute",
            choices=STRATEGIES,
            default="none",
            help="tf.distribute strategy: mirrored over local GPUs, or multiworker driven by TF_CONFIG",
        )
    return parser


def parse_args(parser, argv=None, check=None, runs_root="runs"):
    """Parses `argv`, checks the data source and `check(args)`, and settles `args.logdir` (see `resolve_logdir`).

    Under `--distribute multiworker` only the chief (see `is_chief`) keeps `--logdir`; any other worker
    gets a temporary folder, deleted when its process exits, for the logs, backups and model every
    worker writes, so that nothing but the chief's output lands where a user looks.

    `check(args)` may return a message about options that are wrong together ("argument --x: ..."). Such
    a message, a data source that cannot give the data (`check_data`), or a folder that cannot be written
    ends the command at once as argparse ends it for a bad value (exit status 2), with the flag named:
    before TensorFlow loads, and with nothing written under `--logdir` (the folder is made by the first
    file the run writes).

    Args:
        parser: the command's `argparse.ArgumentParser` (from `make_parser`).
        argv: list of str, or None for `sys.argv[1:]`.
        check: None, or a function of the parsed namespace returning an error message (str) or None.
        runs_root: str, the folder of default run folders.

    Returns:
        The `argparse.Namespace`, with `args.logdir` set.

    Raises:
        SystemExit: status 2 (argparse's `error`) for a bad option, a bad data source, `check`'s message, an
            unwritable `--logdir`, or `--resume` with nothing to resume; status 0 after `--help` or `--version`.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import make_parser
        >>> from keras_mf.training.args import parse_args
        >>> parser = make_parser("demo", "A demo.")
        >>> logdir = os.path.join(tempfile.mkdtemp(), "run")
        >>> args = parse_args(parser, ["--data", "bundled", "--logdir", logdir])
        >>> args.logdir == logdir, os.path.exists(logdir)      # the first file written makes the folder
        (True, False)
    """
    args = parser.parse_args(argv)
    problem = check_data(args) or (check(args) if check else None)
    if problem:
        parser.error(problem)
    if getattr(args, "distribute", "none") == "multiworker" and not is_chief():
        args.logdir = tempfile.mkdtemp(prefix="keras_mf-worker-")
        atexit.register(shutil.rmtree, args.logdir, ignore_errors=True)
        print(f"keras_mf: not the chief worker: writing to {args.logdir}, deleted at exit", file=sys.stderr)
    try:
        resolve_logdir(args, runs_root, create=False)
    except FileNotFoundError as e:
        parser.error(f"argument --resume: {e}")
    problem = _unwritable(args.logdir)
    if problem:
        parser.error(f"argument --logdir: cannot write to {args.logdir!r}: {problem}")
    progress.begin_run(args.logdir, resumable=args.rerun_resumes)
    return args


def resolve_logdir(args, runs_root="runs", create=True):
    """Sets `args.logdir`: the given one, the newest resumable run (`--resume`), or a new timestamped one.

    Args:
        args: the parsed namespace, with `logdir`, `resume` and `script`.
        runs_root: str, the folder holding `<script>/<timestamp>` run folders.
        create: bool, make the folder.

    Returns:
        The run folder (str), also set as `args.logdir`.

    Raises:
        FileNotFoundError: `--resume` without a run folder holding `backup/` under `<runs_root>/<script>`.

    Example:
        >>> import argparse, os, tempfile
        >>> from keras_mf.training import resolve_logdir
        >>> root = tempfile.mkdtemp()
        >>> args = argparse.Namespace(logdir=None, resume=False, script="demo")
        >>> folder = resolve_logdir(args, runs_root=root)
        >>> os.path.dirname(folder) == os.path.join(root, "demo"), os.path.isdir(folder)
        (True, True)
    """
    root = os.path.join(runs_root, args.script)
    if args.logdir is None and args.resume:
        candidates = sorted(
            d
            for d in (os.listdir(root) if os.path.isdir(root) else [])
            if os.path.isdir(os.path.join(root, d, "backup"))
        )
        if not candidates:
            raise FileNotFoundError(f"no interrupted run (a folder with backup/) under {root}")
        args.logdir = os.path.join(root, candidates[-1])
    if args.logdir is None:
        args.logdir = os.path.join(root, datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    if create:
        os.makedirs(args.logdir, exist_ok=True)
    return args.logdir


def _unwritable(folder):
    """Why files cannot be created in `folder` (None if they can); the folders made to find out are removed."""
    made = []
    path = os.path.abspath(folder)
    while not os.path.exists(path):
        made.append(path)
        path = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return e.strerror or str(e)
    finally:
        for created in made:  # deepest first
            with contextlib.suppress(OSError):
                os.rmdir(created)
    return None


def check_data(args):
    """A message naming the flags when `--data`, `--data-dir` or a split option cannot give the data, else None.

    Decided as `load_mnist` decides it (`keras_mf.datasets.sources`), without TensorFlow: a missing folder, an
    IDX folder without MNIST files, `--data idx` without a folder, `--data tfds` with neither a prepared copy
    nor the network, or a split the source does not hold.

    Args:
        args: the parsed namespace; without a `data` attribute there is nothing to check.

    Returns:
        A message starting "argument --flag: " (str) for argparse's `error`, or None when the data can be read.

    Example:
        >>> import argparse
        >>> from keras_mf.training import check_data
        >>> check_data(argparse.Namespace(data="bundled", data_dir=None, split="test[8000:]")) is None
        True
        >>> print(check_data(argparse.Namespace(data="bundled", data_dir=None, split="train")))
        argument --split: this source holds the splits ['test'], not 'train'; ask for 'test[:8000]' to train ...
    """
    if not hasattr(args, "data"):
        return None
    env = DATASETS["mnist"]["env"]
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        return f"argument --data-dir: no such folder: {args.data_dir!r}"
    if args.data == "idx" and not (args.data_dir or os.environ.get(env)):
        return f"argument --data: --data idx needs --data-dir (a folder of MNIST IDX files) or ${env}"
    if args.data == "tfds":
        folder = os.path.expanduser(args.data_dir or sources.tfds_data_dir())
        if not sources.tfds_prepared("mnist", folder) and sources.offline():
            return (
                f"argument --data: --data tfds needs MNIST prepared by tfds under {folder} or the network "
                "(unreachable, or $KERAS_MF_OFFLINE is set); use --data bundled, or --data idx --data-dir DIR"
            )
    try:
        source = sources.resolve_source(args.data, args.data_dir)
    except ValueError:
        folder = args.data_dir or os.environ.get(env)
        flag = "--data-dir" if args.data_dir else f"--data (${env})"
        return f"argument {flag}: no MNIST IDX files in {folder!r} (t10k-images-idx3-ubyte[.gz] and the others)"
    for dest in ("train_split", "eval_split", "split"):
        value = getattr(args, dest, None)
        if value is not None:
            try:
                sources.split_size(source, value)
            except SplitError as e:
                return f"argument --{dest.replace('_', '-')}: {e.reason} ({source.description})"
    return None


def split_examples(args, split):
    """How many examples `split` selects from the source `--data`/`--data-dir` name (after `check_data`).

    Args:
        args: the parsed namespace, with `data` and `data_dir`.
        split: str, a tfds split string.

    Returns:
        The number of examples (int).

    Raises:
        ValueError: the source cannot be used or does not hold `split` (`check_data` reports these first).

    Example:
        >>> import argparse
        >>> from keras_mf.training import split_examples
        >>> split_examples(argparse.Namespace(data="bundled", data_dir=None), "test[8000:]")
        2000
    """
    return sources.split_size(sources.resolve_source(args.data, args.data_dir), split)


def is_chief(environ=None):
    """Whether this process is the chief of the cluster that `TF_CONFIG` describes (True without `TF_CONFIG`).

    The chief is the task of type "chief", or worker 0 when the cluster names no chief, as
    `MultiWorkerMirroredStrategy` counts them.

    Args:
        environ: a mapping of environment variables, or None for `os.environ`.

    Returns:
        bool.

    Raises:
        ValueError: `TF_CONFIG` is not valid JSON (`json.JSONDecodeError`).

    Example:
        >>> from keras_mf.training import is_chief
        >>> config = '{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}'
        >>> is_chief({"TF_CONFIG": config}), is_chief({})
        (False, True)
    """
    config = json.loads((os.environ if environ is None else environ).get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    if not task or task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and "chief" not in config.get("cluster", {})


class _DefaultList(list):
    """A list default, told apart from the same list given on the command line (see `given`)."""


class _DefaultStr(str):
    """A string default, told apart from the same string given on the command line (see `given`)."""


def default(value):
    """`value` marked as an option's default, for options that conflict with others only when given.

    Args:
        value: a str, list or tuple (the default of an `add_argument`).

    Returns:
        A str or list subclass equal to `value`, which `given` recognises.

    Example:
        >>> from keras_mf.training.args import default, given
        >>> marked = default([256])
        >>> marked == [256], given(marked), given([256])
        (True, False, True)
    """
    return _DefaultList(value) if isinstance(value, (list, tuple)) else _DefaultStr(value)


def given(value):
    """Whether an option marked by `default` was given on the command line.

    Args:
        value: the option's parsed value.

    Returns:
        bool: False when `value` is still the marked default.

    Example:
        >>> from keras_mf.training.args import default, given
        >>> given(default("relu")), given("relu")
        (False, True)
    """
    return not isinstance(value, (_DefaultList, _DefaultStr))


def add_split_arguments(parser):
    """Adds `--train-split` and `--eval-split` (tfds split strings; None means the source's defaults, see
    `keras_mf.training.resolve_splits`).

    Args:
        parser: an `argparse.ArgumentParser`.

    Example:
        >>> import argparse
        >>> from keras_mf.training import add_split_arguments
        >>> parser = argparse.ArgumentParser()
        >>> add_split_arguments(parser)
        >>> vars(parser.parse_args(["--eval-split", "test[8000:]"]))
        {'train_split': None, 'eval_split': 'test[8000:]'}
    """
    parser.add_argument("--train-split", default=None, help="default 'train', or 'test[:8000]' on the bundled data")
    parser.add_argument("--eval-split", default=None, help="default 'test', or 'test[8000:]' on the bundled data")


def positive_int(text):
    """argparse `type=`: an integer ≥ 1.

    Args:
        text: str, the option's text.

    Returns:
        int.

    Raises:
        argparse.ArgumentTypeError: not an integer ≥ 1 (argparse reports it as the flag's error).

    Example:
        >>> from keras_mf.training.args import positive_int
        >>> positive_int("3")
        3
    """
    return int_in(1)(text)


def int_in(low, high=None):
    """argparse `type=` factory: an integer in [low, high] (no upper bound when `high` is None).

    Args:
        low: int, the smallest allowed value.
        high: int or None, the largest allowed value.

    Returns:
        A function of the option's text returning an int, raising `argparse.ArgumentTypeError` outside the range.

    Example:
        >>> from keras_mf.training.args import int_in
        >>> int_in(1, 28)("28")
        28
        >>> int_in(1, 28)("29")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: expected an integer in [1, 28], received 29
    """
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
    """argparse `type=`: a finite float > 0.

    Args:
        text: str, the option's text.

    Returns:
        float.

    Raises:
        argparse.ArgumentTypeError: not a finite number above 0.

    Example:
        >>> from keras_mf.training.args import positive_float
        >>> positive_float("1e-3")
        0.001
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text}")
    return value


def fraction(text):
    """argparse `type=`: a float in (0, 1].

    Args:
        text: str, the option's text.

    Returns:
        float.

    Raises:
        argparse.ArgumentTypeError: not a number in (0, 1].

    Example:
        >>> from keras_mf.training.args import fraction
        >>> fraction("0.25")
        0.25
    """
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1], received {text}")
    return value
