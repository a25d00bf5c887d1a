"""Keras Model subclasses: the autoencoder, the deep SymNMF clusterer and the stateful RNN."""

from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.deep_clustering import DeepSymNMF
from keras_mf.models.stateful_rnn import StatefulRNN

__all__ = ["Autoencoder", "DeepSymNMF", "StatefulRNN"]
