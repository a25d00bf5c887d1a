"""keras_mf.cli.experiments.deep_symnmf on inputs unlike MNIST (issue #26's "Bad input"): 8×8 images, 32×32×3
images, fewer points than the default batch and neighbours, and k above the number of distinct points; each gets a
working run with adapted settings (scored against the planted labels) or a clear error naming the argument."""

import numpy as np
import pytest

from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import modularity

# A short pretraining and one layout: on the planted prototypes below the partitions are exact from 5 epochs on.
FAST = {"pretrain_epochs": 10, "layouts": 1}


def _prototypes(n, shape, k=3, noise=0.1, seed=0):
    """k random binary prototype images of `shape` with Gaussian noise, n // k of each, in [0, 1]."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((k,) + shape) > 0.5).astype(np.float32)
    labels = np.arange(n) % k
    x = np.clip(prototypes[labels] + noise * rng.normal(size=(n,) + shape), 0, 1).astype(np.float32)
    return x, labels


@pytest.mark.slow  # a whole pipeline run: pretraining, layout, SymNMF
def test_8x8_images_run_without_self_training():
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = digits.target < 3
    x, y = (digits.images[keep] / 16.0).astype(np.float32), digits.target[keep]
    result = run_deep_symnmf(x, 3, seed=0, **dict(FAST, pretrain_epochs=60))
    assert result["classifier"] is None  # 8×8 is below the CNN's 16×16
    assert result["model"].autoencoder.hidden_units == (64, 64, 256)
    assert clustering_accuracy(y, result["labels"]) >= 0.93  # 0.946 measured (0.948 with the default 200 epochs)
    clustering = result["clustering"]
    # One layout × (k-means, the mixture and, where its graph has at most k components, spectral), each also
    # refined by SymNMF.
    heads = [name for name in clustering["names"] if not name.endswith(" + SymNMF")]
    assert {"layout 0 kmeans", "layout 0 gmm"} <= set(heads) <= {"layout 0 kmeans", "layout 0 gmm", "layout 0 spectral"}
    assert clustering["names"] == heads + [f"{name} + SymNMF" for name in heads]
    chosen = clustering["chosen"]
    assert clustering["modularity"][chosen] == pytest.approx(modularity(clustering["graph"], result["labels"]))
    assert clustering["modularity"][chosen] == max(clustering["modularity"])


@pytest.mark.slow  # a whole pipeline run with the CNN's self-training
def test_32x32x3_images_self_train_a_cnn():
    x, y = _prototypes(60, (32, 32, 3))
    # 15 epochs of one batch: the CNN's labels are exact from 12 to 30 epochs (seed 0), chance (1/3) after 5.
    result = run_deep_symnmf(x, 3, self_train_epochs=15, seed=0, **FAST)
    assert result["classifier"] is not None
    assert result["classifier"].input_shape == (None, 32 * 32 * 3)
    assert clustering_accuracy(y, result["clustering"]["labels"]) == 1.0
    assert clustering_accuracy(y, result["labels"]) == 1.0


@pytest.mark.slow  # a whole pipeline run
def test_fewer_points_than_the_default_batch_and_neighbours():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 4)
    x = (3.0 * rng.normal(size=(3, 6)))[y] + 0.1 * rng.normal(size=(12, 6))  # 12 points: < 20 neighbours, < 256
    result = run_deep_symnmf(x.astype(np.float32), 3, seed=0, **FAST)
    assert result["classifier"] is None  # plain vectors: no augmentation, no self-training
    assert clustering_accuracy(y, result["labels"]) == 1.0


@pytest.mark.parametrize(
    "x, kwargs, match",
    [
        (np.repeat(np.eye(5, dtype=np.float32), 4, axis=0), {"n_clusters": 6}, "`n_clusters`.*distinct examples of x"),
        (np.zeros((2, 4), np.float32), {"n_clusters": 2}, "`x`"),
        (np.full((5, 4), np.nan, np.float32), {"n_clusters": 2}, "`x`"),
        (np.eye(10, 16, dtype=np.float32), {"n_clusters": 2, "image_shape": (3, 5)}, "`image_shape`"),
        (np.eye(10, 16, dtype=np.float32), {"n_clusters": 2, "augment": "on"}, "`augment`"),
        (np.eye(10, 64, dtype=np.float32).reshape(10, 8, 8), {"n_clusters": 2, "self_train": "on"}, "`self_train`"),
        (np.eye(10, 16, dtype=np.float32), {"n_clusters": 2, "self_train": "yes"}, "`self_train`"),
        (np.eye(10, 16, dtype=np.float32), {"n_clusters": 2, "layouts": 0}, "`layouts`"),
    ],
)
def test_bad_input_names_the_argument(x, kwargs, match):
    with pytest.raises(ValueError, match=f"Received an invalid value for {match}"):
        run_deep_symnmf(x, **kwargs)
