"""Truncated BPTT: images cut into consecutive row chunks, and the accuracy after the last chunk, against numpy."""

import numpy as np
import pytest

from keras_mf import StatefulRNN
from keras_mf.training import chunked_dataset
from keras_mf.training import evaluate_chunked

N, ROWS, WIDTH = 10, 8, 3


def _images():
    """Images whose every entry names its image: x[i, r, c] = 100 i + 10 r + c."""
    i, r, c = np.meshgrid(np.arange(N), np.arange(ROWS), np.arange(WIDTH), indexing="ij")
    return (100 * i + 10 * r + c).astype(np.float32), np.arange(N) % 4


@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_chunked_dataset_yields_each_batch_chunk_by_chunk(chunks):
    x, y = _images()
    ds = chunked_dataset(x, y, batch_size=4, chunks=chunks, seed=0)
    elements = [(a.numpy(), b.numpy()) for a, b in ds]
    assert int(ds.cardinality()) == len(elements) == (N // 4) * chunks  # the last partial batch is dropped
    seen = []
    for start in range(0, len(elements), chunks):
        pieces, labels = zip(*elements[start : start + chunks], strict=True)
        assert all(p.shape == (4, ROWS // chunks, WIDTH) for p in pieces)
        images = np.concatenate(pieces, axis=1)  # the chunks in order give back whole images
        index = (images[:, 0, 0] // 100).astype(int)
        np.testing.assert_array_equal(images, x[index])
        for label in labels:
            np.testing.assert_array_equal(label, y[index])
        seen.extend(index)
    assert len(set(seen)) == len(seen) == 8


def test_chunked_dataset_shuffles_by_seed():
    x, y = _images()

    def order(seed):
        return [int(a.numpy()[0, 0, 0]) // 100 for a, _ in chunked_dataset(x, y, 2, 2, seed=seed)]

    assert order(3) == order(3)
    assert order(3) != order(4)
    assert order(3) != sorted(order(3))


def _numpy_rnn(model, x):
    """Hidden states of the model's cell over x `(batch, time, features)` from zero, and the head's logits."""
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in model.cell.get_weights())
    head, head_bias = (np.asarray(w, np.float64) for w in model.head.get_weights())
    h = np.zeros((len(x), kernel.shape[1]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
    return h @ head + head_bias


@pytest.mark.parametrize("chunks", [2, 4])
def test_evaluate_chunked_is_the_accuracy_after_the_last_chunk(chunks):
    """Labels are the numpy RNN's own predictions over the whole images: carrying the state across chunks must score
    exactly 1; resetting it at every chunk scores what numpy's RNN scores on the last chunk alone."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, ROWS, WIDTH)).astype(np.float32)
    model = StatefulRNN(6, 4, stateful=True, batch_size=4)
    model.build((4, ROWS // chunks, WIDTH))
    y = np.argmax(_numpy_rnn(model, x.astype(np.float64)), axis=1)
    assert evaluate_chunked(model, x, y, chunks) == 1.0
    last = x[:8, -(ROWS // chunks) :].astype(np.float64)
    forgetful = float(np.mean(np.argmax(_numpy_rnn(model, last), axis=1) == y[:8]))
    assert forgetful < 1.0  # the control differs here, or the test would not tell the two modes apart
    assert evaluate_chunked(model, x, y, chunks, reset_every_chunk=True) == pytest.approx(forgetful, abs=1e-12)


# evaluate_chunked with fewer images than one batch once divided by zero.
@pytest.mark.parametrize("images", [0, 1, 3])
def test_fewer_images_than_one_batch_are_refused(images):
    model = StatefulRNN(units=2, output_dim=2, stateful=True, batch_size=4)
    model.build((4, 2, 3))
    x, y = np.zeros((images, 4, 3), np.float32), np.zeros(images, np.int64)
    with pytest.raises(ValueError, match=rf"`x`, expected at least batch_size=4 images.*Received: x='{images} images'"):
        evaluate_chunked(model, x, y, chunks=2)
