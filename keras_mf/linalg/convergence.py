"""Reporting iterative solvers that stop short: one ConvergenceWarning wording for every solver, naming the
caller's own parameter to raise. Backend-neutral (no TensorFlow import), so that the layers can use it."""

import warnings

from keras_mf.exceptions import ConvergenceWarning

# Subspace iteration's extra columns: Halko, Martinsson & Tropp's p = 10, or k itself for large k, so that the
# convergence ratio λ_{k+p+1}/λ_k is well below 1 for the spectra PCA meets.
MIN_OVERSAMPLE = 10


def subspace_block(k, n, oversample=None):
    """Columns of the block that subspace iteration for the top `k` of `n` eigenpairs iterates: k + p, p =
    `oversample` or max(10, k), at most n."""
    return min(n, k + (max(MIN_OVERSAMPLE, k) if oversample is None else oversample))


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
