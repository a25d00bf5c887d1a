"""Graphs and clustering: similarity graphs, Laplacians, spectral clustering, k-means, metrics."""

from keras_mf.graph.kmeans import kmeans
from keras_mf.graph.laplacian import degrees
from keras_mf.graph.laplacian import laplacian
from keras_mf.graph.laplacian import normalize_adjacency
from keras_mf.graph.metrics import clustering_accuracy
from keras_mf.graph.metrics import linear_sum_assignment
from keras_mf.graph.metrics import normalized_mutual_info
from keras_mf.graph.similarity import gaussian_similarity
from keras_mf.graph.similarity import knn_graph
from keras_mf.graph.similarity import nearest_neighbors
from keras_mf.graph.spectral import fiedler_bisection
from keras_mf.graph.spectral import fiedler_vector
from keras_mf.graph.spectral import spectral_clustering
from keras_mf.graph.spectral import spectral_embedding

__all__ = [
    "clustering_accuracy",
    "degrees",
    "fiedler_bisection",
    "fiedler_vector",
    "gaussian_similarity",
    "kmeans",
    "knn_graph",
    "laplacian",
    "linear_sum_assignment",
    "nearest_neighbors",
    "normalize_adjacency",
    "normalized_mutual_info",
    "spectral_clustering",
    "spectral_embedding",
]
