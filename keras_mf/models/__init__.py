"""Keras models: the autoencoder, the deep SymNMF clusterer and the stateful RNN (Model subclasses), and the
MLP classifier that is compressed."""

from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.deep_clustering import DeepSymNMF
from keras_mf.models.mlp import compile_classifier
from keras_mf.models.mlp import mlp_classifier
from keras_mf.models.stateful_rnn import StatefulRNN

__all__ = ["Autoencoder", "DeepSymNMF", "StatefulRNN", "compile_classifier", "mlp_classifier"]
