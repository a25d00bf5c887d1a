"""Truncated backpropagation through time: images fed to a stateful model in consecutive chunks of rows."""

import numpy as np
import tensorflow as tf


def chunked_dataset(x, y, batch_size, chunks, seed):
    """Batches of images, each split into `chunks` consecutive row groups, yielded in order.

    Element i·chunks + c is chunk c of image batch i: `((batch, 28 / chunks, 28), (batch,))`. A stateful
    model needs full batches, so the last partial batch is dropped.
    """
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    ds = ds.batch(batch_size, drop_remainder=True)

    def split(images, labels):
        pieces = tf.stack(tf.split(images, chunks, axis=1))
        return tf.data.Dataset.from_tensor_slices((pieces, tf.repeat(labels[None], chunks, axis=0)))

    # flat_map hides the length; stating it lets Keras count steps instead of warning at each epoch's end.
    ds = ds.flat_map(split).apply(tf.data.experimental.assert_cardinality((len(x) // batch_size) * chunks))
    return ds.prefetch(tf.data.AUTOTUNE)


def evaluate_chunked(model, x, y, chunks, reset_every_chunk=False):
    """Accuracy of the prediction after the last chunk, feeding each batch chunk by chunk."""
    batch = model.batch_size
    usable = len(x) - len(x) % batch
    correct = 0
    for start in range(0, usable, batch):
        model.reset_state()
        for piece in np.split(x[start : start + batch], chunks, axis=1):
            if reset_every_chunk:
                model.reset_state()
            probabilities = model.predict_on_batch(piece)
        correct += int(np.sum(np.argmax(probabilities, axis=1) == y[start : start + batch]))
    return correct / usable
