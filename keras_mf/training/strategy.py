"""The tf.distribute strategy a script trains under."""

import tensorflow as tf

from keras_mf._validation import check_choice
from keras_mf.training import STRATEGIES


def get_strategy(name="none"):
    """Returns the `tf.distribute.Strategy` a command trains under (its `--distribute`).

    Args:
        name: "none" for the default strategy (one device; a GPU when TensorFlow sees one), "mirrored"
            for synchronous data parallelism over the local GPUs (or logical CPU devices), "multiworker"
            for several machines described by the `TF_CONFIG` environment variable. A multi-worker
            strategy must be created before TensorFlow runs its first operation.

    Returns:
        A `tf.distribute.Strategy`; build and compile the model inside its `scope()`.

    Raises:
        ValueError: `name` is not one of `keras_mf.training.STRATEGIES`.

    Example:
        >>> import keras
        >>> from keras_mf.training import get_strategy
        >>> strategy = get_strategy("none")
        >>> with strategy.scope():
        ...     model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> strategy.num_replicas_in_sync
        1
    """
    check_choice("name", name, STRATEGIES)
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multiworker":
        return _MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


class _MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """`MultiWorkerMirroredStrategy` with the `reduce` that Keras 3's TensorFlow trainer expects.

    Keras 3 (checked with 3.15) calls `strategy.reduce` in two ways the multi-worker strategy refuses:
    with a tuple `(x, y)` of per-replica batches before the first step (`reduce` takes one value), and
    with `axis=0` on per-replica scalars (each step's loss and metrics: "Invalid reduction dimension 0
    for input with 0 dimensions"). Here a structure is reduced leaf by leaf, and a scalar across the
    replicas only, which is what `axis=0` means for a batch of per-example values.
    """

    def reduce(self, reduce_op, value, axis):
        def reduce_one(v):
            rank = self.experimental_local_results(v)[0].shape.rank
            return super(_MultiWorkerMirroredStrategy, self).reduce(reduce_op, v, None if rank == 0 else axis)

        return tf.nest.map_structure(reduce_one, value)
