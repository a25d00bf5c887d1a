"""Registers keras_mf's Keras classes for `.keras` loading in any import order, without importing Keras.

`keras.saving.load_model` finds a custom class only in Keras' registry, which a class enters when its module runs
`@keras.saving.register_keras_serializable`. Importing keras_mf must not import Keras (so that `--help` answers
without TensorFlow), so `install` watches for the import of `keras` and runs `_register` once Keras' own code has
run, or at once if Keras is loaded already. `_register` enters a stand-in for each class (its `from_config` imports
the class's subpackage, whose decorators replace the stand-ins, and deserializes with the real class) rather than
importing our subpackages there: the hook runs inside whatever import first loads Keras, which may be one of our own
modules half-way through its imports.

wrapt's `register_post_import_hook` does the same watching, but importing wrapt 2 loads asyncio, ssl and 140 other
modules and triples `--help`'s start time (CHANGELOG), so the watcher is the few lines below.
"""

import importlib.util
import sys

PACKAGE = "keras_mf"
# Every class keras_mf registers with Keras, and the subpackage whose import registers it.
CLASSES = {
    "Autoencoder": "models",
    "DeepSymNMF": "models",
    "StatefulRNN": "models",
    "LowRankDense": "layers",
    "RandomAffine": "layers",
    "RecurrentCell": "layers",
    "TruncatedSVD": "layers",
}


def install():
    """Registers the stand-ins when `keras` is imported (now, if it is already)."""
    if "keras" in sys.modules:
        _register(sys.modules["keras"])
    elif not any(isinstance(finder, _KerasWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _KerasWatcher())


class _KerasWatcher:
    """A finder that steps aside for `keras`: it asks the other finders for Keras' spec and makes its loader call
    `_register` once Keras' `__init__` has run. It stays until then, since TensorFlow also looks Keras up
    (`importlib.util.find_spec`) without importing it."""

    def __init__(self):
        self._finding = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras" or self._finding:
            return None
        self._finding = True  # the lookup below passes through this finder again
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding = False
        if spec is not None and hasattr(spec.loader, "exec_module"):
            # The finders make a loader per spec, so this wraps the loading of this one module only.
            run = spec.loader.exec_module

            def exec_module(module):
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                run(module)
                _register(module)

            spec.loader.exec_module = exec_module
        return spec


def _register(keras):
    registry = keras.saving.get_custom_objects()
    for name, subpackage in CLASSES.items():
        registry.setdefault(f"{PACKAGE}>{name}", _stand_in(name, subpackage))


def _stand_in(name, subpackage):
    """A class with only `from_config`, which is all Keras' deserialization asks of a registered class."""

    def from_config(cls, config):
        return getattr(importlib.import_module(f"{PACKAGE}.{subpackage}"), name).from_config(config)

    doc = f"Stand-in for keras_mf.{subpackage}.{name} until that module is imported (see keras_mf._registration)."
    return type(name, (), {"__doc__": doc, "__module__": __name__, "from_config": classmethod(from_config)})
