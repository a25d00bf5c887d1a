"""TruncatedSVD fitted at many ranks, and spectral embeddings at many seeds, compile their solver once: the rank
and the seed are tensors, not trace keys (issue #23: "5 out of the last 5 calls to <function _decompose> triggered
tf.function retracing" in keras-mf-compress; the deep-clustering benchmark's heads: "6 out of the last 9 calls to
<function _subspace_iteration>", one trace per seed)."""

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


def test_spectral_embeddings_at_many_seeds_trace_the_subspace_iteration_once(caplog):
    import warnings

    from keras_mf.graph.similarity import knn_graph
    from keras_mf.graph.spectral import spectral_embedding
    from keras_mf.linalg import decompositions

    x = load_mnist("test[:300]", source="bundled", as_numpy=True, targets=None, verbose=False)
    w = knn_graph(x, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few iterations only: the trace count is what is measured
        spectral_embedding(w, 4, iterations=5, seed=0)
        before = decompositions._subspace_iteration.experimental_get_tracing_count()
        with caplog.at_level(logging.WARNING, logger="tensorflow"):
            embeddings = [np.asarray(spectral_embedding(w, 4, iterations=5, seed=seed)) for seed in (1, 2, 3, 4, 5)]
    assert decompositions._subspace_iteration.experimental_get_tracing_count() == before
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
    # Each seed still draws its own start: five iterations from different starts end at different bases.
    assert not np.allclose(embeddings[0], embeddings[1])
