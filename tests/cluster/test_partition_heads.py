"""partition_heads: the three heads of a layout, and spectral clustering left out where the layout's graph has more
connected components than k (which `spectral_clustering` refuses) instead of failing the whole clustering."""

import numpy as np
import pytest

from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster.partition import cluster_codes
from keras_mf.cluster.partition import partition_heads
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.similarity import knn_graph


def _blobs(blobs, size=20, dim=4, seed=0):
    """`blobs` tight clusters 100 apart: any k-NN graph with fewer than `size` neighbours has one component each."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(blobs), size)
    x = 100.0 * np.eye(blobs, dim)[labels] + 0.1 * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


def test_three_heads_on_a_connected_graph():
    x, labels = _blobs(3)
    heads, a = partition_heads(x, 3, graph_neighbors=25, seed=0)  # 25 > 20 per blob: one component
    assert connected_components(knn_graph(x, n_neighbors=25))[0] == 1
    assert list(heads) == ["kmeans", "gmm", "spectral"]
    for head in heads.values():
        assert clustering_accuracy(labels, head) == 1.0  # blobs 100 apart, spread 0.1: anything else is a bug
    assert a.shape == (60, 60)


@pytest.mark.parametrize("k", [2, 3])
def test_spectral_is_left_out_when_the_graph_has_more_components_than_k(k):
    x, labels = _blobs(4)
    assert connected_components(knn_graph(x, n_neighbors=5))[0] == 4
    heads, _ = partition_heads(x, k, graph_neighbors=5, seed=0)
    assert list(heads) == ["kmeans", "gmm"]
    for head in heads.values():
        assert set(np.unique(head)) <= set(range(k))
    result = cluster_codes(x, k, layouts=1, layout_neighbors=5, layout_steps=100, graph_neighbors=5)
    assert result["names"] == ["layout 0 kmeans", "layout 0 gmm", "layout 0 kmeans + SymNMF", "layout 0 gmm + SymNMF"]
    assert len(result["candidates"]) == len(result["modularity"]) == 4
