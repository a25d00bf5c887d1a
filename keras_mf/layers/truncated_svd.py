"""TruncatedSVD: a PCA-style projection layer fitted from data with `adapt`."""

import keras
import numpy as np
import tensorflow as tf

from keras_mf import linalg
from keras_mf._validation import check_choice
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int
from keras_mf.layers.low_rank_dense import choose_rank

_DEFAULT_ARRAY_BATCH = 16384
_MAX_OFFSET_RATIO = 100.0


@keras.saving.register_keras_serializable(package="keras_mf")
class TruncatedSVD(keras.layers.Layer):
    """Projects inputs onto their top principal directions, fitted from data with `adapt()`.

    `adapt` streams over the data in batches, accumulating the mean and the Gram matrix of the centred
    data XcᵀXc (never all rows at once), then takes its top eigenvectors: the right singular vectors
    of Xc, i.e. the truncated SVD Xc ≈ U_k Σ_k V_kᵀ. By Eckart–Young, `reconstruct` then has the smallest
    squared error of any rank-k linear map.

    Args:
        rank: number of components k, an integer in [1, min(n_samples, features)].
        energy: alternatively, the fraction of variance to keep, in (0, 1]; k is the smallest rank
            whose explained variance reaches it. Give exactly one of `rank` and `energy`.
        center: subtract the mean before projecting (PCA). With `center=False` it is the plain
            truncated SVD of the data.
        solver: "auto", "eigh" (full symmetric eigendecomposition) or "subspace" (block subspace
            iteration for the top k, much faster when k ≪ features). "auto" picks "subspace" when
            k is known and at most features / 6 (where it measured faster: up to rank 128 of 784), else
            "eigh".

    Input shape: `(batch, features)`.
    Output shape: `(batch, rank)`.

    Attributes (after `adapt`): `mean` `(features,)`, `components` `(features, rank)` with orthonormal
    columns, `singular_values` `(rank,)` of the centred data, `total_variance` (per-sample variance
    summed over features), `n_samples`; derived from them, `explained_variance` `(rank,)` (σ²/(n-1))
    and `explained_variance_ratio` `(rank,)`.

    Example:

    >>> layer = TruncatedSVD(rank=32)
    >>> layer.adapt(x_train)                    # numpy array, tensor or batched tf.data.Dataset
    >>> codes = layer(x)                        # (batch, 32)
    >>> x_hat = layer.reconstruct(x)            # (batch, features)
    """

    def __init__(self, rank=None, energy=None, center=True, solver="auto", fitted_rank=None, **kwargs):
        super().__init__(**kwargs)
        if (rank is None) == (energy is None):
            raise ValueError(
                "Received an invalid combination of `rank` and `energy`, expected exactly one of them. "
                f"Received: rank={rank!r}, energy={energy!r}"
            )
        self.rank = check_optional_int("rank", rank, 1)
        self.energy = None if energy is None else check_fraction("energy", energy)
        self.center = bool(center)
        self.solver = check_choice("solver", solver, ("auto", "eigh", "subspace"))
        self.fitted_rank = check_optional_int("fitted_rank", fitted_rank, 1) or self.rank
        self.features = None
        self._adapted = False
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"TruncatedSVD needs a known feature dimension. Received: input_shape={input_shape}")
        self.features = int(features)
        if self.rank is not None:
            check_int("rank", self.rank, 1, self.features)
        if self.fitted_rank is not None:
            self._create_state(self.fitted_rank)
        self.built = True

    def call(self, inputs):
        self._check_ready(inputs)
        x = tf.cast(inputs, self.compute_dtype)
        return tf.linalg.matmul(x - self.mean, self.components)

    def inverse(self, codes):
        """Maps codes `(batch, rank)` back to `(batch, features)`: x̂ = z Vₖᵀ + mean."""
        self._check_ready()
        return tf.linalg.matmul(tf.cast(codes, self.compute_dtype), self.components, transpose_b=True) + self.mean

    def reconstruct(self, inputs):
        """Projects and maps back: the best rank-k approximation of `inputs (batch, features)`."""
        return self.inverse(self(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.fitted_rank,)

    def adapt(self, data, batch_size=None, steps=None):
        """Fits the mean and components from data, streaming it in batches.

        Args:
            data: a numpy array or tensor `(n_samples, features)`, a batched `tf.data.Dataset` (of
                arrays, or of tuples whose first element is the input), or an iterable of batches.
            batch_size: rows per batch when `data` is an array (default 16384).
            steps: stop after this many batches.
        """
        stats = _GramAccumulator(self.center)
        for i, batch in enumerate(_batches(data, batch_size or _DEFAULT_ARRAY_BATCH)):
            if steps is not None and i >= steps:
                break
            batch = self._check_batch(batch)
            stats.update(batch)
        if stats.count == 0:
            raise ValueError("TruncatedSVD.adapt received no data (an empty array or dataset).")
        self._fit(stats)

    def _check_batch(self, batch):
        batch = tf.convert_to_tensor(batch)
        if batch.shape.rank != 2:
            raise ValueError(
                "TruncatedSVD.adapt expects batches of shape (batch, features). "
                f"Received: a batch of shape {batch.shape}"
            )
        if not self.built:
            self.build(batch.shape)
        if batch.shape[-1] != self.features:
            raise ValueError(
                f"TruncatedSVD was built for {self.features} features; adapt received data of width "
                f"{batch.shape[-1]}. Received: a batch of shape {batch.shape}"
            )
        if not batch.dtype.is_floating:
            batch = tf.cast(batch, tf.float32)
        return batch

    def _fit(self, stats):
        count = stats.count
        max_rank = min(count, self.features)
        if self.rank is not None and self.rank > max_rank:
            raise ValueError(
                f"Received an invalid value for `rank`, expected an integer in [1, {max_rank}] "
                f"(min(n_samples={count}, features={self.features})). Received: rank={self.rank}"
            )
        solver = self.solver
        if solver == "auto":
            solver = "subspace" if self.rank is not None and 6 * self.rank <= self.features else "eigh"
        top = self.rank if solver == "subspace" else None
        mean, singular_values, components, total_variance = _decompose(
            stats.gram, stats.total, stats.shift, tf.constant(count, tf.float64), self.center, top
        )
        rank = self.rank or choose_rank(singular_values.numpy(), None, self.energy, max_rank)
        if self.fitted_rank is not None and self.fitted_rank != rank:
            raise ValueError(
                f"This TruncatedSVD already holds {self.fitted_rank} components; re-adapting chose {rank}. "
                "Create a new layer to change the rank."
            )
        if self.fitted_rank is None:
            self.fitted_rank = rank
            # With `energy` the weights' shapes are known only now, after `build`; Keras' own
            # `enable_lora` unlocks the tracker the same way to add state to a built layer.
            self._tracker.unlock()
            self._create_state(rank)
            self._tracker.lock()
        fitted = (mean, components[:, :rank], singular_values[:rank], total_variance)
        for variable, value in zip((self.mean, self.components, self.singular_values, self.total_variance), fitted):
            variable.assign(tf.cast(value, variable.dtype))
        self.n_samples.assign(count)
        self._adapted = True

    @property
    def explained_variance(self):
        """Variance along each component, σ²/(n-1), shape `(rank,)`."""
        self._check_ready()
        return tf.square(self.singular_values) / tf.cast(tf.maximum(self.n_samples - 1, 1), self.variable_dtype)

    @property
    def explained_variance_ratio(self):
        """Fraction of the total variance along each component, shape `(rank,)`."""
        return self.explained_variance / self.total_variance

    def _create_state(self, rank):
        def weight(name, shape, dtype=None):
            return self.add_weight(name=name, shape=shape, initializer="zeros", trainable=False, dtype=dtype)

        self.mean = weight("mean", (self.features,))
        self.components = weight("components", (self.features, rank))
        self.singular_values = weight("singular_values", (rank,))
        self.total_variance = weight("total_variance", ())
        self.n_samples = weight("n_samples", (), dtype="int64")

    def _check_ready(self, inputs=None):
        if not self._adapted:
            raise ValueError(
                f"TruncatedSVD layer '{self.name}' is not fitted: call `adapt(data)` before using it."
            )
        if inputs is not None and inputs.shape[-1] is not None and inputs.shape[-1] != self.features:
            raise ValueError(
                f"TruncatedSVD layer '{self.name}' was fitted on {self.features} features. "
                f"Received: inputs with shape {inputs.shape}"
            )

    def load_own_variables(self, store):
        super().load_own_variables(store)
        self._adapted = int(self.n_samples.numpy()) > 0

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "rank": self.rank,
                "energy": self.energy,
                "center": self.center,
                "solver": self.solver,
                "fitted_rank": self.fitted_rank,
            }
        )
        return config


