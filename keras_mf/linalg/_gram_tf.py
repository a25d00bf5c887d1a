"""The TensorFlow backend's Gram accumulator for `TruncatedSVD.adapt`: compiled `tf.function`s, half the Gram
matrix per product, sparse products for sparse batches, float64 sums, subspace iteration for the top
eigenvectors. Loaded only on that backend (see `gram.gram_accumulator`).

The functions are compiled without AutoGraph (`autograph=False`, branches written as `tf.cond`): converting them and
every helper they call took about 70% of a first `adapt`'s time in a fresh process."""

import numpy as np
import tensorflow as tf

from keras_mf.linalg import decompositions
from keras_mf.linalg.gram import SAFE_EXPONENT
from keras_mf.linalg.gram import fix_signs
from keras_mf.linalg.gram import is_scipy_sparse
from keras_mf.linalg.gram import non_finite_error
from keras_mf.linalg.gram import power_of_two_scale
from keras_mf.linalg.gram import sparse_gram_and_sums
from keras_mf.linalg.gram import working_dtype

_MAX_OFFSET_RATIO = 100.0


class TensorFlowGramAccumulator:
    """Streams batches into the count, column sums and Gram matrix of x - shift, from which `_statistics`
    forms the mean and the scatter matrix Σ (x - mean)(x - mean)ᵀ.

    Dense products run in the input precision (at least `dtype`'s), sparse ones (`tf.SparseTensor` or
    `scipy.sparse` batches) in float64 CSR products that never densify the batch; sums are float64 and the
    eigen-solve runs in `dtype`, the layer's. Data far from the origin would lose its digits to the final
    subtraction n·m mᵀ, so `_batch_gram` shifts such dense batches (by the first batch's shift, or by their
    own mean when the data has moved since), and `_move_reference` brings the sums of a batch about another
    shift (its own mean, or the origin for a sparse batch, which is never shifted) to the first batch's shift,
    exactly in float64.
    """

    def __init__(self, center, dtype="float32"):
        self.center = center
        self.dtype = tf.as_dtype(dtype)
        self.count = 0
        self.shift = self.gram = self.total = None
        self.at_origin = True

    def as_floats(self, batch):
        """The batch as a TF tensor in at least `dtype`'s precision (integers such as uint8 pixels in `dtype`);
        a sparse batch as a float64 CSR `scipy.sparse` matrix or a reordered float64 `tf.SparseTensor`."""
        if is_scipy_sparse(batch):
            return batch.tocsr().astype(np.float64)
        if isinstance(batch, tf.SparseTensor):
            return tf.sparse.reorder(
                tf.SparseTensor(batch.indices, tf.cast(batch.values, tf.float64), batch.dense_shape)
            )
        batch = tf.convert_to_tensor(batch)
        wanted = working_dtype(batch.dtype.name, self.dtype.name)
        return batch if batch.dtype == wanted else tf.cast(batch, wanted)

    def update(self, batch):
        if is_scipy_sparse(batch) or isinstance(batch, tf.SparseTensor):
            # Sparse batches are never shifted (that would densify them): they are moved to the reference shift.
            gram, total, finite = _sparse_statistics(batch)
            shift, moved = tf.zeros(tf.shape(total), self.dtype), self.shift is not None and not self.at_origin
        else:
            guess = None if self.at_origin else tf.cast(self.shift, batch.dtype)
            shift, gram, total, finite, moved = _batch_gram(batch, guess, self.center)
        if not bool(finite):
            raise non_finite_error()
        if self.shift is None:
            self.shift, self.gram, self.total = shift, gram, total
            self.at_origin = not bool(moved)
        else:
            if bool(moved):
                gram, total = _move_reference(gram, total, shift, self.shift, batch.shape[0])
            self.gram += gram
            self.total += total
        self.count += int(batch.shape[0])

    def decompose(self, top=None, iterations=None, tol=None):
        """`(mean, singular values, components, total variance, (iterations used, residual, tol))`, the arrays as
        float64 numpy: all features in descending order by a full `eigh`, or with `top` the leading `top` by
        subspace iteration (`decompositions.subspace_eigh`, at most `iterations` iterations)."""
        count = tf.constant(self.count, tf.float64)
        mean, scatter, total_variance = _statistics(self.gram, self.total, self.shift, count, self.center)
        # The solve's dtype may not hold the scatter's magnitude (float32 squares of values near its limits): it
        # runs on the scatter divided by an exact power of two near its largest diagonal entry.
        scale = power_of_two_scale(float(tf.reduce_max(tf.linalg.diag_part(scatter))))
        scatter = tf.cast(scatter / scale, self.dtype)
        if top is None:
            values, vectors = _full_eigh(scatter)
            report = (0, 0.0, 0.0)
        else:
            # None keeps subspace_eigh's own default iteration cap.
            limits = {"iterations": iterations} if iterations is not None else {}
            values, vectors, *report = decompositions.subspace_eigh(scatter, top, tol=tol, **limits)
        singular_values = np.sqrt(np.maximum(np.asarray(values, np.float64) * scale, 0.0))
        vectors = fix_signs(np.asarray(vectors, np.float64))
        return np.asarray(mean, np.float64), singular_values, vectors, float(total_variance), tuple(report)


