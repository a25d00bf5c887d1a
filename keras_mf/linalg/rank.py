"""Choosing a truncation rank: given, or the smallest that keeps a fraction of the energy."""

import numpy as np

from keras_mf._validation import check_exactly_one
from keras_mf._validation import check_fraction
from keras_mf._validation import check_int


def choose_rank(singular_values, rank, energy, max_rank):
    """The rank given, or the smallest one whose squared singular values reach `energy` of the total."""
    check_exactly_one(rank=rank, energy=energy)
    if rank is not None:
        return check_int("rank", rank, 1, max_rank)
    energy = check_fraction("energy", energy)
    power = np.asarray(singular_values, dtype=np.float64) ** 2
    ratio = np.cumsum(power) / power.sum()
    return int(min(np.searchsorted(ratio, energy - 1e-12) + 1, max_rank))
