"""The TensorFlow backend's Gram accumulator for `TruncatedSVD.adapt`: compiled `tf.function`s, half the Gram
matrix per product, float64 sums, subspace iteration for the top eigenvectors. Loaded only on that backend
(see `gram.gram_accumulator`)."""

import numpy as np
import tensorflow as tf

from keras_mf.linalg import decompositions
from keras_mf.linalg.gram import fix_signs
from keras_mf.linalg.gram import non_finite_error

_MAX_OFFSET_RATIO = 100.0


class TensorFlowGramAccumulator:
    """Streams batches into the count, column sums and Gram matrix of x - shift, from which `_decompose`
    forms the mean and the scatter matrix Σ (x - mean)(x - mean)ᵀ.

    Products run in the input precision, sums in float64. Data far from the origin would lose its
    digits to the final subtraction n·m mᵀ, so `_batch_gram` shifts such batches (by the first batch's
    shift, or by their own mean when the data has moved since), and `_move_reference` brings the sums
    of a batch shifted by its own mean to the first batch's shift, exactly in float64.
    """

    def __init__(self, center):
        self.center = center
        self.count = 0
        self.shift = self.gram = self.total = None
        self.at_origin = True

    def as_floats(self, batch):
        """The batch as a TF tensor, integers (e.g. uint8 pixels) cast to float32."""
        batch = tf.convert_to_tensor(batch)
        return batch if batch.dtype.is_floating else tf.cast(batch, tf.float32)

    def update(self, batch):
        guess = None if self.at_origin else tf.cast(self.shift, batch.dtype)
        shift, gram, total, finite, moved = _batch_gram(batch, guess, self.center)
        if not bool(finite):
            raise non_finite_error()
        if self.shift is None:
            self.shift, self.gram, self.total = shift, gram, total
            self.at_origin = not bool(moved)
        else:
            if bool(moved):
                gram, total = _move_reference(gram, total, shift, self.shift, tf.shape(batch)[0])
            self.gram += gram
            self.total += total
        self.count += int(batch.shape[0])

    def decompose(self, top=None):
        """`(mean, singular values, components, total variance)` as float64 numpy arrays; see `_decompose`."""
        count = tf.constant(self.count, tf.float64)
        mean, singular_values, vectors, total_variance = (
            np.asarray(r, np.float64) for r in _decompose(self.gram, self.total, self.shift, count, self.center, top)
        )
        return mean, singular_values, fix_signs(vectors), total_variance


@tf.function
def _decompose(gram, total, shift, count, center, top):
    """(mean, singular values, components, total variance) of the accumulated statistics.

    `top` is the rank for subspace iteration, or None for a full symmetric eigendecomposition (all
    features, descending). One compiled call, so that the small steps around the solve do not each
    pay for an eager dispatch.
    """
    shifted_mean = total / count
    mean = tf.cast(shift, tf.float64) + shifted_mean
    scatter = gram - count * tf.tensordot(shifted_mean, shifted_mean, 0) if center else gram
    # The eigen-solve runs in float32: 784-sized Gram matrices keep ~1e-7 relative accuracy, and it
    # is twice as fast; the float64 accumulation is what protects against cancellation.
    scatter32 = tf.cast(scatter, tf.float32)
    if top is None:
        values, vectors = tf.linalg.eigh(scatter32)
        values, vectors = tf.reverse(values, [0]), tf.reverse(vectors, [1])
    else:
        values, vectors = decompositions.top_eigh(scatter32, top)
    total_variance = tf.linalg.trace(scatter) / tf.maximum(count - 1, 1)
    return (
        mean if center else tf.zeros_like(mean),
        tf.sqrt(tf.maximum(values, 0.0)),
        vectors,
        total_variance,
    )


@tf.function
def _batch_gram(batch, guess, center):
    """A batch's (shift, Gram matrix and column sums of batch - shift, all finite, moved) about `guess`
    (None: the origin), or, `moved`, about the batch's own mean when its data sits far from `guess`.

    Subtracting n·m mᵀ from float32 products afterwards loses about log10(E[x²]/Var x) digits per
    feature; below `_MAX_OFFSET_RATIO` (pixels in [0, 1] stay in single digits) that costs no digit that matters
    and saves a pass over the batch; above it the batch is shifted by its mean and multiplied again.
    """
    shift = tf.zeros(tf.shape(batch)[-1:], batch.dtype) if guess is None else guess
    gram, total, finite = _gram_and_total(batch if guess is None else batch - shift)
    if not center:
        return shift, gram, total, finite, tf.constant(False)
    count = tf.cast(tf.shape(batch)[0], tf.float64)
    mean_square = tf.linalg.diag_part(gram) / count
    variance = mean_square - tf.square(total / count)
    ratio = tf.where(mean_square > 0, mean_square / tf.maximum(variance, 1e-300), tf.zeros_like(mean_square))
    if tf.reduce_max(ratio) > _MAX_OFFSET_RATIO:
        shift = tf.reduce_mean(batch, axis=0)
        return (shift,) + _gram_and_total(batch - shift) + (tf.constant(True),)
    return shift, gram, total, finite, tf.constant(False)


@tf.function
def _move_reference(gram, total, shift, reference, count):
    """Gram matrix and column sums about `reference` from those about `shift`: with d = shift - reference,
    Σ(x - r)(x - r)ᵀ = G + t dᵀ + d tᵀ + n d dᵀ and Σ(x - r) = t + n d, in float64."""
    d = tf.cast(shift, tf.float64) - tf.cast(reference, tf.float64)
    cross = tf.tensordot(total, d, 0)
    count = tf.cast(count, tf.float64)
    return gram + cross + tf.transpose(cross) + count * tf.tensordot(d, d, 0), total + count * d


def _gram_and_total(x):
    gram = symmetric_gram(x)
    total = _column_sums(x)
    # A NaN or inf anywhere in the batch reaches its feature's column sum and Gram row (inf·0 is NaN),
    # so checking these small results replaces a pass over the whole batch.
    finite = tf.reduce_all(tf.math.is_finite(total)) & tf.reduce_all(tf.math.is_finite(gram))
    return tf.cast(gram, tf.float64), total, finite


def _column_sums(x, block=256):
    """Σ over rows in float64, summing blocks of `block` rows in the input precision first: a single float32
    reduce_sum over many rows accumulates round-off in proportion to their number, blocks of 256 only to 256."""
    full = tf.shape(x)[0] // block * block
    blocks = tf.reduce_sum(tf.reshape(x[:full], (-1, block, tf.shape(x)[-1])), 1)
    return tf.reduce_sum(tf.cast(blocks, tf.float64), 0) + tf.cast(tf.reduce_sum(x[full:], 0), tf.float64)


def symmetric_gram(x, blocks=3):
    """xᵀx for `x (rows, features)`, computing only the blocks on and above the diagonal.

    A plain matmul does not know its result is symmetric (BLAS' syrk does, TF has no such op);
    3 column blocks cost 6/9 of the multiply-adds of one matmul.
    """
    n = x.shape[-1]
    edges = [round(i * n / blocks) for i in range(blocks + 1)]
    cols = [x[:, edges[i] : edges[i + 1]] for i in range(blocks)]
    upper = {
        (i, j): tf.linalg.matmul(cols[i], cols[j], transpose_a=True) for i in range(blocks) for j in range(i, blocks)
    }
    rows = [
        tf.concat([upper[i, j] if j >= i else tf.transpose(upper[j, i]) for j in range(blocks)], axis=1)
        for i in range(blocks)
    ]
    return tf.concat(rows, axis=0)