@tf.function(reduce_retracing=True, autograph=False)
def _statistics(gram, total, shift, count, center):
    """(mean, scatter matrix, total variance) of the accumulated statistics, in float64, in one compiled call,
    so that the small steps before the solve do not each pay for an eager dispatch."""
    shifted_mean = total / count
    mean = tf.cast(shift, tf.float64) + shifted_mean
    scatter = gram - count * tf.tensordot(shifted_mean, shifted_mean, 0) if center else gram
    total_variance = tf.linalg.trace(scatter) / tf.maximum(count - 1, 1)
    return mean if center else tf.zeros_like(mean), scatter, total_variance


@tf.function(reduce_retracing=True, autograph=False)
def _full_eigh(scatter):
    """All eigenpairs, descending; in the scatter's dtype (the float64 sums protect against cancellation, the
    dtype sets the precision of the solve: float32 keeps ~1e-7 of the largest eigenvalue, float64 ~1e-16)."""
    values, vectors = tf.linalg.eigh(scatter)
    return tf.reverse(values, [0]), tf.reverse(vectors, [1])


def _sparse_statistics(batch):
    """(BᵀB, column sums, all finite) of a sparse batch: by scipy for a `scipy.sparse` one, else in TensorFlow."""
    if is_scipy_sparse(batch):
        gram, total = (tf.constant(a) for a in sparse_gram_and_sums(batch))
        return gram, total, bool(np.isfinite(batch.data).all())
    return _sparse_gram_and_total(batch)


@tf.function(reduce_retracing=True, autograph=False)
def _sparse_gram_and_total(batch):
    """BᵀB, the column sums and whether all stored values are finite, for a reordered float64 `tf.SparseTensor`
    batch B: a CSR sparse-sparse product, whose cost follows the nonzeros (about Σ_rows nnz_row²), not
    rows × features²."""
    transposed = tf.sparse.reorder(tf.sparse.transpose(batch))
    left, right = (
        tf.raw_ops.SparseTensorToCSRSparseMatrix(indices=b.indices, values=b.values, dense_shape=b.dense_shape)
        for b in (transposed, batch)
    )
    product = tf.raw_ops.SparseMatrixSparseMatMul(a=left, b=right, type=tf.float64)
    gram = tf.raw_ops.CSRSparseMatrixToDense(sparse_input=product, type=tf.float64)
    return gram, tf.sparse.reduce_sum(batch, 0), tf.reduce_all(tf.math.is_finite(batch.values))


@tf.function(autograph=False)
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

    def about_the_batch_mean():
        mean = tf.reduce_mean(batch, axis=0)
        return (mean,) + _gram_and_total(batch - mean) + (tf.constant(True),)

    return tf.cond(
        tf.reduce_max(ratio) > _MAX_OFFSET_RATIO,
        about_the_batch_mean,
        lambda: (shift, gram, total, finite, tf.constant(False)),
    )


@tf.function(autograph=False)
def _move_reference(gram, total, shift, reference, count):
    """Gram matrix and column sums about `reference` from those about `shift`: with d = shift - reference,
    Σ(x - r)(x - r)ᵀ = G + t dᵀ + d tᵀ + n d dᵀ and Σ(x - r) = t + n d, in float64."""
    d = tf.cast(shift, tf.float64) - tf.cast(reference, tf.float64)
    cross = tf.tensordot(total, d, 0)
    count = tf.cast(count, tf.float64)
    return gram + cross + tf.transpose(cross) + count * tf.tensordot(d, d, 0), total + count * d


def _gram_and_total(x):
    """(xᵀx, column sums, all finite) in float64, of x rescaled by an exact power of two when its magnitude would
    overflow or underflow the products (see `SAFE_EXPONENT`); the scale is multiplied back in float64."""
    scale = _graph_power_of_two_scale(tf.reduce_max(tf.abs(x)))
    x = tf.cond(scale == 1.0, lambda: x, lambda: x / tf.cast(scale, x.dtype))
    gram = tf.cast(symmetric_gram(x), tf.float64) * tf.square(scale)
    total = _column_sums(x) * scale
    # A NaN or inf anywhere in the batch reaches its feature's column sum and Gram row (inf·0 is NaN),
    # so checking these small results replaces a pass over the whole batch.
    finite = tf.reduce_all(tf.math.is_finite(total)) & tf.reduce_all(tf.math.is_finite(gram))
    return gram, total, finite


def _graph_power_of_two_scale(largest):
    """`gram.power_of_two_scale` in TensorFlow ops (inside compiled functions), as a float64 scalar."""
    largest = tf.cast(largest, tf.float64)
    outside = (largest > 2.0**SAFE_EXPONENT) | ((largest < 2.0**-SAFE_EXPONENT) & (largest > 0))
    exponent = tf.math.floor(tf.math.log(tf.where(outside, largest, 1.0)) / np.log(2.0))
    return tf.where(outside & tf.math.is_finite(largest), tf.pow(tf.constant(2.0, tf.float64), exponent), 1.0)


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
