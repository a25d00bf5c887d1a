"""SymNMF as a scikit-learn estimator: scikit-learn's own checks, repr, clone, Pipeline, GridSearchCV, sparse input,
and its progress bar."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse
import tensorflow as tf
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import kneighbors_graph
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle
from sklearn.utils.estimator_checks import check_clustering
from sklearn.utils.estimator_checks import parametrize_with_checks

from keras_mf import SymNMF
from keras_mf.exceptions import ConvergenceWarning

# check_clustering is the one check that cannot apply, and no tag turns it off: scikit-learn yields it for every
# ClusterMixin and fits the raw (50, 2) points of make_blobs (with negative coordinates), where a precomputed-affinity
# clusterer needs an (n, n) affinity (SpectralClustering(affinity="precomputed") fails it the same way). Every other
# check runs on affinities because the tags say pairwise and positive_only. The failure's reason is asserted in
# test_check_clustering_fails_only_for_its_raw_points, and what the check tests is tested on the blobs' affinity in
# test_clusters_the_affinity_of_check_clusterings_blobs.
EXPECTED_FAILED = {"check_clustering": "fits raw (n_samples, n_features) points, not a precomputed affinity"}


@parametrize_with_checks([SymNMF(3, random_state=0)], expected_failed_checks=lambda estimator: EXPECTED_FAILED)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_check_clustering_fails_only_for_its_raw_points():
    with pytest.raises(ValueError, match="Negative values in data passed to SymNMF.fit"):
        check_clustering("SymNMF", SymNMF(3, random_state=0))


def _blobs():
    """check_clustering's data (make_blobs, shuffled, standardised), as an RBF affinity."""
    x, y = make_blobs(n_samples=50, random_state=1)
    x, y = shuffle(x, y, random_state=7)
    return rbf_kernel(StandardScaler().fit_transform(x)), y


def test_clusters_the_affinity_of_check_clusterings_blobs():
    a, y = _blobs()
    model = SymNMF(3, n_init=3, random_state=0)
    labels = model.fit_predict(a)
    assert labels.dtype == np.int64 and labels.shape == (50,)
    assert adjusted_rand_score(y, labels) > 0.9
    np.testing.assert_array_equal(labels, model.labels_)
    np.testing.assert_array_equal(SymNMF(3, n_init=3, random_state=0).fit(a.tolist()).labels_, labels)


def test_repr_round_trips_non_default_parameters():
    model = SymNMF(
        4,
        solver="pg",
        step="armijo",
        max_iter=50,
        tol=1e-5,
        n_init=3,
        random_state=7,
        dtype="float64",
        verbose=True,
        logdir="runs/symnmf",
    )
    text = repr(model)
    assert text.startswith("SymNMF(dtype='float64', logdir='runs/symnmf', max_iter=50, n_components=4,")
    assert eval(text, {"SymNMF": SymNMF}).get_params() == model.get_params()
    assert repr(SymNMF(3, random_state=0)) == "SymNMF(n_components=3, random_state=0)"
    assert repr(SymNMF()) == "SymNMF()"
    html = model._repr_html_()
    assert "SymNMF" in html and "armijo" in html
    assert clone(model).get_params() == model.get_params()


def test_pipeline_passes_labels_as_y_not_as_init():
    a, y = _blobs()
    alone = SymNMF(3, random_state=0).fit(a)
    piped = make_pipeline(SymNMF(3, random_state=0)).fit(a, y)
    np.testing.assert_array_equal(piped[-1].components_, alone.components_)
    started = SymNMF(3).fit(a, init=np.eye(3)[y] + 0.1)
    assert started.n_iter_ != alone.n_iter_ or not np.array_equal(started.components_, alone.components_)
    np.testing.assert_array_equal(SymNMF(3).fit_predict(a, init=np.eye(3)[y] + 0.1), started.labels_)


def _ari_of_fitted_labels(estimator, x, y):
    """A transductive clustering score: SymNMF labels the nodes of the affinity it was fitted on (no `predict`)."""
    return adjusted_rand_score(y, estimator.labels_)