class _GramAccumulator:
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

    def update(self, batch):
        guess = None if self.at_origin else tf.cast(self.shift, batch.dtype)
        shift, gram, total, finite, moved = _batch_gram(batch, guess, self.center)
        if not bool(finite):
            raise ValueError("TruncatedSVD.adapt received NaN or inf values in the data.")
        if self.shift is None:
            self.shift, self.gram, self.total = shift, gram, total
            self.at_origin = not bool(moved)
        else:
            if bool(moved):
                gram, total = _move_reference(gram, total, shift, self.shift, tf.shape(batch)[0])
            self.gram += gram
            self.total += total
        self.count += int(batch.shape[0])


@tf.function
def _decompose(gram, total, shift, count, center, top):
    """(mean, singular values, sign-fixed components, total variance) of the accumulated statistics.

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
        values, vectors = linalg.top_eigh(scatter32, top)
    total_variance = tf.linalg.trace(scatter) / tf.maximum(count - 1, 1)
    return (
        mean if center else tf.zeros_like(mean),
        tf.sqrt(tf.maximum(values, 0.0)),
        _fix_signs(vectors),
        total_variance,
    )


@tf.function
def _batch_gram(batch, guess, center):
    """A batch's (shift, Gram matrix and column sums of batch - shift, all finite, moved) about `guess`
    (None: the origin), or, `moved`, about the batch's own mean when its data sits far from `guess`.

    Subtracting n·m mᵀ from float32 products afterwards loses about log10(E[x²]/Var x) digits per
    feature; below `_MAX_OFFSET_RATIO` (MNIST pixels: at most about 3) that costs nothing measurable
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
    """Σ over rows in float64, summing blocks of `block` rows in the input precision first: one float32
    reduce_sum over the 10,000 MNIST rows is off by 1e-5 relative, this by 1e-7, and no slower."""
    full = tf.shape(x)[0] // block * block
    blocks = tf.reduce_sum(tf.reshape(x[:full], (-1, block, tf.shape(x)[-1])), 1)
    return tf.reduce_sum(tf.cast(blocks, tf.float64), 0) + tf.cast(tf.reduce_sum(x[full:], 0), tf.float64)


