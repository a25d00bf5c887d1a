"""The one experiment every command declares to TensorBoard's HParams dashboard (see `keras_mf.training.hparams`):
the options of all commands and the final metrics of each, so that `tensorboard --logdir runs` shows one readable
row per run, named by its command and folder, whichever commands ran there."""

import functools
import importlib
import os

# Console command -> its module in keras_mf.cli.
COMMANDS = {
    "keras-mf-autoencoder": "train_autoencoder",
    "keras-mf-rnn": "train_rnn",
    "keras-mf-compress": "compress_mnist",
    "keras-mf-cluster": "snmf_mnist",
    "keras-mf-deep-cluster": "cluster_mnist",
}
# The hparam columns TensorBoard shows at first (it shows five): what any run is.
SHOWN = ("command", "options", "data", "seed", "epochs")
# Every command's final metrics, `(name, column, description)`, in column order: TensorBoard shows the first
# five, so they are the ones each command is read by.
METRICS = (
    ("eval_mse", "eval MSE", "keras-mf-autoencoder: reconstruction MSE on the evaluation split"),
    ("pca_eval_mse", "PCA eval MSE", "keras-mf-autoencoder: PCA's reconstruction MSE at the same code size"),
    ("eval_accuracy", "eval accuracy", "keras-mf-rnn, keras-mf-compress: the trained model on the evaluation split"),
    ("cluster_accuracy", "cluster accuracy", "keras-mf-cluster (SymNMF), keras-mf-deep-cluster: against the labels"),
    ("cluster_nmi", "cluster NMI", "keras-mf-cluster (SymNMF), keras-mf-deep-cluster: NMI against the labels"),
    ("seconds", "wall s", "the whole run's time in seconds (interrupted parts included)"),
    ("train_mse", "train MSE", "keras-mf-autoencoder: reconstruction MSE on the training split"),
    ("compressed_accuracy", "compressed accuracy", "keras-mf-compress: smallest budget, after fine-tuning"),
    ("compressed_parameters", "compressed parameters", "keras-mf-compress: Dense parameters at the smallest budget"),
    ("spectral_accuracy", "spectral accuracy", "keras-mf-cluster: spectral clustering on the same graph"),
    ("spectral_nmi", "spectral NMI", "keras-mf-cluster: spectral clustering's NMI"),
)
_HIDDEN = ("help", "version", "logdir", "resume")


@functools.cache
def _parsers():
    return {name: importlib.import_module(f"keras_mf.cli.{module}").build_parser() for name, module in COMMANDS.items()}


@functools.cache
def hparam_kinds():
    """Every command's options as HParams columns; a dest whose kind differs between commands is a string.

    A default of None (a rule computed from the data, e.g. `keras-mf-deep-cluster`'s `--epochs`) says nothing about
    the kind: the other commands' defaults decide, or it is a string.

    Returns:
        `{dest: (flag, help, kind, choices)}`: the last option string ("--latent-dim"), its help, "number",
        "bool" or "string", and the allowed values as strings (or None). Cached: computed once per process.

    Example:
        >>> from keras_mf.cli._experiment import hparam_kinds
        >>> hparam_kinds()["latent_dim"][:3]
        ('--latent-dim', 'size of the code', 'number')
    """
    kinds, votes = {}, {}
    for parser in _parsers().values():
        for action in parser._actions:
            if action.dest in _HIDDEN or not action.option_strings:
                continue
            votes.setdefault(action.dest, set()).add(_kind(action))
            choices = [str(c) for c in action.choices] if action.choices else None
            kinds[action.dest] = (action.option_strings[-1], action.help or "", choices)
    merged = {dest: votes[dest] - {None} for dest in kinds}
    return {
        dest: (flag, help_text, next(iter(merged[dest])) if len(merged[dest]) == 1 else "string", choices)
        for dest, (flag, help_text, choices) in kinds.items()
    }


def _kind(action):
    """ "bool", "number" or "string" from the option's action and default; None for a None default."""
    if action.const is True and action.nargs == 0:  # store_true
        return "bool"
    default = action.default
    if action.nargs in ("+", "*") or action.choices:
        return "string"
    if default is None:
        return None
    return "number" if isinstance(default, (int, float)) and not isinstance(default, bool) else "string"


