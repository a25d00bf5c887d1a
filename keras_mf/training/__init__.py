"""Training utilities every script shares: arguments, seeding, callbacks, strategies, atomic files, tables."""

from keras_mf.training.args import add_common_arguments
from keras_mf.training.args import add_split_arguments
from keras_mf.training.args import make_parser
from keras_mf.training.args import resolve_logdir
from keras_mf.training.args import resolve_splits
from keras_mf.training.callbacks import ConstantScalars
from keras_mf.training.callbacks import exit_if_stopped
from keras_mf.training.callbacks import NaNGuard
from keras_mf.training.callbacks import ReconstructionGrid
from keras_mf.training.callbacks import RecurrentSpectrum
from keras_mf.training.callbacks import ResetStateEvery
from keras_mf.training.callbacks import standard_callbacks
from keras_mf.training.files import atomic_save_model
from keras_mf.training.files import atomic_write_text
from keras_mf.training.seeding import set_seed
from keras_mf.training.strategy import get_strategy
from keras_mf.training.tables import format_table

__all__ = [
    "ConstantScalars",
    "ReconstructionGrid",
    "RecurrentSpectrum",
    "ResetStateEvery",
    "NaNGuard",
    "add_common_arguments",
    "add_split_arguments",
    "atomic_save_model",
    "exit_if_stopped",
    "atomic_write_text",
    "format_table",
    "get_strategy",
    "make_parser",
    "resolve_logdir",
    "resolve_splits",
    "set_seed",
    "standard_callbacks",
]
