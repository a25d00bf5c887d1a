"""Streaming Gram statistics for PCA: the mean and the scatter matrix Σ (x - mean)(x - mean)ᵀ of data seen
in batches, and their top eigenvectors.

Two accumulators with one interface (`as_floats(batch)`, `update(batch)`, `count`,
`decompose(top, iterations, tol)`), both taking dense or sparse (`scipy.sparse`, `tf.SparseTensor`) batches:
  - `OpsGramAccumulator` (here), for every Keras backend: products in `keras.ops` (so on the backend's
    device), batches combined in float64 numpy by Chan's pairwise update, a float64 eigendecomposition.
  - `TensorFlowGramAccumulator` (`keras_mf.linalg._gram_tf`), the fast path on the TensorFlow backend.
`gram_accumulator(center, dtype)` picks the one for the current backend.
"""

import sys

import keras
import numpy as np

from keras_mf._validation import check_bool
from keras_mf._validation import invalid_value

# Batches whose largest |x| lies outside [2^-30, 2^30] are divided by a power of two near it before their products:
# within it, float32 squares summed over any batch stay far from overflow (2^60 · rows ≪ 3.4e38) and from
# underflow (2^-60 ≫ 1.2e-38); outside it, products of values near float32's limits would be inf or 0.
SAFE_EXPONENT = 30


def gram_accumulator(center, dtype="float32"):
    """A streaming accumulator of the mean and scatter matrix of `(batch, features)` batches, and their
    eigendecomposition (PCA), for the running Keras backend.

    On TensorFlow the compiled `TensorFlowGramAccumulator` (`keras_mf.linalg._gram_tf`), which sums the Gram
    matrix of data shifted by a reference point (the "shifted data" algorithm) and also takes the subspace
    solver; on other backends `OpsGramAccumulator`, which centres each batch on its own mean and merges batches
    by Chan, Golub & LeVeque's pairwise update S = S_a + S_b + (n_a n_b / n) (m_b − m_a)(m_b − m_a)ᵀ. Imported
    here so that the other backends never load TensorFlow.

    Both accumulators have one interface: `as_floats(batch)` converts a dense (numpy, tensor) or sparse
    (`scipy.sparse`, `tf.SparseTensor`) batch `(batch, features)`; `update(batch)` adds a converted batch;
    `count` is the number of rows seen; `decompose(top=None, iterations=None, tol=None)` returns `(mean,
    singular_values, components, total_variance, (iterations used, residual, tol))`: the mean `(features,)`,
    the singular values of the centred data, descending, `(k,)`, the matching eigenvectors of the scatter
    matrix as the columns of `components` `(features, k)` (k = features, or `top` for the subspace solver on
    TensorFlow; each column's largest-magnitude entry positive), all float64 numpy in the data's units, and the
    total variance trace(S) / (count − 1), in squared units.

    Args:
        center: bool; True subtracts the running mean (PCA), False accumulates the uncentred Gram matrix XᵀX
            (the mean is then reported as zeros).
        dtype: the caller's dtype (a layer's variable dtype, a string or dtype Keras knows): products and the
            eigen-solve run in at least its precision, float64 for "float64", else float32.

    Returns:
        A new, empty accumulator (`TensorFlowGramAccumulator` or `OpsGramAccumulator`).

    Raises:
        TypeError: naming `center`, when it is not a bool.
        ValueError: naming `dtype`, when it is not a dtype Keras knows. Later, `update`
            raises a ValueError naming `data` for a batch holding NaN or inf.

    References:
        Chan, T. F., Golub, G. H. & LeVeque, R. J. (1979). Updating formulae and a pairwise algorithm for
        computing sample variances. Technical Report STAN-CS-79-773, Stanford University.
        http://i.stanford.edu/pub/cstr/reports/cs/tr/79/773/CS-TR-79-773.pdf

        Chan, T. F., Golub, G. H. & LeVeque, R. J. (1983). Algorithms for computing the sample variance: analysis
        and recommendations. The American Statistician 37(3), 242–247.
        https://doi.org/10.1080/00031305.1983.10483115

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import gram_accumulator
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0], [0.0, 1.0]])
        >>> accumulator = gram_accumulator(center=True, dtype="float64")
        >>> for batch in (x[:2], x[2:]):  # two batches of 2 rows, merged
        ...     accumulator.update(accumulator.as_floats(batch))
        >>> mean, singular_values, components, total_variance, _ = accumulator.decompose()
        >>> accumulator.count, mean.round(6).tolist(), components.shape, round(float(total_variance), 6)
        (4, [2.25, 3.5], (2, 2), 11.916667)
        >>> bool(np.allclose(singular_values, np.linalg.svd(x - x.mean(0), compute_uv=False)))
        True
    """
    center = check_bool("center", center)
    if keras.backend.backend() == "tensorflow":
        from keras_mf.linalg._gram_tf import TensorFlowGramAccumulator

        return TensorFlowGramAccumulator(center, solve_dtype(dtype))
    return OpsGramAccumulator(center, solve_dtype(dtype))


