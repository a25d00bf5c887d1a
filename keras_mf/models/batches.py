"""Shuffled mini-batches passed through an augmentation layer, as a `keras.utils.PyDataset` (any Keras backend)."""

import math

import keras
import numpy as np
from keras import ops

from keras_mf._validation import check_int
from keras_mf._validation import invalid_value


class AugmentedBatches(keras.utils.PyDataset):
    """Mini-batches of `x` (reshuffled every epoch) with `augment` applied to each batch in training mode.

    Without `y` each batch is `(a, a)`, a = augment(x_batch): an autoencoder then reconstructs the very augmented
    image it was given. With `y` it is `(a, y_batch)`, for a classifier.

    Args:
        x: inputs `(n, ...)`.
        augment: a Keras layer called as `augment(batch, training=True)`, e.g. `keras_mf.layers.RandomAffine`.
        y: optional targets `(n, ...)`.
        batch_size: examples per batch, in [1, n] (the last batch may be smaller).
        seed: seed of the shuffling.

    Example:

    >>> from keras_mf.models.batches import AugmentedBatches
    >>> import numpy as np
    >>> from keras_mf.layers.random_affine import RandomAffine
    >>> batches = AugmentedBatches(np.zeros((10, 64), "float32"), RandomAffine((8, 8)), batch_size=4)
    >>> len(batches), batches[2][0].shape
    (3, (2, 64))
    """

    def __init__(self, x, augment, y=None, batch_size=256, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.x = np.asarray(x)
        if y is not None and len(y) != len(self.x):
            raise invalid_value("y", f"{len(self.x)} targets, one per example of x", f"{len(y)} targets")
        self.y = None if y is None else np.asarray(y)
        self.augment = augment
        self.batch_size = check_int("batch_size", batch_size, 1, max(len(self.x), 1))
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.x))

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        rows = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        augmented = ops.convert_to_numpy(self.augment(self.x[rows], training=True))
        return augmented, augmented if self.y is None else self.y[rows]

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.x))
