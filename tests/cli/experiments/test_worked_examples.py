"""Every worked example of the tutorials: our values against closed forms (tolerances stated per value), and each
verdict derived from the tutorial's claim and an independent computation."""

import functools
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.special
from sklearn.cluster import SpectralClustering

from keras_mf.cli.experiments import worked_examples


@functools.cache
def _example(name):
    """Each worked example computed once per session: the value tests and the verdict test share it."""
    return getattr(worked_examples, name)()


def test_dense_layer_sgd_step():
    v = _example("dense_layer_sgd_step").values
    np.testing.assert_allclose(v["y"], [6, 12], atol=1e-12)
    assert v["loss"] == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(v["grad_w"], [[-1, -2], [-1, -2]], atol=1e-12)
    np.testing.assert_allclose(v["grad_b"], [-1, -1], atol=1e-12)
    np.testing.assert_allclose(v["w_new"], [[1.1, 2.2], [3.1, 4.2]], atol=1e-12)
    np.testing.assert_allclose(v["b_new"], [1.1, 1.1], atol=1e-12)


def test_norms_traces_and_covariance():
    assert _example("l2_norm").values["norm"] == pytest.approx(5.0, abs=1e-12)
    f = _example("frobenius_identities").values
    assert (
        f["fro2"] == pytest.approx(91.0, abs=1e-9)
        and f["trace"] == pytest.approx(91.0)
        and f["sigma2"] == pytest.approx(91.0, abs=1e-9)
    )
    t = _example("trace_cyclic").values
    assert t["abc"] == pytest.approx(t["cab"], abs=1e-12) == pytest.approx(t["bca"], abs=1e-12)
    assert abs(t["abc"] - t["bac"]) > 0.1
    assert _example("covariance_transform").values["gap"] < 1e-12


def test_eigen_and_singular_values():
    e = _example("eigenpairs_upper_triangular").values
    np.testing.assert_allclose(e["eigenvalues"], [2, 3], atol=1e-12)
    np.testing.assert_allclose(e["eigenvectors"], [[1, 1], [0, 1]], atol=1e-12)
    assert e["cosine"] == pytest.approx(2**-0.5, abs=1e-12)  # eigenvectors need not be orthogonal
    np.testing.assert_allclose(_example("singular_values_diagonal").values["s"], [4, 3], atol=1e-12)
    s = _example("svd_three_by_two").values
    np.testing.assert_allclose(s["s"], [math.sqrt(3), 1], atol=1e-12)
    assert s["reconstruction_error"] < 1e-12


def test_defective_matrix_is_detected():
    d = _example("defective_eigendecomposition")
    np.testing.assert_allclose(d.values["eigenvalues"], [1, 1, 2], atol=1e-6)
    assert d.values["rank"] == 2 and d.values["tutorial_q_rank"] == 2 and d.values["refused"]


def test_inverse_pseudo_inverse_and_solves():
    inv = _example("inverse_two_by_two")
    np.testing.assert_allclose(inv.values["inverse"], [[-2, 1], [1.5, -0.5]], atol=1e-12)
    np.testing.assert_allclose(inv.values["tutorial"], np.eye(2), atol=1e-12)  # S⁻¹Sᵀ: the slip
    p = _example("pseudo_inverse").values
    np.testing.assert_allclose(p["pinv"], [[-1 / 3, 1 / 3, 2 / 3], [2 / 3, 1 / 3, -1 / 3]], atol=1e-12)
    assert max(p["penrose"]) < 1e-12
    ls = _example("least_squares_and_minimum_norm").values
    np.testing.assert_allclose(ls["x_ls"], [2 / 3, 5 / 3], atol=1e-12)
    np.testing.assert_allclose(ls["x_mn"], [0, 1, 1], atol=1e-12)


def test_pca_direction_is_optimal():
    v = _example("pca_first_direction").values
    assert v["error_top"] == pytest.approx(v["eckart_young"], rel=1e-10)
    assert v["error_top"] < v["best_random"]


def test_rotation_gaussian_rnn_and_ode():
    assert _example("rotation_is_orthogonal").values["gap"] < 1e-15
    g = _example("gaussian_coverage")
    np.testing.assert_allclose(g.values["coverage"], [68.27, 95.45, 99.73], atol=5e-3)
    np.testing.assert_allclose(_example("rnn_weighted_sum").values["y"], [0.1, 2.8], atol=1e-12)
    ode = _example("first_order_ode").values
    assert ode["numeric"] == pytest.approx(ode["closed"], abs=1e-8)  # RK4, h = 0.01: error O(h⁴)


