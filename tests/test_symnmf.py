import numpy as np
import pytest
import tensorflow as tf

from keras_mf import SymNMF
from keras_mf.factorization.symnmf import _projected_gradient_norm


def test_tutorial_worked_example_one_step():
    """A = [[2,1],[1,2]], k = 1, H⁰ = [1,1]ᵀ, η = 0.01: f(H⁰) = 1, ∇f(H⁰) = [-2,-2]ᵀ.

    The tutorial steps by 2η∇f to [1.04, 1.04]ᵀ and prints f ≈ 0.8464; the rule it states, H − η∇f,
    gives [1.02, 1.02]ᵀ and f = 0.92246 (and [1.04, 1.04]ᵀ would give 0.85012, not 0.8464).
    """
    a = [[2.0, 1.0], [1.0, 2.0]]
    model = SymNMF(1, step=0.01, max_iter=1).fit(a, init=[1.0, 1.0])
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


@pytest.mark.parametrize("step", ["line_search", "armijo"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_recovers_planted_clusters_and_decreases_objective(step, sparse, dtype):
    a, labels = _block_graph()
    graph = tf.sparse.from_dense(a) if sparse else a
    model = SymNMF(3, n_init=3, seed=0, dtype=dtype, step=step).fit(graph)
    assert np.all(np.diff(model.history_) <= 1e-6 * model.history_[0])  # Armijo: monotone
    assert model.components_.min() >= 0
    from keras_mf.cluster import clustering_accuracy

    assert clustering_accuracy(labels, model.labels_) == 1.0
    h = model.components_.astype(np.float64)
    assert model.objective_ == pytest.approx(0.5 * np.sum((a - h @ h.T) ** 2), rel=1e-4)
    assert model.objective_ == pytest.approx(model.objectives_.min())


def test_line_search_step_is_the_exact_minimiser_along_the_direction():
    from keras_mf.factorization.symnmf import _best_step

    rng = np.random.default_rng(4)
    c = rng.standard_normal((50, 4))
    c[:, 3] = np.abs(c[:, 3]) + 0.1  # a positive quartic coefficient, as ½‖DᵀD‖² is
    t = _best_step(*(tf.constant(c[:, i]) for i in range(4))).numpy()
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
    assert float(_projected_gradient_norm(tf.constant(h), tf.constant(grad))[0]) == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_autodiff():
    a, _ = _block_graph(1)
    h = tf.Variable(np.random.default_rng(2).random((a.shape[0], 3)))
    with tf.GradientTape() as tape:
        f = 0.5 * tf.reduce_sum(tf.square(a - h @ tf.transpose(h)))
    from keras_mf.factorization.symnmf import _gradient

    np.testing.assert_allclose(_gradient(h[None], (a @ h)[None])[0].numpy(), tape.gradient(f, h).numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "a, k, match",
    [(np.ones((2, 3)), 1, "square"), (np.array([[1.0, 2.0], [0.0, 1.0]]), 1, "symmetric"),
     (np.array([[1.0, -1.0], [-1.0, 1.0]]), 1, "nonnegative"), (np.array([[np.nan, 1.0], [1.0, 1.0]]), 1, "finite"),
     (np.eye(3), 4, "n_components")],
)
def test_bad_input(a, k, match):
    with pytest.raises(ValueError, match=match):
        SymNMF(k).fit(a)


def test_bad_arguments_and_unfitted_use():
    with pytest.raises(ValueError, match="n_components"):
        SymNMF(0)
    with pytest.raises(ValueError, match="step"):
        SymNMF(2, step="newton")
    with pytest.raises(ValueError, match="step"):
        SymNMF(2, step=-0.1)
    with pytest.raises(ValueError, match="not fitted"):
        SymNMF(2).objective(np.eye(2))
    with pytest.raises(ValueError, match="init"):
        SymNMF(1).fit(np.eye(2), init=[-1.0, 1.0])


def test_logs_objective_to_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    a, _ = _block_graph()
    model = SymNMF(3, seed=0, logdir=str(tmp_path), max_iter=50).fit(a)
    events = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    events.Reload()
    logged = [e for e in events.Tensors("symnmf/objective")]
    assert len(logged) == len(model.history_)


def test_progress_bar_reports_iterations(capsys):
    a, _ = _block_graph()
    SymNMF(3, seed=0, max_iter=30, verbose=True).fit(a)
    assert "objective" in capsys.readouterr().out
