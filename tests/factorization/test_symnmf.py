import re
import warnings

import numpy as np
import pytest
import scipy.optimize
import tensorflow as tf

from keras_mf import SymNMF
from keras_mf.cluster import clustering_accuracy
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.exceptions import NotFittedError
from keras_mf.factorization._solvers import best_step
from keras_mf.factorization._solvers import gradient
from keras_mf.factorization._solvers import projected_gradient_norm

SOLVERS = [{"solver": "bb"}, {"solver": "pg", "step": "line_search"}, {"solver": "pg", "step": "armijo"}]


def test_tutorial_worked_example_one_step():
    """A = [[2,1],[1,2]], k = 1, H⁰ = [1,1]ᵀ, η = 0.01: f(H⁰) = 1, ∇f(H⁰) = [-2,-2]ᵀ.

    The tutorial steps by 2η∇f to [1.04, 1.04]ᵀ and prints f ≈ 0.8464; the rule it states, H − η∇f,
    gives [1.02, 1.02]ᵀ and f = 0.92246 (and [1.04, 1.04]ᵀ would give 0.85012, not 0.8464).
    """
    a = [[2.0, 1.0], [1.0, 2.0]]
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        model = SymNMF(1, step=0.01, max_iter=1).fit(a, init=[1.0, 1.0])  # a fixed step keeps H⁰ unscaled
    assert not model.converged_
    assert model.history_[0] == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(model.components_.ravel(), [1.02, 1.02], atol=1e-12)
    assert model.history_[1] == pytest.approx(0.92246, abs=5e-6)
    assert model.objective(a, [[1.04], [1.04]]) == pytest.approx(0.85012, abs=5e-6)


def _block_graph(seed=0, sizes=(30, 20, 25)):
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    a = np.where(labels[:, None] == labels[None, :], 0.8, 0.05) * rng.random((n, n))
    return (a + a.T) / 2, labels


# Every solver on dense and sparse graphs in both precisions is the slow suite's; the fast loop keeps one case of
# each solver, each kind of graph and each precision.
FAST_PLANTED = {("bb", False, "float32"), ("bb", True, "float64"), ("line_search", True, "float32")}
FAST_PLANTED |= {("armijo", False, "float64")}


def _planted_cases():
    for solver in SOLVERS:
        for sparse in (False, True):
            for dtype in ("float32", "float64"):
                name = solver.get("step", solver["solver"])
                marks = () if (name, sparse, dtype) in FAST_PLANTED else pytest.mark.slow
                yield pytest.param(
                    solver, sparse, dtype, marks=marks, id=f"{name}-{'sparse' if sparse else 'dense'}-{dtype}"
                )


@pytest.mark.parametrize("solver, sparse, dtype", _planted_cases())
def test_recovers_planted_clusters(solver, sparse, dtype):
    a, labels = _block_graph()
    graph = tf.sparse.from_dense(a) if sparse else a
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Every solver converges here within 30 iterations but Armijo in float32, which stalls before `tol` (below)
        # whatever the cap: 200 spares it 800 iterations of each start.
        model = SymNMF(3, n_init=3, random_state=0, dtype=dtype, max_iter=200, **solver).fit(graph)
    if solver["solver"] == "pg":  # the line search and Armijo promise a monotone decrease; BB does not
        assert np.all(np.diff(model.history_) <= 1e-6 * model.history_[0])
    assert model.components_.min() >= 0
    assert clustering_accuracy(labels, model.labels_) == 1.0
    h = model.components_.astype(np.float64)
    assert model.objective_ == pytest.approx(0.5 * np.sum((a - h @ h.T) ** 2), rel=1e-4)
    assert model.objective_ == pytest.approx(model.objectives_.min())
    assert model.n_features_in_ == a.shape[0]
    # Armijo compares two nearby float32 objectives and stalls before `tol` (its ConvergenceWarning says so).
    assert model.converged_ or (solver.get("step") == "armijo" and dtype == "float32")


