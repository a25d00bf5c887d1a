"""Keras models: the autoencoder and the stateful RNN (Model subclasses), and the MLP classifier that is compressed."""

from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.mlp import compile_classifier
from keras_mf.models.mlp import mlp_classifier
from keras_mf.models.stateful_rnn import StatefulRNN

__all__ = ["Autoencoder", "StatefulRNN", "compile_classifier", "mlp_classifier"]
