"""Model compression: replace Dense layers by their truncated-SVD LowRankDense."""

import keras

from keras_mf._deprecation import moved_names
from keras_mf._validation import check_exactly_one
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int
from keras_mf.layers.low_rank_dense import LowRankDense


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
