"""A run's options and final results for TensorBoard's HParams dashboard, so that runs compare in one table.

How TensorBoard 2.21 builds that table (tensorboard/plugins/hparams): a run holding a session-start summary is one
row, named by its trial id (the "Trial ID" column); the columns come from the first experiment summary it finds in
any run, or, when there is none, from every hparam of every session and from every scalar tag of every sub-run
(Keras' `epoch_*` curves included). It shows five hparam columns at first (those marked `differs` first, then by
name) and the first five metrics. So every command declares the same experiment (`experiment_summary`): the
options of all commands, marking the few that describe any run, and every command's final metrics in the order
they are best read.
"""

import hashlib
import numbers
import time

import tensorflow as tf
from tensorboard.compat.proto import summary_pb2
from tensorboard.plugins.hparams import api_pb2
from tensorboard.plugins.hparams import metadata
from tensorboard.plugins.hparams import plugin_data_pb2

# Arguments that locate or resume a run rather than describe it.
_NOT_HPARAMS = ("logdir", "resume", "script", "rerun_resumes")
# Where the final metrics are logged: scalars `hparams/<name>` in the run folder, at step 0.
METRIC_PREFIX = "hparams/"


def hparam_values(args):
    """A run's arguments as the HParams table shows them: lists as space-separated strings, unset (None) options
    left out, numpy scalars as Python ones, other objects as strings; the arguments that locate or resume a run
    (`logdir`, `resume`, `script`, `rerun_resumes`) are left out.

    Args:
        args: an `argparse.Namespace` or a dict.

    Returns:
        A dict `{name: bool, number or str}`, sorted by name.

    Example:
        >>> import argparse
        >>> from keras_mf.training.hparams import hparam_values
        >>> hparam_values(argparse.Namespace(epochs=3, hidden_units=[512, 256], logdir="runs/x", resume=False))
        {'epochs': 3, 'hidden_units': '512 256'}
    """
    values = {}
    for name, value in sorted((vars(args) if not isinstance(args, dict) else args).items()):
        if name in _NOT_HPARAMS or value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = " ".join(map(str, value))
        elif not isinstance(value, (bool, numbers.Real, str)):
            value = str(value)
        values[name] = value.item() if hasattr(value, "item") else value
    return values


def log_hparams(logdir, args, metrics, experiment=None, trial_id=None):
    """Writes one HParams session to `logdir`: the command's arguments and its final `metrics`.

    TensorBoard's HParams dashboard shows the run as one row: the arguments as hparam columns, the metrics as
    metric columns.

    Args:
        logdir: the run folder (TensorBoard lists each run folder as one session).
        args: the parsed `argparse.Namespace` (or a dict), see `hparam_values`.
        metrics: `{name: number}`, logged as scalars `hparams/<name>` at step 0.
        experiment: an `api_pb2.Experiment` declaring the table's columns (see `experiment_summary`), or None to
            let TensorBoard infer them.
        trial_id: the row's name in the "Trial ID" column; None gives a SHA-256 hash of the values, and runs
            with equal values form one group (repeats).

    Example:
        >>> import argparse, os, tempfile
        >>> from keras_mf.training import log_hparams
        >>> logdir = tempfile.mkdtemp()
        >>> log_hparams(logdir, argparse.Namespace(epochs=3, seed=0), {"eval_mse": 0.0123}, trial_id="demo")
        >>> any(name.startswith("events.out.tfevents") for name in os.listdir(logdir))
        True
    """
    start = plugin_data_pb2.SessionStartInfo(start_time_secs=time.time())
    for name, value in hparam_values(args).items():
        if isinstance(value, bool):
            start.hparams[name].bool_value = value
        elif isinstance(value, numbers.Real):
            start.hparams[name].number_value = value
        else:
            start.hparams[name].string_value = value
    if trial_id is None:
        trial_id = hashlib.sha256(repr(sorted(hparam_values(args).items())).encode()).hexdigest()
    start.group_name = trial_id
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        if experiment is not None:
            _write(metadata.EXPERIMENT_TAG, plugin_data_pb2.HParamsPluginData(experiment=experiment))
        _write(metadata.SESSION_START_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_start_info=start))
        for name, value in metrics.items():
            tf.summary.scalar(METRIC_PREFIX + name, float(value), step=0)
    writer.close()


def experiment_summary(hparams, metrics, shown=()):
    """An HParams `Experiment` declaring the table's columns.

    Args:
        hparams: `[(name, display name, description, type, choices)]`; type is "number", "bool" or "string",
            choices a list of allowed strings or None.
        metrics: `[(name, display name, description)]`, in the order of the columns (TensorBoard shows five).
        shown: the hparam names TensorBoard shows before the others (at most five are shown).

    Returns:
        A `tensorboard.plugins.hparams.api_pb2.Experiment` for `log_hparams`' `experiment`.

    Raises:
        KeyError: a type other than "number", "bool" or "string".

    Example:
        >>> from keras_mf.training.hparams import experiment_summary
        >>> experiment = experiment_summary([("seed", "seed", "the seed", "number", None)], [("mse", "MSE", "")])
        >>> [info.name for info in experiment.hparam_infos], [m.name.tag for m in experiment.metric_infos]
        (['seed'], ['hparams/mse'])
    """
    types = {"number": api_pb2.DATA_TYPE_FLOAT64, "bool": api_pb2.DATA_TYPE_BOOL, "string": api_pb2.DATA_TYPE_STRING}
    experiment = api_pb2.Experiment(time_created_secs=time.time())
    for name, display, description, kind, choices in hparams:
        info = experiment.hparam_infos.add(
            name=name, display_name=display, description=description, type=types[kind], differs=name in shown
        )
        if kind == "bool":
            info.domain_discrete.extend([False, True])
        elif choices:
            info.domain_discrete.extend(choices)
    for name, display, description in metrics:
        experiment.metric_infos.add(
            name=api_pb2.MetricName(tag=METRIC_PREFIX + name), display_name=display, description=description
        )
    return experiment


def _write(tag, plugin_data):
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=metadata.create_summary_metadata(plugin_data), tensor=metadata.NULL_TENSOR)
    tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=0)
