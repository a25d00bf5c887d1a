"""Model compression: replace Dense layers by their truncated-SVD LowRankDense."""

import keras
import numpy as np

from keras_mf._validation import check_fraction
from keras_mf._validation import check_int
from keras_mf.layers.low_rank_dense import LowRankDense
from keras_mf.layers.truncated_svd import TruncatedSVD
from keras_mf.models.mlp import compile_classifier


def compress(model, rank=None, energy=None, param_fraction=None, min_params=10_000):
    """Returns a copy of `model` with its large Dense layers factorized; ready to fine-tune.

    Exactly one of `rank`, `energy` and `param_fraction` chooses each layer's rank:
      - `rank`: the same r for every layer (capped at the layer's min(m, n));
      - `energy`: the smallest r keeping that fraction of the kernel's squared singular values;
      - `param_fraction`: the largest r whose r·(m + n) kernel parameters stay within that fraction of m·n.
    A Dense layer is replaced only if it has at least `min_params` kernel parameters and the factorized
    kernel is smaller; small layers such as a classifier head cost little and are left alone.

    Dense layers inside nested Sequential or functional models are replaced too; every other layer is
    copied with its weights (fitted `TruncatedSVD` layers stay fitted).

    Args:
        model: a built Sequential or functional Keras model.

    Returns:
        `(compressed_model, report)`; `report` is a list of dicts per Dense layer with its name,
        shape, rank (None if kept) and parameters before and after.

    Example:

    >>> small, report = compress(mlp, param_fraction=0.25)
    >>> small.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> small.fit(x_train, y_train, epochs=2)      # a short fine-tune recovers most of the accuracy
    """
    chosen = [v is not None for v in (rank, energy, param_fraction)]
    if sum(chosen) != 1:
        raise ValueError(
            "Received an invalid combination of `rank`, `energy` and `param_fraction`, expected exactly one. "
            f"Received: rank={rank!r}, energy={energy!r}, param_fraction={param_fraction!r}"
        )
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


def dense_parameters(model):
    """Number of weights in `model` (every layer's kernels and biases)."""
    return sum(int(np.prod(w.shape)) for layer in model.layers for w in layer.weights)


def compress_and_fine_tune(model, x_train, y_train, x_eval, y_eval, fractions, fine_tune_epochs, batch_size):
    """Compresses a classifier at each parameter budget and fine-tunes each copy.

    Returns:
        Rows `[fraction, ranks "r1/r2", parameters, accuracy before, accuracy after fine-tuning]`.
    """
    rows = []
    for fraction in fractions:
        small, report = compress(model, param_fraction=fraction)
        compile_classifier(small, 3e-4)
        before = float(small.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
        small.fit(x_train, y_train, epochs=fine_tune_epochs, batch_size=batch_size, verbose=0)
        after = float(small.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
        ranks = "/".join(str(r["rank"]) for r in report if r["rank"] is not None)
        rows.append([fraction, ranks, dense_parameters(small), before, after])
    return rows


def svd_error_curve(x, ranks):
    """`[(rank, per-pixel MSE of TruncatedSVD's reconstruction of x (n, features))]` for each rank."""
    curve = []
    for rank in ranks:
        layer = TruncatedSVD(rank=rank)
        layer.adapt(x)
        curve.append((rank, float(np.mean((x - keras.ops.convert_to_numpy(layer.reconstruct(x))) ** 2))))
    return curve


def eckart_young_curve(x):
    """`(ranks, errors)`: the per-pixel MSE of PCA's reconstruction of x `(n, features)` for every rank 0..r.

    One fit gives them all (Eckart–Young): the best rank-k reconstruction of the centred data leaves
    the squared singular values beyond the k-th, so error(k) = Σ_{i>k} σ_i² / (n · features).
    """
    x = np.asarray(x, np.float32)
    layer = TruncatedSVD(rank=min(x.shape), solver="eigh")
    layer.adapt(x)
    energy = np.square(keras.ops.convert_to_numpy(layer.singular_values).astype(np.float64))
    remaining = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
    return np.arange(len(energy) + 1), np.maximum(remaining, 0.0) / x.size
