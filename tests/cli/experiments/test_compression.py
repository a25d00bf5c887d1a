"""The compression experiment's curves: TruncatedSVD's error against rank, against numpy's SVD."""

import numpy as np
import pytest


def test_eckart_young_curve_matches_numpy_svd():
    from keras_mf.cli.experiments.compression import eckart_young_curve
    from keras_mf.cli.experiments.compression import svd_error_curve

    x = np.random.default_rng(0).random((60, 20)).astype(np.float32)
    ranks, errors = eckart_young_curve(x)
    singular_values = np.linalg.svd(x - x.mean(0), compute_uv=False).astype(np.float64)
    expected = [np.sum(singular_values[k:] ** 2) / x.size for k in range(21)]
    np.testing.assert_array_equal(ranks, np.arange(21))
    np.testing.assert_allclose(errors, expected, rtol=1e-4, atol=1e-7)
    for rank, error in svd_error_curve(x, [3, 10]):
        assert errors[rank] == pytest.approx(error, rel=1e-4)
