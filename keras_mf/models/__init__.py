"""Keras models: the autoencoder, the stateful RNN and the deep SymNMF clusterer (Model subclasses computing in
`keras.ops`, so they load, train and save under any Keras backend)."""

from keras_mf._deprecation import moved_names
from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.deep_symnmf import DeepSymNMF
from keras_mf.models.stateful_rnn import StatefulRNN

__all__ = ["Autoencoder", "DeepSymNMF", "StatefulRNN"]

__getattr__ = moved_names(
    __name__,
    {
        "mlp_classifier": "keras_mf.cli.experiments.classifier",
        "compile_classifier": "keras_mf.cli.experiments.classifier",
    },
)
