"""Warnings and errors keras_mf raises, shaped like scikit-learn's so that users' handlers work unchanged."""


class NotFittedError(ValueError, AttributeError):
    """Using a model before `fit` (or a layer before `adapt`): both a ValueError and an AttributeError,
    as `sklearn.exceptions.NotFittedError` is."""


class ConvergenceWarning(UserWarning):
    """A fit stopped at its iteration cap (`max_iter`) before meeting its tolerance."""


class ClusteringError(RuntimeError):
    """Deep clustering stopped: the network or the layout diverged (NaN/inf), or the partition collapsed into one
    cluster."""
