"""A run's arguments and final metrics for TensorBoard's HParams dashboard, so runs compare in one table."""

import numbers
import os

import tensorflow as tf
from tensorboard.plugins.hparams import api as hp

# Arguments that locate or resume a run rather than describe it.
_NOT_HPARAMS = ("logdir", "resume", "script")


def log_hparams(logdir, args, metrics):
    """Writes one HParams session to `logdir`: the command's arguments and its final `metrics`.

    Args:
        logdir: the run folder (TensorBoard lists each run folder as one session).
        args: the parsed `argparse.Namespace` (or a dict); lists become space-separated strings and
            unset (None) options are left out.
        metrics: `{name: number}`, logged as scalars `hparams/<name>` at step 0.

    Example:

    >>> log_hparams("runs/ae/1", args, {"eval_mse": 0.0123})
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
    tags = {name: f"hparams/{name}" for name in metrics}
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        hp.hparams_config(
            hparams=[hp.HParam(name) for name in values], metrics=[hp.Metric(tag) for tag in tags.values()]
        )
        hp.hparams(values, trial_id=os.path.basename(os.path.normpath(logdir)))
        for name, value in metrics.items():
            tf.summary.scalar(tags[name], float(value), step=0)
    writer.close()