def test_graph_examples():
    s = _example("symnmf_step").values
    np.testing.assert_allclose(s["h1"], [1.02, 1.02], atol=1e-12)
    assert s["f1"] == pytest.approx(0.92246, abs=5e-6) and s["f_tutorial_h"] == pytest.approx(0.85012, abs=5e-6)
    np.testing.assert_allclose(
        _example("six_point_degrees").values["degrees"], [1.0618, 1.3429, 1.3975, 1.2410, 1.0621, 0.9376], atol=5e-5
    )
    assert _example("six_point_spectral_clustering").values["groups"] == [[1, 2], [5, 6], [10, 11]]
    lap = _example("path_graph_laplacian").values
    np.testing.assert_allclose(lap["eigenvalues"], [0, 1, 3], atol=1e-12)
    np.testing.assert_allclose(lap["sym_eigenvalues"], [0, 1, 2], atol=1e-12)
    np.testing.assert_allclose(
        _example("normalized_laplacian_degrees").values["inv_sqrt_degrees"], [1, 2**-0.5, 1], atol=1e-12
    )
    assert _example("fiedler_path_graph").values["value"] == pytest.approx(1.0, abs=1e-12)
    assert _example("power_iteration_dominant").values["value"] == pytest.approx(3.0, abs=1e-9)


# The verdicts, derived here: each tutorial claim (typed from shared/seeds/, the file and its words in the comment) is
# compared with a value computed independently of keras_mf (numpy, scipy, scikit-learn, closed forms); "agrees" when
# they agree to the digits the tutorial prints (rounded or truncated), else "slip".
X6 = np.array([1.0, 2.0, 5.0, 6.0, 10.0, 11.0])
PATH3 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


def _printed(claim, true, decimals):
    """Whether `claim` is `true` rounded or truncated to `decimals` decimals, entry by entry."""
    claim, true = np.atleast_1d(claim), np.atleast_1d(np.asarray(true, np.float64))
    scale = 10.0**decimals
    rounded = np.round(true * scale) / scale
    truncated = np.trunc(true * scale) / scale
    return bool(np.all(np.isclose(claim, rounded, atol=1e-12) | np.isclose(claim, truncated, atol=1e-12)))


def _dense_step():  # 003 梯度下降: y=[6,12], L=1, dL/dW=[[-1,-2],[-1,-2]], W_new, b_new
    w, x, b, y_true = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 2.0]), np.ones(2), np.array([7.0, 13.0])
    y = w @ x + b
    dy = y - y_true
    ours = [y, 0.5 * dy @ dy, np.outer(dy, x), w - 0.1 * np.outer(dy, x), b - 0.1 * dy]
    claims = [[6, 12], 1, [[-1, -2], [-1, -2]], [[1.1, 2.2], [3.1, 4.2]], [1.1, 1.1]]
    return all(_printed(np.ravel(c), np.ravel(o), 1) for c, o in zip(claims, ours, strict=True))


def _identity(lhs, rhs):
    return bool(np.allclose(lhs, rhs, rtol=1e-12, atol=1e-12))


def _frobenius():  # 002/003: ‖A‖_F² = tr(AᵀA) = Σσᵢ²
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    fro = np.linalg.norm(a, "fro") ** 2
    return _identity(fro, np.trace(a.T @ a)) and _identity(fro, np.sum(np.linalg.svd(a, compute_uv=False) ** 2))


def _trace_cyclic():  # 003 迹: tr(ABC) = tr(CAB) = tr(BCA), not tr(BAC) in general
    a, b, c = np.random.default_rng(9).standard_normal((3, 3, 3))
    t = np.trace(a @ b @ c)
    return (
        _identity(t, np.trace(c @ a @ b))
        and _identity(t, np.trace(b @ c @ a))
        and not _identity(t, np.trace(b @ a @ c))
    )


def _covariance():  # 003 协方差矩阵: cov(AX) = A cov(X) Aᵀ
    x, a = np.random.default_rng(9).standard_normal((100, 3)), np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    return _identity(np.cov((x @ a.T).T), a @ np.cov(x.T) @ a.T)


def _eigenpairs():  # 003 特征值和特征向量: λ=2, v=[1,0]; λ=3, v=[1,1]
    a = np.array([[2.0, 1.0], [0.0, 3.0]])
    return all(_identity(a @ v, lam * v) for lam, v in ((2, np.array([1.0, 0.0])), (3, np.array([1.0, 1.0]))))


