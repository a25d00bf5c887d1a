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
    included; other layers (normalisation, embeddings, …) are not counted."""
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
    """Compresses a classifier at each parameter budget (`compress(model, param_fraction=f)`) and fine-tunes each
    copy with Adam at `learning_rate`.

    Returns:
        Rows `[fraction, ranks "r1/r2", Dense parameters, accuracy before, accuracy after fine-tuning]`.
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
    """`[(rank, per-pixel MSE of TruncatedSVD's reconstruction of x (n, features))]` for each rank."""
    curve = []
    for rank in ranks:
        layer = TruncatedSVD(rank=rank)
        layer.adapt(x)
        curve.append((rank, float(np.mean((x - keras.ops.convert_to_numpy(layer.reconstruct(x))) ** 2))))
    return curve


def eckart_young_curve(x):
    """`(ranks, errors)`: the per-pixel MSE of PCA's reconstruction of x `(n, features)` for every rank 0..r.

    One fit gives them all (Eckart–Young): the best rank-k reconstruction of the centred data leaves the squared
    singular values beyond the k-th, so error(k) = Σ_{i>k} σ_i² / (n · features).

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
