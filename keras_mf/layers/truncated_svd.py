"""TruncatedSVD: a PCA-style projection layer fitted from data with `adapt`."""

import sys

import keras
import numpy as np
from keras import ops

from keras_mf._inputs import tf_if_dataset
from keras_mf._validation import check_bool
from keras_mf._validation import check_choice
from keras_mf._validation import check_exactly_one
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int
from keras_mf._validation import check_positive_float
from keras_mf._validation import check_real_dtype
from keras_mf._validation import is_sparse
from keras_mf.exceptions import NotFittedError
from keras_mf.linalg.convergence import subspace_block
from keras_mf.linalg.convergence import warn_unconverged
from keras_mf.linalg.gram import gram_accumulator
from keras_mf.linalg.rank import choose_rank

# Rows per batch when `adapt` is given an array: each batch costs one compiled Gram product, so fewer, larger
# batches amortise the call, while 16384 rows of 784 float32 features stay near 50 MB.
_DEFAULT_ARRAY_BATCH = 16384
# "auto" can afford a full eigh up to this many features: the eigh of a 1024-wide Gram matrix costs about as much
# as the Gram product of ~10k rows (CHANGELOG, benchmarks/svd.py).
_EXACT_AUTO_FEATURES = 1024
# Subspace iteration pays off only when k is well below the width (measured in benchmarks/svd.py).
_SUBSPACE_MAX_FRACTION = 6
# Up to `_EXACT_AUTO_FEATURES`, "auto" gives subspace iteration as many iterations as cost one full eigh, then
# takes the eigh if it has not converged: a 784-wide float32 eigh took 90 ms against 2.75 ms per iteration of a
# 64-column block, i.e. about 2.7 · features / block iterations, so a flat spectrum costs at most two eighs.
_AUTO_BUDGET = 2.7


