"""TruncatedSVD fitted at many ranks compiles its solver once: the rank is a tensor, not a trace key (issue #23: "5
out of the last 5 calls to <function _decompose> triggered tf.function retracing" in keras-mf-compress)."""

import logging

import numpy as np

from keras_mf import TruncatedSVD
from keras_mf.datasets import load_mnist


def test_fitting_many_ranks_traces_the_subspace_iteration_once(caplog):
    from keras_mf.linalg import decompositions

    # MNIST digits: their spectrum decays, so subspace iteration meets numpy's values at every rank tried.
    x = load_mnist("test[:500]", source="bundled", as_numpy=True, targets=None, verbose=False)
    # One fit first, so that the loop below needs no trace at all: TensorFlow's retracing warning counts the traces
    # that other tests in this process made, so only a loop that traces nothing is free of it in any test order.
    TruncatedSVD(rank=2).adapt(x)
    before = decompositions._subspace_iteration.experimental_get_tracing_count()
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        fits = {}
        for rank in (3, 5, 8, 13, 21, 34):
            layer = TruncatedSVD(rank=rank)
            layer.adapt(x)
            fits[rank] = np.asarray(layer.singular_values)
    assert decompositions._subspace_iteration.experimental_get_tracing_count() == before
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
    # The ranks share one compiled solve and still give each rank's own leading singular values (numpy's SVD of
    # the centred data is the reference).
    reference = np.linalg.svd(x - x.mean(0), compute_uv=False)
    for rank, values in fits.items():
        np.testing.assert_allclose(values, reference[:rank], rtol=1e-3)
