"""Matrix factorization trainers that are not layers (scikit-learn style: `fit`, fitted `attr_`)."""

from keras_mf.factorization.symnmf import SymNMF

__all__ = ["SymNMF"]