@functools.cache
def experiment():
    """The HParams experiment every command writes (the same for all, so TensorBoard may pick any run's).

    Returns:
        A `tensorboard.plugins.hparams.api_pb2.Experiment`: "command" and "options" first, then every option of
        every command, and the metrics of `METRICS` in their order. Cached: built once per process.

    Example:
        >>> from keras_mf.cli._experiment import experiment
        >>> [info.name for info in experiment().hparam_infos][:2], len(experiment().metric_infos)
        (['command', 'options'], 11)
    """
    from keras_mf.training.hparams import experiment_summary

    hparams = [
        ("command", "command", "the console command", "string", list(COMMANDS)),
        ("options", "options", "the options given, as typed (defaults left out)", "string", None),
    ]
    hparams += [(dest, flag, text, kind, choices) for dest, (flag, text, kind, choices) in hparam_kinds().items()]
    return experiment_summary(hparams, METRICS, shown=SHOWN)


def options(parser, args):
    """The options of `args` that differ from `parser`'s defaults, as they would be typed.

    Args:
        parser: the command's `argparse.ArgumentParser`.
        args: the parsed namespace.

    Returns:
        str, e.g. "--epochs 5 --linear" (`--help`, `--version`, `--logdir` and `--resume` left out).

    Example:
        >>> from keras_mf.cli._experiment import options
        >>> from keras_mf.cli.train_autoencoder import build_parser
        >>> parser = build_parser()
        >>> options(parser, parser.parse_args(["--epochs", "5", "--linear", "--logdir", "x"]))
        '--epochs 5 --linear'
    """
    typed = []
    for action in parser._actions:
        value = getattr(args, action.dest, None)
        if action.dest in _HIDDEN or not action.option_strings or value == action.default:
            continue
        if action.const is True and action.nargs == 0:
            typed.append(action.option_strings[-1])
        else:
            shown = " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            typed.append(f"{action.option_strings[-1]} {shown}")
    return " ".join(typed)


def log_run(logdir, args, metrics):
    """Writes the run's HParams session: its command, options and final `metrics` (names from `METRICS`).

    The row is named "<command without keras-mf->: <run folder>" in the "Trial ID" column.

    Args:
        logdir: str, the run folder.
        args: the command's parsed namespace (its `script` names the command).
        metrics: `{name: number}`, each name one of `METRICS`.

    Raises:
        ValueError: a metric not declared in `METRICS`.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.cli._experiment import log_run
        >>> from keras_mf.cli.train_rnn import build_parser
        >>> logdir = tempfile.mkdtemp()
        >>> log_run(logdir, build_parser().parse_args([]), {"eval_accuracy": 0.97, "seconds": 60.0})
        >>> any(name.startswith("events.out.tfevents") for name in os.listdir(logdir))
        True
    """
    from keras_mf.training.hparams import hparam_values
    from keras_mf.training.hparams import log_hparams

    command = next(name for name, module in COMMANDS.items() if module == args.script)
    unknown = set(metrics) - {name for name, _, _ in METRICS}
    if unknown:
        raise ValueError(f"metrics {sorted(unknown)} are not declared in keras_mf.cli._experiment.METRICS")
    kinds = hparam_kinds()
    values = {"command": command, "options": options(_parsers()[command], args)}
    for name, value in hparam_values(args).items():
        values[name] = str(value) if kinds.get(name, (0, 0, "string"))[2] == "string" else value
    trial = f"{command.removeprefix('keras-mf-')}: {_run_name(logdir, args.script)}"
    log_hparams(logdir, values, metrics, experiment(), trial_id=trial)


def _run_name(logdir, script):
    """The run folder as the "Trial ID" column shows it (ten characters wide): its name, after its parent's unless
    the parent is the command's default `runs/<script>`. Runs with one name form one row, so the parent stays."""
    parent, name = os.path.split(os.path.normpath(os.path.abspath(logdir)))
    parent = os.path.basename(parent)
    return name if parent == script else f"{parent}/{name}"