@keras.saving.register_keras_serializable(package="keras_mf")
class TruncatedSVD(keras.layers.Layer):
    """Projects inputs onto their top principal directions, fitted from data with `adapt()`.

    `adapt` streams over the data in batches, accumulating the mean and the Gram matrix of the centred
    data XcᵀXc (never all rows at once), then takes its top eigenvectors: the right singular vectors
    of Xc, i.e. the truncated SVD Xc ≈ U_k Σ_k V_kᵀ. By Eckart–Young, `reconstruct` then has the smallest
    squared error of any rank-k linear map.

    Like `keras.layers.Normalization`, the fitted state lives in the layer's (non-trainable) variables
    and nothing else: a layer whose weights were copied in with `set_weights`, cloned, or loaded from a
    `.keras` file is fitted; one that never saw data is not, and says so when called (inside a compiled
    function, where no value can be read, its components are NaN rather than a plausible answer).

    Args:
        rank: number of components k, an integer in [1, min(n_samples, features)].
        energy: alternatively, the fraction of variance to keep, in (0, 1]; k is the smallest rank
            whose explained variance reaches it. Give exactly one of `rank` and `energy`. The layer's
            weights are then created by `adapt`, so adapt it before building a model around it.
        center: subtract the mean before projecting (PCA). With `center=False` it is the plain
            truncated SVD of the data.
        solver: "auto", "eigh" (full symmetric eigendecomposition, exact) or "subspace" (block subspace
            iteration for the top k, much faster when k ≪ features and the spectrum decays). Subspace
            iteration runs until every top-k Ritz pair's residual is at most `tol` times its eigenvalue (see
            `linalg.top_eigh`), and warns (ConvergenceWarning, naming `max_iter`) when `max_iter` iterations
            were not enough. "auto" never stops short: it takes "eigh" when k is not known or above
            features / 6; otherwise "subspace", which, for at most 1024 features, gets as many iterations as
            one eigh costs and hands over to the exact eigh when they do not converge (a flat spectrum, e.g.
            iid noise); above 1024 features, where an eigh is dear, it iterates up to `max_iter` and warns.
            On backends other than TensorFlow the statistics are combined in float64 and decomposed by a full
            float64 eigh whatever the solver.
        max_iter: the most subspace iterations.
        tol: relative residual at which subspace iteration stops; default √eps of the layer's dtype
            (3.5e-4 in float32, 1.5e-8 in float64), where each σ² is accurate to ~eps·σ⁴/gap.
        fitted_rank: the rank `adapt` chose (set in `get_config` so that a saved `energy=` layer rebuilds);
            leave it None.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Precision follows the layer's `dtype`: with `dtype="float64"` the products (of float data), sums and
    eigen-solve all run in float64; in float32 the sums are float64 and the products and solve float32.

    Sparse input: `adapt` takes `scipy.sparse` matrices, `tf.SparseTensor` batches and tf.data datasets of sparse
    batches without densifying them (each batch's XᵀX is a sparse product, its column sums a sparse reduction;
    centring is the rank-one correction n·m mᵀ of the accumulated Gram matrix, so the mean is never
    subtracted from the data). The Gram matrix itself is dense, `(features, features)`. The layer's call,
    `reconstruct` included, also takes sparse batches.

    Input shape: `(batch, features)`.
    Output shape: `(batch, rank)`.

    Attributes (after `adapt`): `mean` `(features,)`, `components` `(features, rank)` with orthonormal
    columns, `singular_values` `(rank,)` of the centred data, `total_variance` (per-sample variance
    summed over features), `n_samples`; derived from them, `explained_variance` `(rank,)` (σ²/(n-1))
    and `explained_variance_ratio` `(rank,)`.

    Raises:
        ValueError: both or neither of `rank` and `energy`, or either out of range (`rank` also above the
            data's width at `adapt`); an unknown `solver`; `adapt` given no rows, batches that are not
            `(batch, features)` or of another width; a call on inputs of another width.
        TypeError: a bool option that is not a bool; data of a non-real dtype (bool, complex, text).
        keras_mf.exceptions.NotFittedError: a call, `inverse` or `reconstruct` before `adapt`.

    References:
        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

        Halko, N., Martinsson, P.-G. & Tropp, J. A. (2011). Finding structure with randomness: probabilistic
        algorithms for constructing approximate matrix decompositions. SIAM Review 53(2), 217–288.
        https://doi.org/10.1137/090771806

        Saad, Y. (2011). Numerical Methods for Large Eigenvalue Problems, 2nd ed., ch. 5 (subspace iteration).
        SIAM. https://doi.org/10.1137/1.9781611970739

    Example:
        >>> import numpy as np
        >>> from keras_mf.layers import TruncatedSVD
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 10)) + 0.01 * rng.normal(size=(200, 10))
        >>> layer = TruncatedSVD(rank=2)
        >>> layer.adapt(x.astype("float32"))      # array, tensor, scipy.sparse, batched tf.data.Dataset
        >>> codes = layer(x[:5])
        >>> tuple(codes.shape), tuple(layer.reconstruct(x[:5]).shape)
        ((5, 2), (5, 10))
        >>> round(float(np.sum(layer.explained_variance_ratio)), 3)    # rank-2 data plus a little noise
        1.0
        >>> s = np.linalg.svd(x - x.mean(0), compute_uv=False)[:2]    # numpy's singular values agree
        >>> bool(np.allclose(layer.singular_values, s, rtol=1e-4))
        True
    """

    def __init__(
        self, rank=None, energy=None, center=True, solver="auto", max_iter=300, tol=None, fitted_rank=None, **kwargs
    ):
        super().__init__(**kwargs)
        check_exactly_one(rank=rank, energy=energy)
        self.rank = check_optional_int("rank", rank, 1)
        self.energy = None if energy is None else check_fraction("energy", energy)
        self.center = check_bool("center", center)
        self.solver = check_choice("solver", solver, ("auto", "eigh", "subspace"))
        self.max_iter = check_int("max_iter", max_iter, 1)
        self.tol = None if tol is None else check_positive_float("tol", tol)
        self.fitted_rank = check_optional_int("fitted_rank", fitted_rank, 1) or self.rank
        self.features = None
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"TruncatedSVD needs a known feature dimension. Received: input_shape={input_shape}")
        if self.fitted_rank is None:
            raise NotFittedError(
                f"TruncatedSVD layer '{self.name}' was created with `energy={self.energy}`, so its rank is "
                "chosen from the data: call `adapt(data)` before building or calling it."
            )
        self.features = int(features)
        check_int("rank", self.fitted_rank, 1, self.features)
        nan = keras.initializers.Constant(float("nan"))
        self.mean = self.add_weight(name="mean", shape=(self.features,), initializer="zeros", trainable=False)
        self.components = self.add_weight(
            name="components", shape=(self.features, self.fitted_rank), initializer=nan, trainable=False
        )
        self.singular_values = self.add_weight(
            name="singular_values", shape=(self.fitted_rank,), initializer="zeros", trainable=False
        )
        self.total_variance = self.add_weight(name="total_variance", shape=(), initializer="zeros", trainable=False)
        self.n_samples = self.add_weight(
            name="n_samples", shape=(), initializer="zeros", trainable=False, dtype="int32"
        )

    def __call__(self, inputs, *args, **kwargs):
        # Keras takes tensors only; a scipy.sparse batch becomes the backend's sparse tensor (on TensorFlow) or
        # a dense batch (elsewhere) here, before Keras sees it.
        return super().__call__(_backend_batch(inputs), *args, **kwargs)

    def call(self, inputs):
        self._check_ready(inputs)
        mean, components = (ops.cast(v, self.compute_dtype) for v in (self.mean, self.components))
        if is_sparse(inputs):
            # (x − m)V = xV − mV: subtracting the mean from a sparse batch would densify it.
            x = _sparse_cast(inputs, self.compute_dtype)
            return ops.matmul(x, components) - ops.matmul(mean[None, :], components)
        return ops.matmul(ops.cast(inputs, self.compute_dtype) - mean, components)

    def inverse(self, codes):
        """Maps codes back to the input space: x̂ = z Vₖᵀ + mean.

        Args:
            codes: float `(batch, rank)`, e.g. the layer's outputs.

        Returns:
            A tensor `(batch, features)` in the layer's compute dtype.

        Raises:
            keras_mf.exceptions.NotFittedError: the layer was not adapted.

        Example:
            >>> import numpy as np
            >>> from keras_mf.layers import TruncatedSVD
            >>> layer = TruncatedSVD(rank=1)
            >>> layer.adapt(np.array([[0.0, 0.0], [2.0, 2.0]], np.float32))
            >>> np.round(np.asarray(layer.inverse(np.zeros((1, 1), np.float32))), 3)   # code 0 is the mean
            array([[1., 1.]], dtype=float32)
        """
        self._check_ready()
        mean, components = (ops.cast(v, self.compute_dtype) for v in (self.mean, self.components))
        return ops.matmul(ops.cast(codes, self.compute_dtype), ops.transpose(components)) + mean

    def reconstruct(self, inputs):
        """Projects and maps back: the best rank-k approximation of the inputs (Eckart–Young).

        Args:
            inputs: float `(batch, features)`, dense or sparse.

        Returns:
            A tensor `(batch, features)` in the layer's compute dtype: `inverse(layer(inputs))`.

        Raises:
            keras_mf.exceptions.NotFittedError: the layer was not adapted.
            ValueError: `inputs` of another width than the data it was adapted on.

        Example:
            >>> import numpy as np
            >>> from keras_mf.layers import TruncatedSVD
            >>> x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], np.float32)    # on a line: rank 1 is exact
            >>> layer = TruncatedSVD(rank=1)
            >>> layer.adapt(x)
            >>> bool(np.allclose(layer.reconstruct(x), x, atol=1e-5))
            True
        """
        return self.inverse(self(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.fitted_rank,)

    @property
    def is_adapted(self):
        """Whether the variables hold a fit: `n_samples > 0` (False inside a compiled function).

        Example:
            >>> import numpy as np
            >>> from keras_mf.layers import TruncatedSVD
            >>> layer = TruncatedSVD(rank=1)
            >>> before = layer.is_adapted
            >>> layer.adapt(np.eye(3, dtype=np.float32))
            >>> before, layer.is_adapted
            (False, True)
        """
        return bool(self._fitted_samples())

    def adapt(self, data, batch_size=None, steps=None):
        """Fits the mean and components from data, streaming it in batches.

        Args:
            data: an array or tensor `(n_samples, features)` of any backend, a `scipy.sparse` matrix or
                `tf.SparseTensor`, a batched `tf.data.Dataset` (of dense or sparse batches, or of tuples
                whose first element is the input), or an iterable of batches.
            batch_size: int, rows per batch when `data` is an array (default 16384).
            steps: int, stop after this many batches.

        Raises:
            ValueError: no rows; a batch that is not `(batch, features)`, or of another width than the first
                (or than the layer was built for); `rank` above the width; data whose variance the layer's dtype
                cannot represent.
            TypeError: data of a non-real dtype.
            keras_mf.exceptions.ConvergenceWarning: (a warning) subspace iteration stopped at `max_iter`.

        Example:
            >>> import numpy as np
            >>> import scipy.sparse
            >>> from keras_mf.layers import TruncatedSVD
            >>> layer = TruncatedSVD(energy=0.9)                 # the rank is chosen from the data
            >>> layer.adapt(scipy.sparse.random(50, 6, density=0.5, random_state=0, format="csr"), batch_size=16)
            >>> int(layer.n_samples), 1 <= layer.fitted_rank <= 6
            (50, True)
        """
        batch_size = check_optional_int("batch_size", batch_size, 1)
        steps = check_optional_int("steps", steps, 1)
        stats = gram_accumulator(self.center, self.variable_dtype)
        if not self.built:
            self.features = None  # a failed earlier adapt must not fix the width
        for i, batch in enumerate(_batches(data, batch_size or _DEFAULT_ARRAY_BATCH)):
            if steps is not None and i >= steps:
                break
            stats.update(self._check_batch(batch, stats))
        if stats.count == 0:
            raise ValueError("TruncatedSVD.adapt received no data (an empty array or dataset).")
        self._fit(stats)

    def _check_batch(self, batch, stats):
        if is_sparse(batch):
            check_real_dtype("data", batch.data if hasattr(batch, "tocoo") else batch.values)
        else:
            check_real_dtype("data", batch)
        if len(batch.shape) != 2:
            raise ValueError(
                "TruncatedSVD.adapt expects batches of shape (batch, features). "
                f"Received: a batch of shape {tuple(batch.shape)}"
            )
        width = int(batch.shape[-1])
        if self.features is None:
            self.features = width
        if width != self.features:
            raise ValueError(
                f"TruncatedSVD was built for {self.features} features; adapt received data of width "
                f"{width}. Received: a batch of shape {tuple(batch.shape)}"
            )
        if self.rank is not None:
            check_int("rank", self.rank, 1, self.features)
        return stats.as_floats(batch)

    def _fit(self, stats):
        count = stats.count
        max_rank = min(count, self.features)
        if self.rank is not None and self.rank > max_rank:
            raise ValueError(
                f"Received an invalid value for `rank`, expected an integer in [1, {max_rank}] "
                f"(min(n_samples={count}, features={self.features})). Received: rank={self.rank}"
            )
        mean, singular_values, components, total_variance = self._decompose(stats)
        self._check_representable(total_variance)
        rank = self.rank or choose_rank(singular_values, None, self.energy, max_rank)
        if self.fitted_rank is not None and self.fitted_rank != rank:
            raise ValueError(
                f"This TruncatedSVD already holds {self.fitted_rank} components; re-adapting chose {rank}. "
                "Create a new layer to change the rank."
            )
        self.fitted_rank = rank
        if not self.built:
            self.build((None, self.features))
        fitted = (mean, _orthonormal(components[:, :rank]), singular_values[:rank], total_variance, count)
        for variable, value in zip(
            (self.mean, self.components, self.singular_values, self.total_variance, self.n_samples), fitted, strict=True
        ):
            variable.assign(np.asarray(value).astype(variable.dtype))

    def _check_representable(self, total_variance):
        """Refuses data whose variance the layer's dtype cannot hold (float32 data near its limits: squares of
        1e20 overflow it, of 1e-20 underflow it) rather than storing inf or 0."""
        info = np.finfo(keras.backend.standardize_dtype(self.variable_dtype))
        if total_variance > 0 and not float(info.tiny) <= total_variance <= float(info.max):
            raise ValueError(
                f"Received an invalid value for `data`, expected a total variance within {info.dtype}'s range "
                f"[{info.tiny:.3g}, {info.max:.3g}]. Received: data of total variance {total_variance:.3g}; use "
                'a layer with dtype="float64" or rescale the data'
            )

    def _decompose(self, stats):
        """(mean, singular values, components, total variance) by the solver `_solver` picks; subspace iteration
        that stops short hands over to the eigh when "auto" allows it, or warns naming `max_iter`."""
        solver, iterations = self._solver()
        if solver == "eigh":
            return stats.decompose()[:4]
        *result, report = stats.decompose(self.rank, iterations, self.tol)
        used, residual, tol = report
        if iterations < self.max_iter and not residual <= tol:
            return stats.decompose()[:4]
        warn_unconverged("TruncatedSVD's subspace iteration", used, residual, tol, "max_iter", self.max_iter, 5)
        return result

    def _solver(self):
        """(solver, iterations): "eigh", or "subspace" with its iteration cap, below `max_iter` when "auto" may
        take the exact eigh after it (see the class docstring)."""
        if self.solver != "auto":
            return self.solver, self.max_iter
        if self.rank is None or _SUBSPACE_MAX_FRACTION * self.rank > self.features:
            return "eigh", 0
        if self.features > _EXACT_AUTO_FEATURES:
            return "subspace", self.max_iter
        budget = max(1, int(_AUTO_BUDGET * self.features / subspace_block(self.rank, self.features)))
        return "subspace", min(budget, self.max_iter)

    @property
    def explained_variance(self):
        """Variance along each component, σ²/(n-1), shape `(rank,)`, in the data's squared units.

        Example:
            >>> import numpy as np
            >>> from keras_mf.layers import TruncatedSVD
            >>> layer = TruncatedSVD(rank=1)
            >>> layer.adapt(np.array([[0.0, 0.0], [2.0, 0.0]], np.float32))
            >>> np.round(np.asarray(layer.explained_variance), 3)         # np.var([0, 2], ddof=1)
            array([2.], dtype=float32)
        """
        self._check_ready()
        n = ops.cast(ops.maximum(self.n_samples - 1, 1), self.variable_dtype)
        return ops.square(self.singular_values) / n

    @property
    def explained_variance_ratio(self):
        """Fraction of the total variance along each component, shape `(rank,)`; 0 for data without variance
        (all rows equal), which has none to explain.

        Example:
            >>> import numpy as np
            >>> from keras_mf.layers import TruncatedSVD
            >>> layer = TruncatedSVD(rank=1)
            >>> layer.adapt(np.array([[0.0, 0.0], [2.0, 1.0], [4.0, 0.0]], np.float32))
            >>> np.round(np.asarray(layer.explained_variance_ratio), 3)   # variances 4 and 1/3 along the axes
            array([0.923], dtype=float32)
        """
        total = ops.convert_to_tensor(self.total_variance)
        positive = ops.greater(total, 0)
        return ops.where(positive, self.explained_variance / ops.where(positive, total, ops.ones_like(total)), 0)

    def _fitted_samples(self):
        """`n_samples` as an int; None inside a trace (a compiled `predict`), where no value is concrete."""
        if not self.built:
            return 0
        try:
            return int(ops.convert_to_numpy(self.n_samples))
        except Exception:  # each backend raises its own error for a traced value; the NaN components answer there
            return None

    def _check_ready(self, inputs=None):
        if self._fitted_samples() == 0:
            raise NotFittedError(
                f"TruncatedSVD layer '{self.name}' is not fitted: call `adapt(data)` (or load fitted weights) "
                "before using it."
            )
        if inputs is not None and inputs.shape[-1] is not None and inputs.shape[-1] != self.features:
            raise ValueError(
                f"TruncatedSVD layer '{self.name}' was fitted on {self.features} features. "
                f"Received: inputs with shape {tuple(inputs.shape)}"
            )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "rank": self.rank,
                "energy": self.energy,
                "center": self.center,
                "solver": self.solver,
                "max_iter": self.max_iter,
                "tol": self.tol,
                "fitted_rank": self.fitted_rank,
            }
        )
        return config


