"""Names that moved: still importable from their old place for one release, with a DeprecationWarning."""

import importlib
import warnings

REMOVED_IN = "0.4.0"


def moved_names(old_module, new_places):
    """A module `__getattr__` serving `{name: new module}` from `old_module`, warning on each use."""

    def __getattr__(name):
        if name not in new_places:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
        warnings.warn(
            f"`{old_module}.{name}` moved to `{new_places[name]}.{name}`; the old name is removed in keras_mf "
            f"{REMOVED_IN}.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(new_places[name]), name)

    return __getattr__