def solve_dtype(dtype):
    """The precision of the eigen-solve for a caller's `dtype`: float64 for float64, else float32 (half
    precision has no eigen-solver, and its round-off would swamp the spectrum's tail)."""
    try:
        dtype = keras.backend.standardize_dtype(dtype)
    except ValueError:
        raise invalid_value("dtype", "a floating dtype such as 'float32' or 'float64'", dtype) from None
    return "float64" if dtype == "float64" else "float32"


def working_dtype(batch_dtype, dtype):
    """The dtype a batch is multiplied in: integers (e.g. uint8 pixels) in `dtype`, floats in the more precise of
    their own and `dtype`, so that neither the data's nor the caller's precision is lost."""
    batch_dtype = keras.backend.standardize_dtype(batch_dtype)
    if "float" not in batch_dtype:
        return dtype
    return batch_dtype if np.finfo(batch_dtype).bits > np.finfo(dtype).bits else dtype


class OpsGramAccumulator:
    """Mean and scatter matrix from batches, on any Keras backend.

    Each batch is centred on its own mean before its product (so data far from the origin keeps its
    digits), and batches are merged exactly in float64 with Chan et al.'s update:
    S = S_a + S_b + (n_a n_b / n) (m_b − m_a)(m_b − m_a)ᵀ.
    """

    def __init__(self, center, dtype="float32"):
        self.center = center
        self.dtype = dtype
        self.count = 0
        self.mean = self.scatter = None

    def as_floats(self, batch):
        """The batch as a backend tensor in at least `dtype`'s precision; a sparse batch as a float64
        `scipy.sparse` CSR matrix."""
        if is_scipy_sparse(batch):
            return batch.tocsr().astype(np.float64)
        if hasattr(batch, "dense_shape"):  # a tf.SparseTensor met under another backend
            from scipy import sparse

            indices = np.asarray(batch.indices)
            values = np.asarray(batch.values, np.float64)
            return sparse.csr_matrix(
                (values, (indices[:, 0], indices[:, 1])), shape=tuple(np.asarray(batch.dense_shape))
            )
        batch = keras.ops.convert_to_tensor(batch)
        wanted = working_dtype(batch.dtype, self.dtype)
        return batch if keras.backend.standardize_dtype(batch.dtype) == wanted else keras.ops.cast(batch, wanted)

    def update(self, batch):
        rows = int(batch.shape[0])
        if is_scipy_sparse(batch):
            batch_mean, gram = _sparse_centred_gram(batch, self.center)
        else:
            batch_mean = keras.ops.mean(batch, axis=0) if self.center else keras.ops.zeros_like(batch[0])
            centred = batch - batch_mean
            # The mean is rounded to the batch's dtype (6e-5 at an offset of 1e3 in float32), so the centred rows
            # keep a small mean of their own: it is measured, taken out of the scatter and added to the mean
            # below, or Chan's merge of the batches would treat the rounded means as exact.
            residual = np.zeros(int(batch.shape[1]))
            if self.center:
                residual = keras.ops.convert_to_numpy(keras.ops.mean(centred, axis=0)).astype(np.float64)
            # An exact power of two keeps the products of values near the dtype's limits from overflowing.
            scale = power_of_two_scale(float(keras.ops.max(keras.ops.abs(centred))))
            centred = centred / scale if scale != 1.0 else centred
            gram = keras.ops.convert_to_numpy(keras.ops.matmul(keras.ops.transpose(centred), centred))
            gram = gram.astype(np.float64) * scale**2 - rows * np.outer(residual, residual)
            batch_mean = keras.ops.convert_to_numpy(batch_mean).astype(np.float64) + residual
        if not (np.isfinite(gram).all() and np.isfinite(batch_mean).all()):
            raise non_finite_error()
        if self.count == 0:
            self.mean, self.scatter = batch_mean, gram
        else:
            total = self.count + rows
            delta = batch_mean - self.mean
            self.scatter = self.scatter + gram + (self.count * rows / total) * np.outer(delta, delta)
            self.mean = self.mean + delta * (rows / total)
        self.count += rows

    def decompose(self, top=None, iterations=None, tol=None):
        """`(mean, singular values, components, total variance, (0, 0.0, 0.0))`, float64, all features in
        descending order (`top`, `iterations` and `tol` are accepted for the common interface; a full float64
        eigh is exact, so there is no iteration to report)."""
        values, vectors = np.linalg.eigh(self.scatter)
        values, vectors = values[::-1], vectors[:, ::-1]
        total_variance = float(np.trace(self.scatter) / max(self.count - 1, 1))  # a float, as on TensorFlow
        return self.mean, np.sqrt(np.maximum(values, 0.0)), fix_signs(vectors), total_variance, (0, 0.0, 0.0)


