"""The tf.distribute strategy a script trains under."""

import tensorflow as tf

from keras_mf._validation import check_choice


def get_strategy(name="none"):
    """Returns a `tf.distribute.Strategy`.

    Args:
        name: "none" for the default strategy (one device; a GPU when TensorFlow sees one), "mirrored"
            for synchronous data parallelism over the local GPUs (or logical CPU devices), "multiworker"
            for several machines described by the `TF_CONFIG` environment variable.

    Example:

    >>> strategy = get_strategy("none")
    >>> with strategy.scope():
    ...     model = build_model()
    """
    check_choice("name", name, ("none", "mirrored", "multiworker"))
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()
