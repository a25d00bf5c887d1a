"""Warnings and errors keras_mf raises, shaped like scikit-learn's so that users' handlers work unchanged."""


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before `fit` (or a layer before `adapt`).

    It is both a ValueError and an AttributeError, as `sklearn.exceptions.NotFittedError` is, so that a handler
    written for either (or for scikit-learn's) catches it. Raised by `keras_mf.factorization.SymNMF` (its
    `objective` without a fitted H) and `keras_mf.layers.TruncatedSVD` (before `adapt`).

    Example:
        >>> import numpy as np
        >>> from keras_mf.exceptions import NotFittedError
        >>> from keras_mf.factorization import SymNMF
        >>> try:
        ...     SymNMF(n_components=2).objective(np.eye(2))
        ... except NotFittedError as e:
        ...     print(isinstance(e, ValueError), isinstance(e, AttributeError))
        True True
    """


class ConvergenceWarning(UserWarning):
    """Warned when an iterative fit stops at its iteration cap (`max_iter`) before meeting its tolerance.

    The fit still returns its last iterate; raise `max_iter` or `tol`, or turn the warning into an error with
    `warnings.simplefilter("error", ConvergenceWarning)`.

    Example:
        >>> import warnings
        >>> import numpy as np
        >>> from keras_mf.exceptions import ConvergenceWarning
        >>> from keras_mf.factorization import SymNMF
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = SymNMF(n_components=1, max_iter=1, random_state=0).fit(np.ones((3, 3)) + np.eye(3))
        >>> any(issubclass(w.category, ConvergenceWarning) for w in caught)
        True
    """


class ClusteringError(RuntimeError):
    """Raised when deep clustering stops: the network or the layout diverged (NaN/inf), or the partition collapsed
    (one cluster holds more than `keras_mf.cluster.metrics.MAX_CLUSTER_FRACTION` of the points).

    Example:
        >>> from keras_mf.cluster import check_balance
        >>> from keras_mf.exceptions import ClusteringError
        >>> try:
        ...     check_balance([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], n_clusters=2)
        ... except ClusteringError as e:
        ...     print(str(e).split(":")[0])
        The clustering collapsed
    """
