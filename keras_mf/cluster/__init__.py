"""Clustering: k-means and the quality measures (accuracy under the best matching, NMI, contingency table).

TensorFlow and numpy, not Keras layers: they run on any Keras backend's outputs converted to arrays.
"""

from keras_mf.cluster.kmeans import kmeans
from keras_mf.cluster.metrics import clustering_accuracy
from keras_mf.cluster.metrics import contingency_table
from keras_mf.cluster.metrics import linear_sum_assignment
from keras_mf.cluster.metrics import normalized_mutual_info

__all__ = [
    "clustering_accuracy",
    "contingency_table",
    "kmeans",
    "linear_sum_assignment",
    "normalized_mutual_info",
]
