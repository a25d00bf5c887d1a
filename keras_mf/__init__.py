"""keras_mf: matrix factorization in deep learning, reproduced correctly with TensorFlow/Keras.

Layout: `datasets` (MNIST data), `layers` (TruncatedSVD, LowRankDense, RecurrentCell), `models`
(Autoencoder, StatefulRNN), `factorization` (SymNMF), `graph` (similarity graphs, Laplacians, spectral
clustering), `cluster` (k-means, accuracy, NMI), `linalg` (SVD solves, eigen-solvers, Gram statistics),
`training` (script utilities), `tutorials` (worked examples).
"""

__version__ = "0.1.0"

from keras_mf import cluster  # noqa: E402
from keras_mf import datasets  # noqa: E402
from keras_mf import factorization  # noqa: E402
from keras_mf import graph  # noqa: E402
from keras_mf import layers  # noqa: E402
from keras_mf import linalg  # noqa: E402
from keras_mf import models  # noqa: E402
from keras_mf import training  # noqa: E402
from keras_mf.compression import compress  # noqa: E402
from keras_mf.factorization import SymNMF  # noqa: E402
from keras_mf.layers import LowRankDense  # noqa: E402
from keras_mf.layers import RecurrentCell  # noqa: E402
from keras_mf.layers import TruncatedSVD  # noqa: E402
from keras_mf.models import Autoencoder  # noqa: E402
from keras_mf.models import StatefulRNN  # noqa: E402

__all__ = [
    "Autoencoder",
    "LowRankDense",
    "RecurrentCell",
    "StatefulRNN",
    "SymNMF",
    "TruncatedSVD",
    "cluster",
    "compress",
    "datasets",
    "factorization",
    "graph",
    "layers",
    "linalg",
    "models",
    "training",
]
