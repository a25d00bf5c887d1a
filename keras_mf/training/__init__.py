"""Training utilities every script shares: arguments, seeding, callbacks, strategies, atomic files, tables.

Loaded on first use (PEP 562): `keras_mf.training.args` parses a command line without loading
TensorFlow, so `--help` and argument errors answer at once.
"""

from keras_mf._lazy import lazy_names

#: `get_strategy`'s names: one device ("none"), the local devices ("mirrored"), or the machines `TF_CONFIG`
#: describes ("multiworker").
STRATEGIES = ("none", "mirrored", "multiworker")

_ATTRIBUTES = {
    "ReconstructionError": "callbacks",
    "RunProgress": "callbacks",
    "run_seconds": "callbacks",
    "NaNGuard": "callbacks",
    "ReconstructionGrid": "callbacks",
    "RecurrentSpectrum": "callbacks",
    "ResetStateEvery": "callbacks",
    "exit_if_stopped": "callbacks",
    "standard_callbacks": "callbacks",
    "chunked_dataset": "tbptt",
    "evaluate_chunked": "tbptt",
    "add_common_arguments": "args",
    "check_data": "args",
    "split_examples": "args",
    "phase": "progress",
    "fit_verbosity": "progress",
    "report_outputs": "progress",
    "run_command": "progress",
    "add_split_arguments": "args",
    "is_chief": "args",
    "make_parser": "args",
    "resolve_logdir": "args",
    "resolve_splits": "splits",
    "atomic_save_model": "files",
    "atomic_write_bytes": "files",
    "atomic_write_text": "files",
    "mse": "tables",
    "format_table": "tables",
    "quiet_tensorflow": "quiet",
    "set_seed": "seeding",
    "get_strategy": "strategy",
    "log_hparams": "hparams",
    "write_projector": "projector",
    "write_custom_scalars": "summaries",
    "write_model_graph": "summaries",
    "write_scalars": "summaries",
    "write_series": "summaries",
    "write_text": "summaries",
    "markdown_table": "tables",
}

__all__ = sorted(_ATTRIBUTES) + ["STRATEGIES"]

__getattr__, __dir__ = lazy_names(__name__, _ATTRIBUTES)
