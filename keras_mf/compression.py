"""Model compression: replace Dense layers by their truncated-SVD LowRankDense."""

import keras

from keras_mf._deprecation import moved_names
from keras_mf._validation import check_exactly_one
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int
from keras_mf.layers.low_rank_dense import LowRankDense


def compress(model, rank=None, energy=None, param_fraction=None, min_params=10_000):
    """Returns a copy of `model` with its large Dense layers factorized by truncated SVD; ready to fine-tune.

    Each selected `keras.layers.Dense` with an `(m, n)` kernel W becomes a `keras_mf.layers.LowRankDense` holding
    the best rank-r approximation of W (Eckart–Young: W's r leading singular triplets), so the copy computes
    `activation(x @ U @ V + bias)` on inputs `(batch, ..., m)`, outputs `(batch, ..., n)`, in the layer's dtype.
    Exactly one of `rank`, `energy` and `param_fraction` chooses each layer's rank r:

    - `rank`: the same r for every layer (capped at the layer's min(m, n));
    - `energy`: the smallest r keeping that fraction of the kernel's squared singular values;
    - `param_fraction`: the largest r whose r·(m + n) kernel parameters stay within that fraction of m·n.

    A Dense layer is replaced only if it has at least `min_params` kernel parameters and the factorized
    kernel is smaller; small layers such as a classifier head cost little and are left alone. Dense layers
    inside nested Sequential or functional models are replaced too; every other layer is copied with its
    weights (fitted `TruncatedSVD` layers stay fitted). `model` itself is not changed.

    Args:
        model: a built `keras.Model` (Sequential or functional).
        rank: int ≥ 1, the rank of every factorized kernel; or None.
        energy: float in (0, 1], the share of each kernel's squared Frobenius norm to keep; or None.
        param_fraction: float in (0, 1], the kernel-parameter budget per layer as a share of m·n; or None.
        min_params: int ≥ 0, the fewest kernel parameters m·n a Dense layer must have to be factorized.

    Returns:
        A tuple `(compressed_model, report)`. `compressed_model` is an uncompiled `keras.Model` with the same
        inputs and outputs; `report` lists one dict per Dense layer met, in order, with keys "layer" (its name),
        "shape" `(m, n)`, "rank" (int, or None if kept), "params_before" and "params_after" (kernel and bias
        parameters).

    Raises:
        ValueError: not exactly one of `rank`, `energy` and `param_fraction` given, or one out of its range, or
            `min_params` below 0.
        TypeError: `model` is not a built `keras.Model`.

    References:
        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

        Xue, J., Li, J. & Gong, Y. (2013). Restructuring of deep neural network acoustic models with singular
        value decomposition. Proc. Interspeech 2013, 2365–2369. https://doi.org/10.21437/Interspeech.2013-552

    Example:
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.compression import compress
        >>> hidden, head = keras.layers.Dense(32, name="hidden"), keras.layers.Dense(10, name="head")
        >>> model = keras.Sequential([keras.Input((64,)), hidden, head])
        >>> small, report = compress(model, rank=4, min_params=1000)
        >>> [(r["layer"], r["shape"], r["rank"], r["params_after"]) for r in report]
        [('hidden', (64, 32), 4, 416), ('head', (32, 10), None, 330)]
        >>> x = np.random.default_rng(0).random((2, 64), dtype=np.float32)
        >>> tuple(small(x).shape)
        (2, 10)
    """
    check_exactly_one(rank=rank, energy=energy, param_fraction=param_fraction)
    if rank is not None:
        check_int("rank", rank, 1)
    if energy is not None:
        check_fraction("energy", energy)
    if param_fraction is not None:
        check_fraction("param_fraction", param_fraction)
    check_int("min_params", min_params, 0)
    if not isinstance(model, keras.Model) or not model.built:
        raise TypeError(f"Received an invalid value for `model`, expected a built keras.Model. Received: {model!r}")
    report = []
    copies = []  # (original, copy): the copies are built only once the clone is, so weights follow then

    def replace(layer):
        if isinstance(layer, keras.layers.Dense) and layer.built:
            m, n = (int(d) for d in layer.kernel.shape)
            bias = n if layer.use_bias else 0
            entry = {"layer": layer.name, "shape": (m, n), "rank": None, "params_before": m * n + bias}
            r = _rank_for(m, n, rank, param_fraction)
            if m * n >= min_params and (r is None or r * (m + n) < m * n):
                low = LowRankDense.from_dense(layer, rank=r, energy=energy if r is None else None)
                if low.rank * (m + n) < m * n:
                    entry.update(rank=low.rank, params_after=low.rank * (m + n) + bias)
                    report.append(entry)
                    return low
            entry["params_after"] = entry["params_before"]
            report.append(entry)
        copy = layer.__class__.from_config(layer.get_config())
        copies.append((layer, copy))
        return copy

    clone = keras.models.clone_model(model, clone_function=replace, recursive=True)
    for original, copy in copies:
        if original.weights:
            copy.set_weights(original.get_weights())
    return clone, report


def _rank_for(m, n, rank, param_fraction):
    if rank is not None:
        return min(rank, m, n)
    if param_fraction is not None:
        return max(1, min(int(param_fraction * m * n / (m + n)), m, n))
    return None


__getattr__ = moved_names(
    __name__,
    {
        "compress_and_fine_tune": "keras_mf.cli.experiments.compression",
        "dense_parameters": "keras_mf.cli.experiments.compression",
        "eckart_young_curve": "keras_mf.cli.experiments.compression",
        "svd_error_curve": "keras_mf.cli.experiments.compression",
    },
)
