"""Recognising the kinds of input the layers accept without importing TensorFlow: a `tf.data.Dataset` can only
exist where TensorFlow is already loaded, so under another Keras backend nothing is imported to rule it out."""

import sys


def tf_if_dataset(data):
    """The `tensorflow` module when `data` is a `tf.data.Dataset`, else None."""
    tf = sys.modules.get("tensorflow")
    return tf if tf is not None and isinstance(data, tf.data.Dataset) else None
