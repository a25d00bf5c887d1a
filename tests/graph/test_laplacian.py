"""Laplacians: closed forms and the spectrum's zero eigenvalues."""

import numpy as np
import pytest

from keras_mf import graph

PATH = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


def test_path_graph_laplacian():
    lap = graph.laplacian(PATH).numpy()
    np.testing.assert_array_equal(lap, [[1, -1, 0], [-1, 2, -1], [0, -1, 1]])
    np.testing.assert_array_equal(lap @ np.ones(3), 0)


@pytest.mark.parametrize("components", [1, 2, 3])
def test_zero_eigenvalue_multiplicity_is_number_of_components(components):
    rng = np.random.default_rng(components)
    blocks = [rng.random((4, 4)) for _ in range(components)]
    w = np.zeros((4 * components, 4 * components))
    for i, b in enumerate(blocks):
        w[4 * i : 4 * i + 4, 4 * i : 4 * i + 4] = (b + b.T) / 2
    np.fill_diagonal(w, 0)
    eig = np.linalg.eigvalsh(graph.laplacian(w).numpy())
    assert eig.min() > -1e-10  # positive semi-definite
    assert int(np.sum(eig < 1e-9)) == components
    sym = np.linalg.eigvalsh(graph.laplacian(w, normalized=True).numpy())
    assert sym.min() > -1e-10 and sym.max() < 2 + 1e-10


def test_isolated_vertex_is_a_clear_error():
    w = np.zeros((3, 3))
    w[0, 1] = w[1, 0] = 1.0
    with pytest.raises(ValueError, match="1 isolated vertices"):
        graph.normalize_adjacency(w)
