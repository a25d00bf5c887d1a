"""TensorBoard summaries written outside a Keras `fit`: scalars at one step, a series of values, text, the
model's op graph and a custom-scalars layout."""

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


def write_text(logdir, tag, markdown, step=0):
    """Writes `markdown` (e.g. a `markdown_table`) as the text summary `tag` under `logdir`: TensorBoard's Text
    dashboard renders it."""
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            tf.summary.text(tag, markdown, step=step)
    finally:
        writer.close()


def write_model_graph(logdir, model, input_spec):
    """Writes the op graph of `model`'s inference call on inputs of `input_spec` (a `tf.TensorSpec`) under
    `logdir`, for TensorBoard's Graphs dashboard (which opens on the op graph)."""
    function = tf.function(lambda x: model(x, training=False))
    graph = function.get_concrete_function(input_spec).graph
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            tf.summary.graph(graph)
    finally:
        writer.close()


def write_custom_scalars(logdir, layout):
    """Writes a custom-scalars layout under `logdir`: `{category: {chart title: tag regex}}`, each chart a
    multi-line chart of every run's tags that match. TensorBoard merges the layouts of all runs."""
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