def _defective():  # 004 特征值分解的例子: A = QΛQ⁻¹ with Q = [p1, p2, p2]
    a = np.array([[-1.0, 1.0, 0.0], [-4.0, 3.0, 0.0], [1.0, 0.0, 2.0]])
    lam = np.sort(np.real(np.linalg.eigvals(a)))
    double = lam[np.isclose(lam, 1.0)]
    geometric = 3 - np.linalg.matrix_rank(a - np.eye(3))  # independent eigenvectors of λ = 1
    tutorial_q = np.array([[0.0, -1.0, -1.0], [0.0, -2.0, -2.0], [1.0, 1.0, 1.0]])
    return len(double) == geometric and np.linalg.matrix_rank(tutorial_q) == 3  # diagonalizable, Q invertible


def _inverse():  # 001: A⁻¹ = S⁻¹Sᵀ (S the singular values' diagonal)
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    s = np.diag(np.linalg.svd(a, compute_uv=False))
    return _identity(np.linalg.inv(s) @ s.T, np.linalg.inv(a))


def _pseudo_inverse():  # 002 M-P伪逆: A = U D Vᵀ, A⁺ = V (Δ⁻¹ 0; 0 0) Dᵀ (Dᵀ where Uᵀ belongs)
    a = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    u, s, vt = np.linalg.svd(a)
    d = np.zeros((3, 2))
    d[:2, :2] = np.diag(s)
    d_plus = np.zeros((2, 3))
    d_plus[:2, :2] = np.diag(1 / s)
    try:
        formula = vt.T @ d_plus @ d.T
    except ValueError:  # (2×3)(2×3): the product the tutorial writes is not even defined for a 3×2 A
        return False
    return _identity(formula, np.linalg.pinv(a))


def _least_squares():  # 002: A⁺y minimises ‖Ax − y‖₂ (tall A), is the smallest-norm solution (wide A)
    tall, y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 2.0])
    wide, z = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]), np.array([1.0, 2.0])
    minimum_norm = wide.T @ np.linalg.solve(wide @ wide.T, z)  # the closed form for a full-row-rank A
    return _identity(np.linalg.pinv(tall) @ y, np.linalg.lstsq(tall, y, rcond=None)[0]) and _identity(
        np.linalg.pinv(wide) @ z, minimum_norm
    )


def _pca():  # 002 PCA: d* = top eigenvector of XᵀX, with error Σ_{i>1} σᵢ² (below any other direction's)
    x = np.random.default_rng(9).standard_normal((200, 3)) * [3.0, 1.0, 0.3]
    d = np.linalg.eigh(x.T @ x)[1][:, -1]
    error = np.sum((x - np.outer(x @ d, d)) ** 2)
    others = np.random.default_rng(10).standard_normal((3, 50))
    others /= np.linalg.norm(others, axis=0)
    return _identity(error, np.sum(np.linalg.svd(x, compute_uv=False)[1:] ** 2)) and all(
        error <= np.sum((x - np.outer(x @ o, o)) ** 2) for o in others.T
    )


def _rotation():  # 003 酉矩阵: UᵀU = I for the 45° rotation
    c = s = math.sqrt(0.5)
    u = np.array([[c, -s], [s, c]])
    return _identity(u.T @ u, np.eye(2))


def _gaussian():  # 003 高斯分布: 68.2%, 95.4%, 99.6% within 1, 2, 3σ
    true = [100 * scipy.special.erf(k / math.sqrt(2)) for k in (1, 2, 3)]
    return _printed([68.2, 95.4, 99.6], true, 1)


def _ode():  # 003 一阶非齐线性微分方程: y = Ce^{−x} + x − 1 solves y' + y = x (scipy's RK45, C = 2)
    solution = scipy.integrate.solve_ivp(lambda x, y: x - y, (0, 3), [1.0], rtol=1e-10, atol=1e-12)
    return bool(np.isclose(solution.y[0, -1], 2 * math.exp(-3) + 3 - 1, atol=1e-8))


def _symnmf_step():  # 003 对称非负矩阵分解: H¹ = [1.04, 1.04], f(H¹) ≈ 0.8464
    a, h = np.array([[2.0, 1.0], [1.0, 2.0]]), np.ones((2, 1))
    h1 = np.maximum(0, h - 0.01 * 2 * (h @ h.T @ h - a @ h))  # H − η∇f, ∇f = 2(HHᵀH − AH)
    f1 = 0.5 * np.sum((a - h1 @ h1.T) ** 2)
    return _printed([1.04, 1.04], h1.ravel(), 2) and _printed(0.8464, f1, 4)


def _degrees():  # 003 谱聚类示例: 1.0617, 1.3429, 1.3975, 1.2410, 1.0617, 0.9375
    w = np.exp(-((X6[:, None] - X6[None]) ** 2) / (2 * 2.0**2))
    np.fill_diagonal(w, 0)
    return _printed([1.0617, 1.3429, 1.3975, 1.2410, 1.0617, 0.9375], w.sum(1), 4)