def _batches(data, batch_size):
    tf = sys.modules.get("tensorflow")
    if tf_if_dataset(data) is not None:
        elements = iter(data)
    elif tf is not None and isinstance(data, tf.SparseTensor):
        rows, width = (int(d) for d in data.dense_shape)
        elements = (tf.sparse.slice(data, [start, 0], [batch_size, width]) for start in range(0, rows, batch_size))
    elif is_sparse(data):
        data = data.tocsr()  # row slices of a CSR matrix are views of its stored values, not copies of the matrix
        elements = (data[start : start + batch_size] for start in range(0, data.shape[0], batch_size))
    elif hasattr(data, "shape") and hasattr(data, "__getitem__"):
        if len(data.shape) == 0:
            raise TypeError(f"TruncatedSVD.adapt expects data of shape (n_samples, features). Received: {data!r}")
        elements = (data[start : start + batch_size] for start in range(0, int(data.shape[0]), batch_size))
    elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes)):
        elements = iter(data)
    else:
        raise TypeError(
            "TruncatedSVD.adapt expects a numpy array, a tensor, a batched tf.data.Dataset or an iterable "
            f"of batches. Received: data of type {type(data).__name__}"
        )
    for element in elements:
        batch = element[0] if isinstance(element, (tuple, list)) else element
        yield batch if hasattr(batch, "shape") else np.asarray(batch)


