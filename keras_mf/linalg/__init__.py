"""Linear algebra in TensorFlow ops: SVD solves, eigen-solvers, streaming Gram statistics, distances.

Not Keras layers, so these stay TensorFlow (`tf.linalg`, `tf.function`); the layers call them only
while fitting (`TruncatedSVD.adapt`), never in `call`.
"""

from keras_mf.linalg.decompositions import as_float_tensor
from keras_mf.linalg.decompositions import condition_number
from keras_mf.linalg.decompositions import eigendecomposition
from keras_mf.linalg.decompositions import eigenvector_rank
from keras_mf.linalg.decompositions import lstsq
from keras_mf.linalg.decompositions import pinv
from keras_mf.linalg.decompositions import power_iteration
from keras_mf.linalg.decompositions import principal_angles
from keras_mf.linalg.decompositions import svd_inverse
from keras_mf.linalg.decompositions import top_eigh
from keras_mf.linalg.distances import squared_distances
from keras_mf.linalg.gram import gram_accumulator
from keras_mf.linalg.rank import choose_rank

__all__ = [
    "as_float_tensor",
    "choose_rank",
    "condition_number",
    "eigendecomposition",
    "eigenvector_rank",
    "gram_accumulator",
    "lstsq",
    "pinv",
    "power_iteration",
    "principal_angles",
    "squared_distances",
    "svd_inverse",
    "top_eigh",
]
