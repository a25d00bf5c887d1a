"""The graph clustering pipeline: k-NN graph, SymNMF and spectral clustering end to end."""

import numpy as np
import pytest

from keras_mf import cluster


@pytest.mark.parametrize("spectral", [False, True])
def test_cluster_pipeline_on_separated_blobs(spectral):
    from keras_mf.graph.pipeline import cluster as cluster_points

    rng = np.random.default_rng(4)
    x = np.concatenate([rng.standard_normal((40, 2)) + [8 * i, 0] for i in range(3)]).astype(np.float32)
    truth = np.repeat([0, 1, 2], 40)
    result = cluster_points(x, 3, n_neighbors=8, n_init=2, spectral=spectral)
    assert cluster.clustering_accuracy(truth, result["symnmf_labels"]) == 1.0
    assert result["symnmf"].converged_ and result["graph"].dense_shape.numpy().tolist() == [120, 120]
    if spectral:
        assert cluster.clustering_accuracy(truth, result["spectral_labels"]) == 1.0
    else:
        assert result["spectral_labels"] is None and result["spectral_seconds"] is None
