"""Keras Model subclasses: the autoencoder and the stateful RNN."""

from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.stateful_rnn import StatefulRNN

__all__ = ["Autoencoder", "StatefulRNN"]
