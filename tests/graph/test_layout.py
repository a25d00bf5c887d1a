"""neighbor_layout: the force-directed layout of a fuzzy graph."""

import numpy as np
import pytest

from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster.partition import cluster_codes
from keras_mf.graph.fuzzy import fuzzy_knn_graph
from keras_mf.graph.layout import neighbor_layout


def _blobs(sizes=(40, 30, 50), dim=12, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * 3
    labels = np.repeat(np.arange(len(sizes)), sizes)
    x = centers[labels] + spread * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


@pytest.mark.slow  # layouts of 300 SGD steps, three heads and SymNMF from each
@pytest.mark.parametrize("refine", [True, False])
def test_layout_separates_blobs_and_is_deterministic(refine):
    x, labels = _blobs()
    w = fuzzy_knn_graph(x, 10)
    first = neighbor_layout(w, n_components=2, steps=300, batch_size=256, seed=3)
    second = neighbor_layout(w, n_components=2, steps=300, batch_size=256, seed=3)
    np.testing.assert_array_equal(first, second)
    result = cluster_codes(x, 3, layouts=1, layout_neighbors=10, layout_steps=300, graph_neighbors=10, refine=refine)
    # seed=0 fixes every draw (the layout's sampling, as the equality above shows, the heads' starts; SymNMF
    # starts from their partitions): the accuracy is one fixed number, not a sample, and on
    # blobs 3 apart with spread 0.3 anything but 1.0 is a failure.
    assert clustering_accuracy(labels, result["labels"]) == 1.0


@pytest.mark.slow  # five layouts and their graphs
def test_layouts_of_several_widths_in_one_process():
    """Layouts of 10, 3 and 2 components, in batches of 8192 and 256, then of 3 again, through one compiled step
    (conftest gives each test a fresh one, as a fresh process has): while the positions were a tf.Variable, a later
    layout reused a trace specialised to the first one's shape and failed."""
    for n, k, batch in [(300, 10, 8192), (90, 3, 8192), (120, 2, 256), (120, 2, 256), (120, 3, 8192)]:
        x = np.random.default_rng(n).normal(size=(n, 5)).astype(np.float32)
        assert neighbor_layout(fuzzy_knn_graph(x, 10), k, steps=50, batch_size=batch).shape == (n, k)