def test_grid_search_over_n_components_with_a_clustering_scorer():
    x, y = make_blobs(n_samples=60, centers=[[0, 0], [6, 0], [0, 6]], cluster_std=0.7, random_state=0)
    a = rbf_kernel(x, gamma=0.5)
    everything = np.arange(len(y))
    search = GridSearchCV(
        SymNMF(random_state=0, n_init=3),
        {"n_components": [2, 3, 4, 5]},
        scoring=_ari_of_fitted_labels,
        cv=[(everything, everything)],  # one fit on the whole graph: clustering is transductive
    ).fit(a, y)
    assert search.best_params_ == {"n_components": 3}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] == adjusted_rand_score(y, SymNMF(3, random_state=0, n_init=3).fit(a).labels_) == 1.0
    assert max(scores[0], scores[2], scores[3]) < 0.9


def _halved_twice(a):
    """`a` as a COO matrix listing every entry twice, each with half its value (scipy adds duplicates)."""
    coo = scipy.sparse.coo_matrix(a)
    return scipy.sparse.coo_matrix((np.tile(coo.data / 2, 2), (np.tile(coo.row, 2), np.tile(coo.col, 2))), a.shape)


@pytest.mark.parametrize("kind", ["csr", "coo", "coo with duplicates", "tf"])
def test_sparse_affinities_give_the_dense_result(kind):
    a, _ = _blobs()
    a = np.where(a > 0.3, a, 0.0)
    if kind == "tf":
        graph = tf.sparse.from_dense(a)
    else:
        graph = _halved_twice(a) if kind == "coo with duplicates" else scipy.sparse.coo_matrix(a).asformat(kind)
    dense = SymNMF(3, random_state=0, dtype="float64").fit(a)
    sparse = SymNMF(3, random_state=0, dtype="float64").fit(graph)
    np.testing.assert_allclose(sparse.components_, dense.components_, rtol=1e-6, atol=1e-9)
    assert sparse.n_features_in_ == 50


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": True}, r"Received an invalid value for `n_components`, expected an int in the range"),
        ({"random_state": 1.5}, r"`random_state`, expected .*Generator"),
        ({"verbose": "yes"}, r"`verbose`"),
        ({"dtype": np.dtype("int32")}, r"`dtype`"),
    ],
)
def test_parameters_are_checked_against_their_declared_constraints(params, match):
    with pytest.raises(ValueError, match=match) as raised:
        SymNMF(2).set_params(**params).fit(np.eye(3))
    assert isinstance(raised.value, TypeError)  # scikit-learn's InvalidParameterError is both


def test_random_state_instance_draws_from_itself():
    a, _ = _blobs()
    first = SymNMF(3, random_state=np.random.RandomState(3)).fit(a)
    again = SymNMF(3, random_state=np.random.RandomState(3)).fit(a)
    np.testing.assert_array_equal(first.components_, again.components_)


def _race_graph():
    """A normalised k-NN graph of overlapping blobs, where the race's winner stops loosely before the other restarts
    and resumes from fewer iterations than the race ran (main's bar jumped back from 210 to 150 here)."""
    x, _ = make_blobs(300, centers=5, cluster_std=3.0, random_state=0)
    w = kneighbors_graph(x, 10).toarray()
    w = np.maximum(w, w.T)
    degree = w.sum(1)
    return w / np.sqrt(degree[:, None] * degree[None, :])


def test_progress_bar_is_monotone_shows_the_current_objective_and_ends_at_the_last_iteration(capsys, monkeypatch):
    import keras

    positions = []
    update = keras.utils.Progbar.update

    def recording(self, current, values=None, finalize=None):
        positions.append(current)
        return update(self, current, values, finalize)

    monkeypatch.setattr(keras.utils.Progbar, "update", recording)
    model = SymNMF(5, n_init=5, random_state=0, max_iter=3000, verbose=True).fit(_race_graph())
    assert positions == sorted(positions), positions
    assert positions[-1] == max(model.n_iter_, max(positions[:-1]))
    lines = [line for line in re.split(r"[\r\n\x08]+", capsys.readouterr().out) if line.strip()]
    assert lines[-1].startswith(f"SymNMF converged at {model.n_iter_:,} of 3,000 iterations")
    shown = float(re.findall(r"objective: ([0-9.]+)", lines[-2])[-1])
    assert shown == pytest.approx(model.objective_, abs=1e-4)