def _reference_objective(a, h0):
    """f at a float64 L-BFGS-B minimiser of ½‖A − HHᵀ‖² over H ≥ 0 (scipy, an independent solver)."""
    shape = h0.shape

    def f_and_grad(flat):
        h = flat.reshape(shape)
        r = h @ h.T - a
        return 0.5 * np.sum(r**2), (2.0 * r @ h).ravel()

    result = scipy.optimize.minimize(
        f_and_grad,
        h0.ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * h0.size,
        options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12},
    )
    return result.fun


@pytest.mark.parametrize("solver", SOLVERS, ids=lambda p: p.get("step", p["solver"]))
@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_every_solver_reaches_the_float64_reference_objective(solver, seed):
    a, _ = _block_graph(seed, sizes=(12, 9, 7))
    h0 = np.random.default_rng(seed).random((a.shape[0], 3))
    model = SymNMF(3, dtype="float64", tol=1e-7, max_iter=20000, **solver).fit(a, init=h0)
    best = min(_reference_objective(a, model.components_), _reference_objective(a, h0))
    assert model.objective_ == pytest.approx(best, rel=1e-6)
    assert model.components_.min() >= 0
    if solver["solver"] == "pg":
        assert np.all(np.diff(model.history_) <= 1e-12 * model.history_[0])


def test_scaled_start_reaches_the_same_objective_and_labels():
    """`init` is rescaled by α² = ⟨A, HHᵀ⟩/‖HHᵀ‖², so a start 100 times too large changes nothing."""
    a, labels = _block_graph(2)
    h = np.eye(3)[labels] + 0.05
    small, large = (SymNMF(3, tol=1e-4, max_iter=5000).fit(a, init=scale * h) for scale in (1.0, 100.0))
    assert large.objective_ == pytest.approx(small.objective_, rel=1e-5)
    np.testing.assert_array_equal(large.labels_, small.labels_)
    hht = h @ h.T
    alpha = np.sqrt(np.sum(a * hht) / np.sum(hht**2))
    one_step = SymNMF(3, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        one_step.fit(a, init=100 * h)
    assert one_step.history_[0] == pytest.approx(0.5 * np.sum((a - alpha**2 * hht) ** 2), rel=1e-5)


def test_line_search_step_is_the_exact_minimiser_along_the_direction():
    rng = np.random.default_rng(4)
    c = rng.standard_normal((50, 4))
    c[:, 3] = np.abs(c[:, 3]) + 0.1  # a positive quartic coefficient, as ½‖DᵀD‖² is
    t = best_step(*(tf.constant(c[:, i]) for i in range(4))).numpy()
    grid = np.linspace(0, 1, 100001)[None]
    values = grid * (c[:, :1] + grid * (c[:, 1:2] + grid * (c[:, 2:3] + grid * c[:, 3:4])))
    best = values.min(1)
    ours = t * (c[:, 0] + t * (c[:, 1] + t * (c[:, 2] + t * c[:, 3])))
    np.testing.assert_allclose(ours, best, atol=1e-8)


def test_projected_gradient_treats_near_zero_entries_pushed_down_as_bound():
    """Bertsekas' ε-active set, ε = 1e-3 × max(H): entries below it with a positive gradient are at the bound."""
    h = np.array([[[2.0, 1e-4], [0.0, 5e-3], [1e-5, 1.0]]])
    grad = np.array([[[0.5, 3.0], [4.0, 0.2], [-0.7, -0.1]]])
    # Counted: 0.5 (free), 0.2 (5e-3 > ε = 2e-3), -0.7 (pushed up), -0.1 (free); not: 3.0 and 4.0.
    expected = np.sqrt(0.5**2 + 0.2**2 + 0.7**2 + 0.1**2)
    assert float(projected_gradient_norm(tf.constant(h), tf.constant(grad))[0]) == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_autodiff():
    a, _ = _block_graph(1)
    h = tf.Variable(np.random.default_rng(2).random((a.shape[0], 3)))
    with tf.GradientTape() as tape:
        f = 0.5 * tf.reduce_sum(tf.square(a - h @ tf.transpose(h)))
    np.testing.assert_allclose(gradient(h[None], (a @ h)[None])[0].numpy(), tape.gradient(f, h).numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "a, k, match",
    [
        (np.ones((2, 3)), 1, "square"),
        (np.array([[1.0, 2.0], [0.0, 1.0]]), 1, "symmetric"),
        (np.array([[1.0, -1.0], [-1.0, 1.0]]), 1, "Negative values"),
        (np.array([[np.nan, 1.0], [1.0, 1.0]]), 1, "NaN"),
        (np.eye(3), 4, "n_components"),
    ],
)
def test_bad_input(a, k, match):
    with pytest.raises(ValueError, match=match):
        SymNMF(k).fit(a)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 0}, "n_components"),
        ({"step": "newton"}, "step"),
        ({"step": -0.1}, "step"),
        ({"solver": "newton"}, "solver"),
        ({"solver": "bb", "step": 0.1}, "step"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": 0.0}, "tol"),
        ({"n_init": 0}, "n_init"),
        ({"random_state": -1}, "random_state"),
        ({"random_state": "0"}, "random_state"),
        ({"dtype": "int32"}, "dtype"),
        ({"logdir": 3}, "logdir"),
    ],
)
def test_bad_parameters_are_stored_and_refused_in_fit(params, match):
    model = SymNMF(2).set_params(**params)  # stored as given, as scikit-learn's estimators do
    assert model.get_params()[next(iter(params))] == params[next(iter(params))]
    with pytest.raises(ValueError, match=match):
        model.fit(np.eye(2))


