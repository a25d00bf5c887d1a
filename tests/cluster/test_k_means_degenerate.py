"""k-means on degenerate points (issue #24, scenario 5): fewer distinct points than clusters warns as scikit-learn
does, points far from the origin or near float32's range keep their clustering, float64 stays float64."""

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

from keras_mf import cluster
from keras_mf.exceptions import ConvergenceWarning


def test_fewer_distinct_points_than_clusters_warns_like_scikit_learn():
    """Scenario 5: main returned 6 centres of which 4 are distinct, silently."""
    x = np.repeat(np.arange(4.0)[:, None], 3, axis=0)
    with pytest.warns(SklearnConvergenceWarning) as expected:
        reference = KMeans(6, n_init=1, random_state=0).fit(x)
    with pytest.warns(ConvergenceWarning) as ours:
        labels, centers, inertia = cluster.kmeans(x, 6)
    assert str(ours[0].message).split(".")[0] == str(expected[0].message).split(".")[0]
    assert "(4) found smaller than n_clusters (6)" in str(ours[0].message)
    assert inertia == reference.inertia_ == 0.0
    np.testing.assert_array_equal(np.unique(centers[np.unique(labels)]), np.arange(4.0))


def test_no_warning_when_the_points_are_distinct_enough():
    x = np.random.default_rng(0).normal(size=(30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cluster.kmeans(x, 4)


def test_out_of_iterations_warns_naming_max_iter():
    x = np.random.default_rng(1).normal(size=(300, 2))
    with pytest.warns(ConvergenceWarning, match="`max_iter`"):
        cluster.kmeans(x, 8, n_init=1, max_iter=1)


def _blobs(offset, dtype, scale=1.0):
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = np.concatenate([rng.normal(size=(40, 2)) + c for c in centres]) * scale + offset
    return x.astype(dtype), np.repeat(np.arange(3), 40)


@pytest.mark.parametrize(
    "offset, scale, dtype",
    [(0.0, 1.0, np.float64), (1e6, 1.0, np.float64), (1e4, 1.0, np.float32), (0.0, 1e36, np.float32)],
)
def test_clusters_and_inertia_match_scikit_learn_far_from_the_origin(offset, scale, dtype):
    x, truth = _blobs(offset, dtype, scale)
    labels, centers, inertia = cluster.kmeans(x, 3)
    assert centers.dtype == dtype
    assert len(set(zip(labels.tolist(), truth.tolist(), strict=True))) == 3
    reference = KMeans(3, n_init=10, random_state=0).fit(x.astype(np.float64))
    assert inertia == pytest.approx(reference.inertia_, rel=1e-4 if dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(np.sort(centers, 0), np.sort(reference.cluster_centers_, 0), rtol=1e-5)
