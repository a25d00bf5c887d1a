"""Truncated backpropagation through time: images fed to a stateful model in consecutive chunks of rows."""

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation import invalid_value


def chunked_dataset(x, y, batch_size, chunks, seed):
    """Batches of images, each split into `chunks` consecutive row groups, yielded in order, for truncated
    backpropagation through time (BPTT) with a stateful model.

    Element i·chunks + c is chunk c of image batch i: `((batch, rows / chunks, cols), (batch,))`, with the image
    batch's labels repeated for each chunk. A stateful model carries its hidden state from chunk to chunk
    (reset it between image batches with `keras_mf.training.ResetStateEvery(chunks)`), while gradients stop at
    each chunk's boundary. A stateful model needs full batches, so the last partial batch is dropped. The images
    are shuffled once per epoch (reproducibly for `seed`).

    Args:
        x: `(n, rows, cols)` float images (MNIST as sequences: `(n, 28, 28)`, 28 time steps of 28 pixels).
        y: `(n,)` integer labels.
        batch_size: int, images per batch (the stateful model's fixed batch size).
        chunks: int, row groups per image; must divide `rows`.
        seed: int or None, the shuffle's seed.

    Returns:
        A `tf.data.Dataset` of `(n // batch_size) · chunks` elements, its cardinality known.

    Raises:
        ValueError: `chunks` does not divide `rows` (TensorFlow's message, from `tf.split` while the dataset is
            built; the commands check it first).

    References:
        Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of recurrent
        network trajectories. Neural Computation 2(4), 490–501. https://doi.org/10.1162/neco.1990.2.4.490

    Example:
        >>> import numpy as np
        >>> from keras_mf.training import chunked_dataset
        >>> x, y = np.zeros((10, 28, 28), np.float32), np.arange(10)
        >>> data = chunked_dataset(x, y, batch_size=4, chunks=4, seed=0)
        >>> int(data.cardinality()), [tuple(t.shape) for t in next(iter(data))]
        (8, [(4, 7, 28), (4,)])
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
    """Accuracy of the prediction after the last chunk, feeding each batch of images chunk by chunk.

    The state is zeroed before each batch of images (and, with `reset_every_chunk`, before each chunk: the
    control without the carried state). The last partial batch is left out.

    Args:
        model: a stateful model with a fixed `batch_size`, `reset_state()` and class probabilities as output,
            e.g. `keras_mf.StatefulRNN(..., stateful=True, batch_size=b)`.
        x: `(n, rows, cols)` float images, n ≥ `model.batch_size`.
        y: `(n,)` integer labels.
        chunks: int, row groups per image; must divide `rows`.
        reset_every_chunk: bool, zero the state before every chunk.

    Returns:
        A Python float in [0, 1], over the first `n - n % batch_size` images.

    Raises:
        ValueError: fewer than `model.batch_size` images (no full batch to evaluate), or `chunks` not an integer
            that divides the images' rows.
        TypeError: `reset_every_chunk` is not a bool.

    References:
        Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of recurrent
        network trajectories. Neural Computation 2(4), 490–501. https://doi.org/10.1162/neco.1990.2.4.490

    Example:
        >>> import numpy as np
        >>> from keras_mf import StatefulRNN
        >>> from keras_mf.training import evaluate_chunked
        >>> model = StatefulRNN(units=3, output_dim=2, stateful=True, batch_size=2)
        >>> model.build((2, 7, 28))
        >>> x, y = np.zeros((5, 28, 28), np.float32), np.zeros(5, np.int64)
        >>> accuracy = evaluate_chunked(model, x, y, chunks=4)    # 4 of the 5 images: two full batches
        >>> accuracy in (0.0, 1.0)                                # all-zero images: the same guess for each
        True
    """
    rows = int(np.shape(x)[1])
    chunks = check_int("chunks", chunks, 1, rows)
    if rows % chunks:
        raise invalid_value("chunks", f"a divisor of the images' {rows} rows", chunks)
    reset_every_chunk = check_bool("reset_every_chunk", reset_every_chunk)
    batch = model.batch_size
    usable = len(x) - len(x) % batch
    if not usable:
        raise invalid_value("x", f"at least batch_size={batch} images (one full batch)", f"{len(x)} images")
    correct = 0
    for start in range(0, usable, batch):
        model.reset_state()
        for piece in np.split(x[start : start + batch], chunks, axis=1):
            if reset_every_chunk:
                model.reset_state()
            probabilities = model.predict_on_batch(piece)
        correct += int(np.sum(np.argmax(probabilities, axis=1) == y[start : start + batch]))
    return correct / usable
