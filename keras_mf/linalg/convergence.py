"""Reporting iterative solvers that stop short: one ConvergenceWarning wording for every solver, naming the
caller's own parameter to raise. Backend-neutral (no TensorFlow import), so that the layers can use it."""

import warnings

from keras_mf.exceptions import ConvergenceWarning


def warn_unconverged(solver, used, residual, tol, parameter, value, stacklevel=3):
    """Warns when an eigen-solver's largest relative residual `residual` after `used` iterations is above `tol`
    (NaN included); says nothing otherwise."""
    if residual <= tol:
        return
    warnings.warn(
        f"{solver} did not converge: after {used} iterations the largest relative residual is {residual:.3g}, "
        f"above the tolerance {tol:.3g}. Raise `{parameter}` (received {parameter}={value!r}).",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
