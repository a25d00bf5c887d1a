"""A run's arguments and final metrics for TensorBoard's HParams dashboard, so runs compare in one table."""

import numbers

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
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        # No `hparams_config`: TensorBoard would take one run's as the whole table's, hiding the options of
        # other commands logged under the same root; without it, it collects columns from every session.
        # Without a trial id, runs with equal arguments form one group (repeats), as the dashboard intends.
        hp.hparams(values)
        for name, value in metrics.items():
            tf.summary.scalar(f"hparams/{name}", float(value), step=0)
    writer.close()
