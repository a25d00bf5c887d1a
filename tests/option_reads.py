"""Which of a command's options its run reads: `record_option_reads(monkeypatch)` makes every parsed argument
namespace record the attributes read from it, wherever that happens (the command's module or a shared function
it passes `args` to)."""

import argparse


class _RecordingNamespace(argparse.Namespace):
    def __getattribute__(self, name):
        if not name.startswith("_"):
            object.__getattribute__(self, "_reads").add(name)
        return object.__getattribute__(self, name)


def record_option_reads(monkeypatch):
    """Returns the set that collects the names read from every namespace `ArgumentParser.parse_args` returns from
    now on (until `monkeypatch` undoes it)."""
    reads = set()
    parse_args = argparse.ArgumentParser.parse_args

    def recording(self, args=None, namespace=None):
        namespace = _RecordingNamespace() if namespace is None else namespace
        object.__setattr__(namespace, "_reads", reads)
        return parse_args(self, args, namespace)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", recording)
    return reads


def unread_options(module, reads, exempt=()):
    """The `--flags` of `module.build_parser()` whose destination was never read, less `exempt` destinations."""
    return sorted(
        action.option_strings[0]
        for action in module.build_parser()._actions
        if action.dest not in ("help", "version", *exempt) and action.dest not in reads
    )
