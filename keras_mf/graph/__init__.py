"""Graphs: similarity graphs (Gaussian, self-tuning k-NN, UMAP's fuzzy k-NN), Laplacians, connected components,
spectral embedding and clustering, Fiedler bisection, and UMAP's force-directed layout of a fuzzy graph.

TensorFlow (`tf.sparse`, `tf.linalg`), not Keras layers; k-means and the metrics live in `keras_mf.cluster`.
"""

from keras_mf.graph.fuzzy import fuzzy_knn_graph
from keras_mf.graph.laplacian import connected_components
from keras_mf.graph.laplacian import degrees
from keras_mf.graph.laplacian import laplacian
from keras_mf.graph.laplacian import normalize_adjacency
from keras_mf.graph.layout import neighbor_layout
from keras_mf.graph.similarity import gaussian_similarity
from keras_mf.graph.similarity import knn_graph
from keras_mf.graph.similarity import nearest_neighbors
from keras_mf.graph.spectral import fiedler_bisection
from keras_mf.graph.spectral import fiedler_vector
from keras_mf.graph.spectral import spectral_clustering
from keras_mf.graph.spectral import spectral_embedding

__all__ = [
    "connected_components",
    "degrees",
    "fiedler_bisection",
    "fiedler_vector",
    "fuzzy_knn_graph",
    "gaussian_similarity",
    "knn_graph",
    "laplacian",
    "nearest_neighbors",
    "neighbor_layout",
    "normalize_adjacency",
    "spectral_clustering",
    "spectral_embedding",
]
