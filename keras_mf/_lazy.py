"""Names a package loads on first use (PEP 562), so that importing it loads none of its heavy submodules."""

import importlib
import sys


def lazy_names(package, names):
    """`(__getattr__, __dir__)` for the package `package` serving `{name: submodule}` on first use.

    A name is cached in the package's namespace once loaded, so later lookups cost nothing.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
