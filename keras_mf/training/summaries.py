"""TensorBoard summaries written outside a Keras `fit`: a dict of scalars at one step, or a series of values."""

import tensorflow as tf


def write_scalars(logdir, scalars, step):
    """Writes `{tag: value}` as scalars under `logdir` at `step`."""
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            for tag, value in scalars.items():
                tf.summary.scalar(tag, value, step=step)
    finally:
        writer.close()


def write_series(logdir, tag, values, first_step=0):
    """Writes `values` as the scalar `tag` under `logdir`, one step each from `first_step` (e.g. an objective per
    iteration)."""
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            for step, value in enumerate(values, start=first_step):
                tf.summary.scalar(tag, value, step=step)
    finally:
        writer.close()
