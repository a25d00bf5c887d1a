"""Deprecated: the tutorials' worked examples moved to `keras_mf.cli.experiments.worked_examples`."""

import importlib
import warnings

from keras_mf._deprecation import REMOVED_IN


def __getattr__(name):
    module = importlib.import_module("keras_mf.cli.experiments.worked_examples")
    if not hasattr(module, name):
        raise AttributeError(f"module 'keras_mf.tutorials' has no attribute {name!r}")
    warnings.warn(
        f"`keras_mf.tutorials.{name}` moved to `keras_mf.cli.experiments.worked_examples.{name}`; the old name is "
        f"removed in keras_mf {REMOVED_IN}.",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(module, name)