def symmetric_gram(x, blocks=3):
    """xᵀx for `x (rows, features)`, computing only the blocks on and above the diagonal.

    A plain matmul does not know its result is symmetric (BLAS' syrk does, TF has no such op);
    3 column blocks cost 6/9 of the multiply-adds, measured 1.1x faster than one matmul on MNIST.
    """
    n = x.shape[-1]
    edges = [round(i * n / blocks) for i in range(blocks + 1)]
    cols = [x[:, edges[i] : edges[i + 1]] for i in range(blocks)]
    upper = {(i, j): tf.linalg.matmul(cols[i], cols[j], transpose_a=True) for i in range(blocks) for j in range(i, blocks)}
    rows = [
        tf.concat([upper[i, j] if j >= i else tf.transpose(upper[j, i]) for j in range(blocks)], axis=1)
        for i in range(blocks)
    ]
    return tf.concat(rows, axis=0)


def _fix_signs(vectors):
    """Makes the largest-magnitude entry of each component positive, so that fits are reproducible."""
    idx = tf.argmax(tf.abs(vectors), axis=0)
    signs = tf.sign(tf.gather(tf.transpose(vectors), idx, batch_dims=1))
    return vectors * tf.where(signs == 0, tf.ones_like(signs), signs)


def _batches(data, batch_size):
    if isinstance(data, tf.data.Dataset):
        for element in data:
            yield element[0] if isinstance(element, (tuple, list)) else element
    elif isinstance(data, np.ndarray) or tf.is_tensor(data):
        for start in range(0, int(data.shape[0]), batch_size):
            yield data[start : start + batch_size]
    elif hasattr(data, "__iter__"):
        for element in data:
            yield element[0] if isinstance(element, (tuple, list)) else element
    else:
        raise TypeError(
            "TruncatedSVD.adapt expects a numpy array, a tensor, a batched tf.data.Dataset or an iterable "
            f"of batches. Received: data of type {type(data).__name__}"
        )
