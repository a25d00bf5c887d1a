"""keras_mf.models.batches.AugmentedBatches: every example once per epoch, reshuffled between epochs, targets kept
beside their inputs, and the autoencoder's target the augmented batch itself."""

import keras
import numpy as np
import pytest

from keras_mf.models.batches import AugmentedBatches


class _AddOne(keras.layers.Layer):
    """A deterministic 'augmentation' that tells augmented from original values, and training from inference."""

    def call(self, inputs, training=None):
        return inputs + 1.0 if training else inputs


def _epoch(batches):
    return [batches[i] for i in range(len(batches))]


@pytest.mark.parametrize("n, batch_size", [(10, 4), (12, 12), (7, 1)])
def test_every_example_once_per_epoch_reshuffled(n, batch_size):
    x = np.arange(n, dtype=np.float32)[:, None]
    batches = AugmentedBatches(x, _AddOne(), batch_size=batch_size, seed=0)
    assert len(batches) == -(-n // batch_size)
    orders = []
    for _ in range(3):
        epoch = _epoch(batches)
        inputs = np.concatenate([a for a, _ in epoch])[:, 0]
        targets = np.concatenate([t for _, t in epoch])[:, 0]
        np.testing.assert_array_equal(np.sort(inputs), np.arange(n) + 1.0)  # each example, augmented, once
        np.testing.assert_array_equal(targets, inputs)  # the target is the augmented input itself
        orders.append(inputs)
        batches.on_epoch_end()
    if n > batch_size > 1:
        assert any(not np.array_equal(orders[0], other) for other in orders[1:])


def test_targets_stay_with_their_inputs():
    x = np.arange(20, dtype=np.float32)[:, None]
    y = np.arange(20) * 10
    batches = AugmentedBatches(x, _AddOne(), y=y, batch_size=6, seed=1)
    for augmented, targets in _epoch(batches):
        np.testing.assert_array_equal(targets, (augmented[:, 0] - 1.0) * 10)


def test_bad_arguments():
    x = np.zeros((5, 2), np.float32)
    with pytest.raises(ValueError, match="`batch_size`"):
        AugmentedBatches(x, _AddOne(), batch_size=0)
    with pytest.raises(ValueError, match="`y`"):
        AugmentedBatches(x, _AddOne(), y=np.zeros(4))