def _spectral_groups():  # 003 谱聚类示例: {1,2}, {5,6}, {10,11} (scikit-learn's spectral clustering, same graph)
    w = np.exp(-((X6[:, None] - X6[None]) ** 2) / 8)
    np.fill_diagonal(w, 0)
    labels = SpectralClustering(3, affinity="precomputed", random_state=0).fit_predict(w)
    return sorted(sorted(X6[labels == c].astype(int).tolist()) for c in range(3)) == [[1, 2], [5, 6], [10, 11]]


def _laplacian():  # 003 拉普拉斯矩阵: L = [[1,-1,0],[-1,2,-1],[0,-1,1]], L·1 = 0
    lap = np.diag(PATH3.sum(1)) - PATH3
    return _identity(lap, [[1, -1, 0], [-1, 2, -1], [0, -1, 1]]) and _identity(lap @ np.ones(3), 0)


def _normalized_degrees():  # 003 归一化拉普拉斯矩阵: D = diag(4, 9, 16), D^(-1/2) = diag(1/2, 1/3, 1/4)
    return _identity(PATH3.sum(1) ** -0.5, [1 / 2, 1 / 3, 1 / 4])


def _fiedler():  # 003 Fiedler向量: the second-smallest eigenpair of L, whose signs split the path
    values, vectors = np.linalg.eigh(np.diag(PATH3.sum(1)) - PATH3)
    v = vectors[:, 1] * np.sign(vectors[0, 1])
    return _identity(values[1], 1.0) and _identity(v, np.array([1, 0, -1]) / math.sqrt(2))


def _power_iteration():  # 003 幂迭代: converges to the dominant eigenvector of [[2,1],[1,2]]
    a, v = np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([1.0, 0.0])
    for _ in range(100):
        v = a @ v / np.linalg.norm(a @ v)
    return _identity(v, np.linalg.eigh(a)[1][:, -1] * np.sign(np.linalg.eigh(a)[1][0, -1]))


CLAIM_HOLDS = {
    "dense_layer_sgd_step": _dense_step,
    "l2_norm": lambda: _printed(5, np.linalg.norm([3.0, -4.0]), 0),  # 003 范数: ‖[3, −4]‖₂ = 5
    "frobenius_identities": _frobenius,
    "trace_cyclic": _trace_cyclic,
    "covariance_transform": _covariance,
    "eigenpairs_upper_triangular": _eigenpairs,
    "singular_values_diagonal": lambda: _printed([4, 3], np.linalg.svd([[3.0, 0.0], [0.0, -4.0]], compute_uv=False), 0),
    "svd_three_by_two": lambda: _identity(
        np.linalg.svd([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]], compute_uv=False), [math.sqrt(3), 1]
    ),
    "defective_eigendecomposition": _defective,
    "inverse_two_by_two": _inverse,
    "pseudo_inverse": _pseudo_inverse,
    "least_squares_and_minimum_norm": _least_squares,
    "pca_first_direction": _pca,
    "rotation_is_orthogonal": _rotation,
    "gaussian_coverage": _gaussian,
    "rnn_weighted_sum": lambda: _printed([0.1, 2.8], np.array([[0.3, -0.5], [1.2, 0.4]]) @ [2.0, 1.0], 1),
    "first_order_ode": _ode,
    "symnmf_step": _symnmf_step,
    "six_point_degrees": _degrees,
    "six_point_spectral_clustering": _spectral_groups,
    "path_graph_laplacian": _laplacian,
    "normalized_laplacian_degrees": _normalized_degrees,
    "fiedler_path_graph": _fiedler,
    "power_iteration_dominant": _power_iteration,
}


def test_every_example_has_an_independent_check():
    assert sorted(CLAIM_HOLDS) == sorted(example.__name__ for example in worked_examples.EXAMPLES)


@pytest.mark.parametrize("name", sorted(CLAIM_HOLDS))
def test_verdict_follows_from_the_independent_computation(name):
    example = _example(name)
    expected = "agrees" if CLAIM_HOLDS[name]() else "slip"
    assert example.verdict == expected
    if expected == "slip":
        assert example.why  # a slip says what is wrong


def test_an_example_prints_the_tutorials_value_ours_and_the_verdict():
    example = worked_examples.Example("n", "001", "2", "3", "wrong", why="off by one")
    assert str(example).splitlines() == ["tutorial: 2", "ours:     3", "verdict:  wrong: off by one"]
    assert str(worked_examples.Example("n", "001", "2", "2", "right")).endswith("verdict:  right")
