"""The compression experiment behind `keras-mf-compress`: compress a classifier at several parameter budgets and
fine-tune each copy; the truncated SVD's error against rank, measured and in closed form (Eckart–Young)."""

import keras
import numpy as np

from keras_mf.cli.experiments.classifier import compile_classifier
from keras_mf.compression import compress
from keras_mf.layers.low_rank_dense import LowRankDense
from keras_mf.layers.truncated_svd import TruncatedSVD

# A compressed copy starts near the trained model's optimum: a tenth of Adam's usual 1e-3 would barely move it in
# a few epochs, 1e-3 itself can throw it out of that basin; 3e-4 recovers the accuracy in 3 epochs.
FINE_TUNE_LEARNING_RATE = 3e-4


def dense_parameters(model):
    """Number of parameters (kernels and biases) in the Dense and LowRankDense layers of `model`, nested models
    included; other layers (normalisation, embeddings, …) are not counted.

    Args:
        model: a built `keras.Model`.

    Returns:
        int.

    Example:
        >>> import keras
        >>> from keras_mf.cli.experiments.compression import dense_parameters
        >>> model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
        >>> dense_parameters(model), model.count_params()        # 8·4 + 4, and the normalisation's 16
        (36, 52)
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += dense_parameters(layer)
        elif isinstance(layer, (keras.layers.Dense, LowRankDense)):
            total += sum(int(np.prod(w.shape)) for w in layer.weights)
    return total


def compress_and_fine_tune(
    model,
    x_train,
    y_train,
    x_eval,
    y_eval,
    fractions,
    fine_tune_epochs,
    batch_size,
    learning_rate=FINE_TUNE_LEARNING_RATE,
):
    """Compresses a classifier at each parameter budget (`keras_mf.compress(model, param_fraction=f)`) and
    fine-tunes each copy with Adam at `learning_rate`; `model` itself is not changed.

    Args:
        model: a trained classifier (`keras.Model` with class probabilities as output).
        x_train: float `(n, features)` training inputs for fine-tuning.
        y_train: int `(n,)` labels.
        x_eval: float `(m, features)` evaluation inputs.
        y_eval: int `(m,)` labels.
        fractions: the budgets, floats in (0, 1].
        fine_tune_epochs: int ≥ 1.
        batch_size: int ≥ 1.
        learning_rate: float, Adam's learning rate for fine-tuning (`FINE_TUNE_LEARNING_RATE`).

    Returns:
        One row per budget, `[fraction, ranks "r1/r2", Dense parameters, accuracy before, accuracy after
        fine-tuning]`, accuracies in [0, 1].

    Raises:
        ValueError: a fraction outside (0, 1] (from `compress`).

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.experiments.classifier import mlp_classifier
        >>> from keras_mf.cli.experiments.compression import compress_and_fine_tune
        >>> rng = np.random.default_rng(0)
        >>> x, y = rng.random((64, 100), dtype=np.float32), rng.integers(0, 2, 64)
        >>> model = mlp_classifier((100,), input_dim=100, classes=2)
        >>> rows = compress_and_fine_tune(model, x, y, x, y, [0.25], fine_tune_epochs=1, batch_size=32)
        >>> [row[:3] for row in rows]          # rank 12: 12·(100 + 100) kernel parameters ≤ 25% of 100·100
        [[0.25, '12', 2702]]
    """
    rows = []
    for fraction in fractions:
        small, report = compress(model, param_fraction=fraction)
        compile_classifier(small, learning_rate)
        before = float(small.evaluate(x_eval, y_eval, batch_size=batch_size, verbose=0)[1])
        small.fit(x_train, y_train, epochs=fine_tune_epochs, batch_size=batch_size, verbose=0)
        after = float(small.evaluate(x_eval, y_eval, batch_size=batch_size, verbose=0)[1])
        ranks = "/".join(str(r["rank"]) for r in report if r["rank"] is not None)
        rows.append([fraction, ranks, dense_parameters(small), before, after])
    return rows


def svd_error_curve(x, ranks):
    """TruncatedSVD's (PCA's) reconstruction error of `x` at each rank, one fit per rank.

    Args:
        x: float array `(n, features)`, e.g. images `(n, 784)` in [0, 1].
        ranks: ints in [1, min(n, features)].

    Returns:
        A list of `(rank, MSE)`: the mean squared error per entry of the centred rank-r reconstruction, in the
        data's squared units.

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.experiments.compression import svd_error_curve
        >>> x = np.random.default_rng(0).random((40, 5), dtype=np.float32)
        >>> [(rank, round(mse, 6)) for rank, mse in svd_error_curve(x, [5])]     # full rank: exact
        [(5, 0.0)]
    """
    curve = []
    for rank in ranks:
        layer = TruncatedSVD(rank=rank)
        layer.adapt(x)
        curve.append((rank, float(np.mean((x - keras.ops.convert_to_numpy(layer.reconstruct(x))) ** 2))))
    return curve


def eckart_young_curve(x):
    """The per-entry MSE of PCA's reconstruction of x for every rank 0..r, from one fit.

    One fit gives them all (Eckart–Young): the best rank-k reconstruction of the centred data leaves the squared
    singular values beyond the k-th, so error(k) = Σ_{i>k} σ_i² / (n · features).

    Args:
        x: float array `(n, features)`.

    Returns:
        A tuple `(ranks, errors)` of numpy arrays of length min(n, features) + 1: ranks 0, 1, …, r and the MSE
        at each (float64, in the data's squared units; rank 0 is the variance around the mean).

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.experiments.compression import eckart_young_curve
        >>> x = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0], [2.0, 1.0]])   # variances 1 and 0.25
        >>> ranks, errors = eckart_young_curve(x)
        >>> ranks.tolist(), errors.round(6).tolist()                        # (1 + 0.25) / 2, then 0.25 / 2
        ([0, 1, 2], [0.625, 0.125, 0.0])

    References:
        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367
    """
    x = np.asarray(x, np.float32)
    layer = TruncatedSVD(rank=min(x.shape), solver="eigh")
    layer.adapt(x)
    energy = np.square(keras.ops.convert_to_numpy(layer.singular_values).astype(np.float64))
    remaining = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
    return np.arange(len(energy) + 1), np.maximum(remaining, 0.0) / x.size