def power_of_two_scale(largest):
    """1 for a finite `largest` magnitude in [2^-30, 2^30] (see `SAFE_EXPONENT`) or 0, else the power of two at or
    below it: dividing by it is exact, and brings the products of a batch back into the dtype's range."""
    if not np.isfinite(largest) or largest == 0 or 2.0**-SAFE_EXPONENT <= largest <= 2.0**SAFE_EXPONENT:
        return 1.0
    return float(2.0 ** np.floor(np.log2(largest)))


def is_scipy_sparse(batch):
    scipy_sparse = sys.modules.get("scipy.sparse")
    return scipy_sparse is not None and scipy_sparse.issparse(batch)


def sparse_gram_and_sums(batch):
    """(BᵀB, column sums), float64 numpy, of a float64 `scipy.sparse` CSR batch B without densifying it: scipy's
    sparse product costs about Σ_rows nnz_row² multiply-adds, and beats TensorFlow's CSR product (CHANGELOG)."""
    return (batch.T @ batch).toarray(), np.asarray(batch.sum(axis=0)).ravel()


def _sparse_centred_gram(batch, center):
    """(mean, Σ (x − mean)(x − mean)ᵀ) of a float64 CSR batch: BᵀB less the rank-one term n·m mᵀ (the implicit
    centring of scikit-learn's sparse PCA)."""
    rows = batch.shape[0]
    gram, sums = sparse_gram_and_sums(batch)
    mean = sums / rows if center else np.zeros(batch.shape[1])
    return mean, gram - rows * np.outer(mean, mean)


def non_finite_error():
    """The error both accumulators raise for a batch holding NaN or inf."""
    return ValueError(
        "Received an invalid value for `data`, expected finite values. Received: NaN or inf values in the data"
    )


def fix_signs(vectors):
    """Makes the largest-magnitude entry of each column positive, so that fits are reproducible."""
    idx = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[idx, np.arange(vectors.shape[1])])
    return vectors * np.where(signs == 0, 1.0, signs)