def _orthonormal(vectors, steps=2):
    """The columns of `vectors (features, rank)` made orthonormal to float64 round-off: a float32 eigen-solver's
    eigenvectors can be orthogonal only to a few hundred units of its round-off (CHANGELOG), and the projection
    `call` makes should not depend on that. Newton–Schulz steps toward the nearest orthonormal matrix,
    V ← V (3I − VᵀV) / 2, square the error each with two small matmuls; they keep each column's direction and
    sign, and cost far less than a QR inside TensorFlow's process, whose threads starve LAPACK's (CHANGELOG).

    References:
        Higham, N. J. (2008). Functions of Matrices: Theory and Computation, §8.3. SIAM.
        https://doi.org/10.1137/1.9780898717778
    """
    v = np.asarray(vectors, np.float64)
    for _ in range(steps):
        v = v @ (1.5 * np.eye(v.shape[1]) - 0.5 * (v.T @ v))
    return v


def _backend_batch(inputs):
    """A `scipy.sparse` batch as a `tf.SparseTensor` on TensorFlow, or densified on other backends (whose
    Keras layers take no scipy input); anything else unchanged."""
    if not is_sparse(inputs) or not hasattr(inputs, "tocoo"):
        return inputs
    if keras.backend.backend() == "tensorflow":
        from keras_mf._validation_tf import to_sparse_tensor

        return to_sparse_tensor(inputs)
    return inputs.toarray()


def _sparse_cast(inputs, dtype):
    """A `tf.SparseTensor` with its values cast to `dtype` (its indices untouched)."""
    import tensorflow as tf

    return tf.SparseTensor(inputs.indices, tf.cast(inputs.values, dtype), inputs.dense_shape)
