"""keras_mf: matrix factorization in deep learning, reproduced correctly with TensorFlow/Keras.

Layout: `datasets` (MNIST data), `layers` (TruncatedSVD, LowRankDense, RecurrentCell), `models`
(Autoencoder, StatefulRNN, DeepSymNMF), `compression` (Dense layers to LowRankDense), `factorization` (SymNMF),
`graph` (similarity graphs, Laplacians, spectral clustering, UMAP's fuzzy graph and layout), `cluster` (k-means,
partitions by SymNMF, accuracy, NMI), `linalg` (SVD solves, eigen-solvers, Gram statistics), `training` (what
the commands share), `cli` (the console commands and, in `cli.experiments`, the experiments behind them).

Submodules load on first use (PEP 562), so that `keras-mf-* --help` answers without loading TensorFlow.
The Keras layers and models register for `.keras` loading when `keras_mf.layers` / `keras_mf.models`
load: on first use of any of them, or at once when Keras is already imported.
"""

import importlib
import sys

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


if "keras" in sys.modules:
    # Keras is loaded already, so registering our classes costs nothing: `keras.saving.load_model` then
    # finds them after a bare `import keras_mf`.
    importlib.import_module("keras_mf.layers")
    importlib.import_module("keras_mf.models")