def test_scikit_learn_idiom():
    with pytest.raises(TypeError):
        SymNMF(2, "bb")  # everything after n_components is keyword-only
    model = SymNMF(3, n_init=2, random_state=4)
    assert model.get_params() == {
        "n_components": 3,
        "solver": "auto",
        "step": None,
        "max_iter": 1000,
        "tol": 1e-3,
        "n_init": 2,
        "random_state": 4,
        "dtype": "float32",
        "verbose": False,
        "logdir": None,
    }
    with pytest.raises(ValueError, match="Invalid parameter 'seed'"):
        model.set_params(seed=0)
    with pytest.raises(NotFittedError) as unfitted:
        model.objective(np.eye(2))
    assert isinstance(unfitted.value, ValueError) and isinstance(unfitted.value, AttributeError)
    a, _ = _block_graph()
    first = model.fit(a).components_
    np.testing.assert_array_equal(SymNMF(**model.get_params()).fit(a).components_, first)
    generated = SymNMF(3, random_state=np.random.default_rng(4)).fit(a)
    assert generated.objective_ == pytest.approx(SymNMF(3, random_state=4).fit(a).objective_, rel=1e-6)
    with pytest.raises(ValueError, match="init"):
        SymNMF(1).fit(np.eye(2), init=[-1.0, 1.0])


def test_max_iter_warns_and_is_not_converged():
    a, _ = _block_graph()
    with pytest.warns(ConvergenceWarning, match=r"2 of 2 SymNMF restarts stopped at max_iter=5"):
        model = SymNMF(3, n_init=2, max_iter=5, random_state=0).fit(a)
    assert model.n_iter_ == 5 and not model.converged_
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert SymNMF(3, random_state=0).fit(a).converged_


def test_graph_without_edges_is_refused_and_isolated_nodes_are_counted():
    with pytest.raises(ValueError, match=r"`X`.*at least one edge"):
        SymNMF(2).fit(np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"`X`.*at least one edge"):
        SymNMF(2).fit(tf.sparse.from_dense(np.zeros((5, 5))))
    a, labels = _block_graph()
    a = np.pad(a, ((0, 2), (0, 2)))  # two isolated nodes
    for graph in (a, tf.sparse.from_dense(a)):
        with pytest.warns(UserWarning, match="2 isolated nodes"):
            model = SymNMF(3, random_state=0).fit(graph)
        assert np.all(np.isfinite(model.components_)) and np.all(model.components_[-2:] == 0)
        assert clustering_accuracy(labels, model.labels_[:-2]) == 1.0


