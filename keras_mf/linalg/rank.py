"""Choosing a truncation rank: given, or the smallest that keeps a fraction of the energy."""

import numpy as np

from keras_mf._validation import check_exactly_one
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int


def choose_rank(singular_values, rank, energy, max_rank):
    """The rank given, or the smallest one whose squared singular values reach `energy` of the total.

    Give exactly one of `rank` and `energy`.

    Args:
        singular_values: array `(r,)` of singular values (any order of the kept ones, descending for `energy`).
        rank: int in [1, max_rank], or None.
        energy: float in (0, 1], or None: the fraction of Σσ² to keep.
        max_rank: int, the largest rank allowed (min of the matrix's sides).

    Returns:
        int in [1, max_rank].

    Raises:
        ValueError: both or neither of `rank` and `energy`; `rank` outside [1, max_rank]; `energy` outside (0, 1].

    References:
        Jolliffe, I. T. (2002). Principal Component Analysis, 2nd ed., §6.1.1 (cumulative percentage of total
        variation). Springer. https://doi.org/10.1007/b98835

    Example:
        >>> from keras_mf.linalg import choose_rank
        >>> choose_rank([3.0, 2.0, 1.0], None, 0.9, 3)      # 9 + 4 of 14 is 93% of the energy
        2
        >>> choose_rank([3.0, 2.0, 1.0], 3, None, 3)
        3
    """
    check_exactly_one(rank=rank, energy=energy)
    if rank is not None:
        return check_int("rank", rank, 1, max_rank)
    energy = check_fraction("energy", energy)
    power = np.asarray(singular_values, dtype=np.float64) ** 2
    ratio = np.cumsum(power) / power.sum()
    return int(min(np.searchsorted(ratio, energy - 1e-12) + 1, max_rank))
