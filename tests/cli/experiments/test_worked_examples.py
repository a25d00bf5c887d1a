import math

import numpy as np
import pytest

from keras_mf import tutorials


def test_dense_layer_sgd_step():
    v = tutorials.dense_layer_sgd_step().values
    np.testing.assert_allclose(v["y"], [6, 12], atol=1e-12)
    assert v["loss"] == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(v["grad_w"], [[-1, -2], [-1, -2]], atol=1e-12)
    np.testing.assert_allclose(v["grad_b"], [-1, -1], atol=1e-12)
    np.testing.assert_allclose(v["w_new"], [[1.1, 2.2], [3.1, 4.2]], atol=1e-12)
    np.testing.assert_allclose(v["b_new"], [1.1, 1.1], atol=1e-12)


def test_norms_traces_and_covariance():
    assert tutorials.l2_norm().values["norm"] == pytest.approx(5.0, abs=1e-12)
    f = tutorials.frobenius_identities().values
    assert (
        f["fro2"] == pytest.approx(91.0, abs=1e-9)
        and f["trace"] == pytest.approx(91.0)
        and f["sigma2"] == pytest.approx(91.0, abs=1e-9)
    )
    t = tutorials.trace_cyclic().values
    assert t["abc"] == pytest.approx(t["cab"], abs=1e-12) == pytest.approx(t["bca"], abs=1e-12)
    assert abs(t["abc"] - t["bac"]) > 0.1
    assert tutorials.covariance_transform().values["gap"] < 1e-12


def test_eigen_and_singular_values():
    e = tutorials.eigenpairs_upper_triangular().values
    np.testing.assert_allclose(e["eigenvalues"], [2, 3], atol=1e-12)
    np.testing.assert_allclose(e["eigenvectors"], [[1, 1], [0, 1]], atol=1e-12)
    assert e["cosine"] == pytest.approx(2**-0.5, abs=1e-12)  # eigenvectors need not be orthogonal
    np.testing.assert_allclose(tutorials.singular_values_diagonal().values["s"], [4, 3], atol=1e-12)
    s = tutorials.svd_three_by_two().values
    np.testing.assert_allclose(s["s"], [math.sqrt(3), 1], atol=1e-12)
    assert s["reconstruction_error"] < 1e-12


def test_defective_matrix_is_detected():
    d = tutorials.defective_eigendecomposition()
    np.testing.assert_allclose(d.values["eigenvalues"], [1, 1, 2], atol=1e-6)
    assert d.values["rank"] == 2 and d.values["tutorial_q_rank"] == 2 and d.values["refused"]
    assert d.verdict == "slip"


def test_inverse_pseudo_inverse_and_solves():
    inv = tutorials.inverse_two_by_two()
    np.testing.assert_allclose(inv.values["inverse"], [[-2, 1], [1.5, -0.5]], atol=1e-12)
    np.testing.assert_allclose(inv.values["tutorial"], np.eye(2), atol=1e-12)  # S⁻¹Sᵀ: the slip
    p = tutorials.pseudo_inverse().values
    np.testing.assert_allclose(p["pinv"], [[-1 / 3, 1 / 3, 2 / 3], [2 / 3, 1 / 3, -1 / 3]], atol=1e-12)
    assert max(p["penrose"]) < 1e-12
    ls = tutorials.least_squares_and_minimum_norm().values
    np.testing.assert_allclose(ls["x_ls"], [2 / 3, 5 / 3], atol=1e-12)
    np.testing.assert_allclose(ls["x_mn"], [0, 1, 1], atol=1e-12)


def test_pca_direction_is_optimal():
    v = tutorials.pca_first_direction().values
    assert v["error_top"] == pytest.approx(v["eckart_young"], rel=1e-10)
    assert v["error_top"] < v["best_random"]


def test_rotation_gaussian_rnn_and_ode():
    assert tutorials.rotation_is_orthogonal().values["gap"] < 1e-15
    g = tutorials.gaussian_coverage()
    np.testing.assert_allclose(g.values["coverage"], [68.27, 95.45, 99.73], atol=5e-3)
    assert g.verdict == "slip"  # the tutorial prints 99.6% for 3σ
    np.testing.assert_allclose(tutorials.rnn_weighted_sum().values["y"], [0.1, 2.8], atol=1e-12)
    ode = tutorials.first_order_ode().values
    assert ode["numeric"] == pytest.approx(ode["closed"], abs=1e-8)  # RK4, h = 0.01: error O(h⁴)


def test_graph_examples():
    s = tutorials.symnmf_step().values
    np.testing.assert_allclose(s["h1"], [1.02, 1.02], atol=1e-12)
    assert s["f1"] == pytest.approx(0.92246, abs=5e-6) and s["f_tutorial_h"] == pytest.approx(0.85012, abs=5e-6)
    np.testing.assert_allclose(
        tutorials.six_point_degrees().values["degrees"], [1.0618, 1.3429, 1.3975, 1.2410, 1.0621, 0.9376], atol=5e-5
    )
    assert tutorials.six_point_spectral_clustering().values["groups"] == [[1, 2], [5, 6], [10, 11]]
    lap = tutorials.path_graph_laplacian().values
    np.testing.assert_allclose(lap["eigenvalues"], [0, 1, 3], atol=1e-12)
    np.testing.assert_allclose(lap["sym_eigenvalues"], [0, 1, 2], atol=1e-12)
    np.testing.assert_allclose(
        tutorials.normalized_laplacian_degrees().values["inv_sqrt_degrees"], [1, 2**-0.5, 1], atol=1e-12
    )
    assert tutorials.fiedler_path_graph().values["value"] == pytest.approx(1.0, abs=1e-12)
    assert tutorials.power_iteration_dominant().values["value"] == pytest.approx(3.0, abs=1e-9)


def test_every_example_has_a_verdict_and_slips_say_why():
    examples = tutorials.run_all()
    assert len(examples) == len(tutorials.EXAMPLES) >= 20
    for e in examples:
        assert e.verdict in ("agrees", "slip")
        if e.verdict == "slip":
            assert e.why
