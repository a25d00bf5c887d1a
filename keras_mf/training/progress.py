"""What a command shows while it works and when it stops: phase lines with their elapsed time, the one line a
Ctrl-C prints, and the files a run wrote. No TensorFlow here.

    with phase("layout of the codes"):
        ...                      # prints "layout of the codes ..." and then "layout of the codes: 41.2 s"
"""

import contextlib
import os
import sys
import time

# Where the running command is, for the line a Ctrl-C prints: its run folder, whether re-running with the same
# --logdir resumes it, the phases it is inside and the epoch being trained (set by `EpochProgress`).
_RUN = {"logdir": None, "resumable": False, "phases": [], "epoch": None, "stopped_in": None}


def begin_run(logdir, resumable):
    """Records the command's run folder and whether re-running into it resumes (see `interrupted_line`); the phases
    it runs inside (another command's, e.g. `make_figures` training autoencoders) stay."""
    _RUN.update(logdir=logdir, resumable=bool(resumable), epoch=None, stopped_in=None)


def set_epoch(epoch, epochs):
    """Records the epoch being trained, 1-based (None when training ends)."""
    _RUN["epoch"] = None if epoch is None else (epoch, epochs)


def phase(name, enabled=True):
    """A context manager that prints `name ...` when a phase starts and `name: <seconds> s` when it ends, so that no
    step longer than a few seconds runs silently (nothing when `enabled` is False, e.g. a library call with
    `verbose=False`). The phase names the Ctrl-C line (`interrupted_line`).

    Example:

    >>> with phase("demo"):
    ...     pass  # doctest: +ELLIPSIS
    demo ...
    demo: 0.0 s
    """
    return _phase(name) if enabled else contextlib.nullcontext()


@contextlib.contextmanager
def _phase(name):
    print(f"{name} ...", flush=True)
    _RUN["phases"].append(name)
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        _RUN["stopped_in"] = _RUN["stopped_in"] or name  # the innermost phase an exception left
        raise
    finally:
        _RUN["phases"].pop()
    print(f"{name}: {time.perf_counter() - start:.1f} s", flush=True)


def interrupted_line():
    """The one line a Ctrl-C prints: where the command was, and how to resume when re-running resumes."""
    where = []
    if _RUN["epoch"] is not None:
        where.append("at epoch {} of {}".format(*_RUN["epoch"]))
    phase_name = _RUN["phases"][-1] if _RUN["phases"] else _RUN["stopped_in"]
    if phase_name:
        where.append(f"in {phase_name}")
    line = " ".join(["interrupted", *where])
    if _RUN["resumable"] and _RUN["logdir"]:
        line += f"; re-run with the same --logdir to resume ({_RUN['logdir']})"
    return line


def run_command(run, argv=None):
    """Runs a command's `run(argv)` as its console entry point: a Ctrl-C prints `interrupted_line()` instead of a
    traceback and exits with status 130 (128 + SIGINT, as a shell reports it)."""
    try:
        run(argv)
    except KeyboardInterrupt:
        print(f"\n{interrupted_line()}", file=sys.stderr, flush=True)
        raise SystemExit(130) from None


def report_outputs(logdir, files):
    """Prints the files a run wrote (`{path: what it is}`) and the command that opens its logs."""
    width = max(len(path) for path in files) if files else 0
    print("\nwrote:")
    for path, what in files.items():
        print(f"  {path.ljust(width)}  {what}")
    print(f"view:  tensorboard --logdir {os.path.normpath(logdir)}", flush=True)


def fit_verbosity():
    """Keras' `verbose` for a command's `fit`: a live progress bar on a terminal (1), one line per epoch when the
    output goes to a file or a pipe (2), where the live bar would print a line every 50 ms."""
    return 1 if sys.stdout.isatty() else 2