def _small_problem():
    rng = np.random.default_rng(0)
    a = rng.random((6, 6))
    return (a + a.T) / 2, rng.random((6, 2))


def _projected_gradient_descent(a, h, step, iterations):
    """The textbook iteration H ← max(0, H − η∇f), ∇f = 2(HHᵀH − AH), in float64 numpy; f after each step."""
    objectives = [0.5 * np.sum((a - h @ h.T) ** 2)]
    for _ in range(iterations):
        h = np.maximum(0.0, h - step * 2.0 * (h @ h.T @ h - a @ h))
        objectives.append(0.5 * np.sum((a - h @ h.T) ** 2))
    return np.array(objectives), h


def _fixed_step_fit(iterations, **kwargs):
    a, h0 = _small_problem()
    with pytest.warns(ConvergenceWarning, match=f"max_iter={iterations}"):
        model = SymNMF(2, step=0.005, max_iter=iterations, dtype="float64", **kwargs).fit(a, init=h0)
    return model, _projected_gradient_descent(a, h0, 0.005, iterations)


# The fixed step reaches TensorFlow as tf.cast(0.005, float64), which goes through float32: η is 2.2e-8 relative off,
# and the float64 trajectory with it (about 4e-9 after 25 steps).
STEP_ROUNDING = 1e-7


def test_logs_objective_to_tensorboard(tmp_path, monkeypatch):
    """The logged objectives are the textbook iteration's, step by step (numpy), and the writer is closed."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    closed = []
    create = tf.summary.create_file_writer

    def recording(*args, **kwargs):
        writer = create(*args, **kwargs)
        close = writer.close
        writer.close = lambda: (closed.append(True), close())
        return writer

    monkeypatch.setattr(tf.summary, "create_file_writer", recording)
    model, (expected, h) = _fixed_step_fit(25, logdir=str(tmp_path))
    assert closed == [True]
    events = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    events.Reload()
    logged = events.Tensors("symnmf/objective")
    assert [e.step for e in logged] == list(range(26))
    np.testing.assert_allclose([float(tf.make_ndarray(e.tensor_proto)) for e in logged], expected, rtol=STEP_ROUNDING)
    np.testing.assert_allclose(model.components_, h, rtol=STEP_ROUNDING)


def test_fixed_step_trajectory_is_exact_in_float64():
    model, (expected, h) = _fixed_step_fit(25)
    np.testing.assert_allclose(model.history_, expected, rtol=1e-12)


def test_progress_bar_reports_iterations_and_the_objective(capsys):
    model, (expected, _) = _fixed_step_fit(25, verbose=True)
    out = capsys.readouterr().out
    final = out.split("25/25")[-1]  # the progress bar's last update
    printed = float(re.search(r"objective: ([0-9.e+-]+)", final).group(1))
    assert printed == pytest.approx(expected[-1], abs=5e-5)  # printed to 4 decimals
    assert expected[-1] < expected[0] - 0.1  # the value printed at the end is not the start's


def test_bb_race_winner_is_polished_to_a_stationary_point():
    """Restarts race to a looser stop, then the winner alone goes on to the full stop: the model reports the lowest
    objective of the restarts, numpy's objective at its H, and a point scipy's L-BFGS-B (float64, an independent
    solver) lowers by less than 1e-7 relative (measured: 6e-10; one restart stopped at tol=1e-3 without the polish
    leaves 8e-7 on this graph)."""
    a, _ = _block_graph(3)
    model = SymNMF(3, n_init=3, random_state=0, dtype="float64").fit(a)
    h = model.components_
    assert model.converged_ and len(model.history_) == model.n_iter_ + 1
    assert model.objective_ == model.objectives_.min() == model.history_[-1]
    assert model.objective_ == pytest.approx(0.5 * np.sum((a - h @ h.T) ** 2), rel=1e-12)
    assert _reference_objective(a, h) == pytest.approx(model.objective_, rel=1e-7)
