"""keras_mf: matrix factorization in deep learning, reproduced correctly with TensorFlow/Keras.

Layout: `datasets` (MNIST data), `layers` (TruncatedSVD, LowRankDense, RecurrentCell, RandomAffine), `models`
(Autoencoder, StatefulRNN, DeepSymNMF), `compression` (Dense layers to LowRankDense), `factorization` (SymNMF),
`graph` (similarity graphs, Laplacians, spectral clustering, UMAP's fuzzy graph and layout), `cluster` (k-means,
partitions by SymNMF, modularity, accuracy, NMI), `linalg` (SVD solves, eigen-solvers, Gram statistics),
`training` (what the commands share), `cli` (the console commands and, in `cli.experiments`, the experiments
behind them).

Submodules load on first use (PEP 562), so that `keras-mf-* --help` answers without loading TensorFlow.
Whatever the import order, `keras.saving.load_model` finds the Keras layers and models: they register with Keras
as soon as Keras is imported, without importing it (see `_registration`).

Example:
    >>> import keras_mf
    >>> keras_mf.SymNMF.__module__, keras_mf.compress.__module__
    ('keras_mf.factorization.symnmf', 'keras_mf.compression')
"""

import importlib

from keras_mf import _registration

__version__ = "0.2.0.dev0"

_SUBMODULES = (
    "cli",
    "cluster",
    "compression",
    "datasets",
    "exceptions",
    "factorization",
    "graph",
    "layers",
    "linalg",
    "models",
    "training",
)
_ATTRIBUTES = {
    "Autoencoder": "models",
    "DeepSymNMF": "models",
    "LowRankDense": "layers",
    "RandomAffine": "layers",
    "RecurrentCell": "layers",
    "StatefulRNN": "models",
    "SymNMF": "factorization",
    "TruncatedSVD": "layers",
    "compress": "compression",
}

__all__ = sorted(set(_SUBMODULES) | set(_ATTRIBUTES))


def __getattr__(name):
    if name == "tutorials":  # deprecated: the module warns on use
        return importlib.import_module("keras_mf.tutorials")
    if name in _SUBMODULES:
        value = importlib.import_module(f"keras_mf.{name}")
    elif name in _ATTRIBUTES:
        value = getattr(importlib.import_module(f"keras_mf.{_ATTRIBUTES[name]}"), name)
    else:
        raise AttributeError(f"module 'keras_mf' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


_registration.install()
