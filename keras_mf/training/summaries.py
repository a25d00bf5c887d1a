"""TensorBoard summaries written outside a Keras `fit`: scalars at one step, a series of values, text, the
model's op graph and a custom-scalars layout."""

import tensorflow as tf


def write_scalars(logdir, scalars, step):
    """Writes scalars under `logdir`, all at one step, for TensorBoard's Scalars dashboard.

    Args:
        logdir: str or path, the folder of the event file (made if missing).
        scalars: `{tag: number}`.
        step: int, the step (x value) of every scalar.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import write_scalars
        >>> logdir = tempfile.mkdtemp()
        >>> write_scalars(logdir, {"final/accuracy": 0.97}, step=10)
        >>> len(os.listdir(logdir))
        1
    """
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            for tag, value in scalars.items():
                tf.summary.scalar(tag, value, step=step)
    finally:
        writer.close()


def write_series(logdir, tag, values, first_step=0):
    """Writes `values` as the scalar `tag` under `logdir`, one step each from `first_step` (e.g. an objective per
    iteration).

    Args:
        logdir: str or path, the folder of the event file (made if missing).
        tag: str, the scalar's name.
        values: an iterable of numbers.
        first_step: int, the step of the first value.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import write_series
        >>> logdir = tempfile.mkdtemp()
        >>> write_series(logdir, "symnmf/objective", [3.0, 2.5, 2.4])
        >>> len(os.listdir(logdir))
        1
    """
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            for step, value in enumerate(values, start=first_step):
                tf.summary.scalar(tag, value, step=step)
    finally:
        writer.close()


def write_text(logdir, tag, markdown, step=0):
    """Writes `markdown` (e.g. a `markdown_table`) as the text summary `tag` under `logdir`, which TensorBoard's
    Text dashboard renders.

    Args:
        logdir: str or path, the folder of the event file (made if missing).
        tag: str, the summary's name.
        markdown: str.
        step: int.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import markdown_table, write_text
        >>> logdir = tempfile.mkdtemp()
        >>> write_text(logdir, "results", markdown_table(["model", "mse"], [["pca", 0.0174]]))
        >>> len(os.listdir(logdir))
        1
    """
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            tf.summary.text(tag, markdown, step=step)
    finally:
        writer.close()


def write_model_graph(logdir, model, input_spec):
    """Writes the op graph of `model`'s inference call on inputs of `input_spec` under `logdir`, for TensorBoard's
    Graphs dashboard (which opens on the op graph).

    Args:
        logdir: str or path, the folder of the event file (made if missing).
        model: a built `keras.Model` (or any callable taking `training=`).
        input_spec: a `tf.TensorSpec` of the inputs, e.g. `tf.TensorSpec((None, 784), tf.float32)`.

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import tensorflow as tf
        >>> from keras_mf.training import write_model_graph
        >>> logdir = tempfile.mkdtemp()
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> write_model_graph(logdir, model, tf.TensorSpec((None, 4), tf.float32))
        >>> len(os.listdir(logdir))
        1
    """
    function = tf.function(lambda x: model(x, training=False))
    graph = function.get_concrete_function(input_spec).graph
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            tf.summary.graph(graph)
    finally:
        writer.close()


def write_custom_scalars(logdir, layout):
    """Writes a custom-scalars layout under `logdir`: charts that draw several runs' tags in one plot.

    TensorBoard merges the layouts of all runs.

    Args:
        logdir: str or path, the folder of the event file (made if missing).
        layout: `{category: {chart title: tag regex}}`, each chart a multi-line chart of every run's tags that
            match the regex.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.training import write_custom_scalars
        >>> logdir = tempfile.mkdtemp()
        >>> write_custom_scalars(logdir, {"errors": {"MSE, model and PCA": r"^reconstruction_mse/"}})
        >>> len(os.listdir(logdir))
        1
    """
    from tensorboard.plugins.custom_scalar import layout_pb2
    from tensorboard.plugins.custom_scalar import metadata

    proto = layout_pb2.Layout()
    for title, charts in layout.items():
        category = proto.category.add(title=title)
        for chart_title, regex in charts.items():
            category.chart.add(title=chart_title, multiline=layout_pb2.MultilineChartContent(tag=[regex]))
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            tf.summary.write(
                metadata.CONFIG_SUMMARY_TAG,
                tf.constant(proto.SerializeToString()),
                step=0,
                metadata=metadata.create_summary_metadata(),
            )
    finally:
        writer.close()
