"""What a command shows while it works and when it stops: phase lines with their elapsed time, the one line a
Ctrl-C prints, and the files a run wrote. No TensorFlow here.

    with phase("layout of the codes"):
        ...                      # prints "layout of the codes ..." and then "layout of the codes: 41.2 s"
"""

import contextlib
import os
import signal
import sys
import threading
import time

# Where the running command is, for the line a Ctrl-C prints: its run folder, whether re-running with the same
# --logdir resumes it, the phases it is inside and the epoch being trained (set by `RunProgress`); and, for a Ctrl-C
# during `fit`, whether one is held back until the end of the training step (`defer_interrupts`) and has come.
_RUN = {
    "logdir": None,
    "resumable": False,
    "phases": [],
    "epoch": None,
    "stopped_in": None,
    "deferring": False,
    "pending": False,
}


def begin_run(logdir, resumable):
    """Records the command's run folder and whether re-running into it resumes (see `interrupted_line`); the phases
    it runs inside (another command's, e.g. `make_figures` training autoencoders) stay.

    Args:
        logdir: str or None, the run folder.
        resumable: bool, whether re-running with the same `--logdir` resumes the run.

    Example:
        >>> from keras_mf.training.progress import begin_run, interrupted_line
        >>> begin_run("runs/demo/1", resumable=True)
        >>> interrupted_line()
        'interrupted; re-run with the same --logdir to resume (runs/demo/1)'
        >>> begin_run(None, resumable=False)
    """
    _RUN.update(logdir=logdir, resumable=bool(resumable), epoch=None, stopped_in=None)


def set_epoch(epoch, epochs):
    """Records the epoch being trained, for `interrupted_line` (`RunProgress` calls it).

    Args:
        epoch: int, 1-based, or None when training ends.
        epochs: int or None, the number of epochs of the fit.

    Example:
        >>> from keras_mf.training.progress import begin_run, interrupted_line, set_epoch
        >>> begin_run(None, resumable=False)
        >>> set_epoch(3, 10)
        >>> interrupted_line()
        'interrupted at epoch 3 of 10'
        >>> set_epoch(None, None)
    """
    _RUN["epoch"] = None if epoch is None else (epoch, epochs)


def phase(name, enabled=True):
    """A context manager that prints `name ...` when a phase starts and `name: <seconds> s` when it ends, so that no
    step longer than a few seconds runs silently (nothing when `enabled` is False, e.g. a library call with
    `verbose=False`). The phase names the Ctrl-C line (`interrupted_line`).

    Args:
        name: str, what the phase does.
        enabled: bool, print the lines.

    Returns:
        A context manager; an exception leaving it propagates (and names this phase in `interrupted_line`).

    Example:
        >>> from keras_mf.training import phase
        >>> with phase("demo"):
        ...     pass
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
    """The one line a Ctrl-C prints: where the command was, and how to resume when re-running resumes.

    Returns:
        str, "interrupted", then the epoch ("at epoch 3 of 10") and the phase ("in layout of the codes") when
        known, then "; re-run with the same --logdir to resume (<logdir>)" for a resumable run.

    Example:
        >>> from keras_mf.training.progress import begin_run, interrupted_line
        >>> begin_run(None, resumable=False)           # a fresh command: no epoch, no phase
        >>> interrupted_line()
        'interrupted'
    """
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
    traceback and exits with status 130 (128 + SIGINT, as a shell reports it).

    During a Keras `fit` with a `RunProgress` callback (`standard_callbacks` has one), a Ctrl-C stops training at
    the end of the current step rather than where it lands (see `defer_interrupts`); a second one stops at once.

    Args:
        run: the command's `run` function, called with `argv`.
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: status 130 after a KeyboardInterrupt; `run`'s own SystemExit (argparse's status 2) passes.

    Example:
        >>> from keras_mf.training import run_command
        >>> def run(argv):
        ...     raise KeyboardInterrupt
        >>> run_command(run, [])
        Traceback (most recent call last):
        ...
        SystemExit: 130
    """
    previous = _take_over_ctrl_c()
    try:
        run(argv)
    except KeyboardInterrupt:
        print(f"\n{interrupted_line()}", file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    finally:
        _RUN.update(deferring=False, pending=False)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def defer_interrupts(enabled):
    """Holds a Ctrl-C back, while `enabled`, until `raise_deferred_interrupt` is called (`RunProgress` does, after
    every training and validation step and epoch). Only under `run_command`; elsewhere a Ctrl-C is Python's own.

    Why: a KeyboardInterrupt raised while TensorFlow creates a `tf.data` iterator (as `fit` does at the start of
    every epoch) can corrupt the heap, and the process dies with SIGABRT or SIGSEGV, or TensorFlow swallows it and
    training goes on. A second Ctrl-C, for a step that never ends, stops at once.

    Args:
        enabled: bool, hold Ctrl-C back (True when training begins, False when it ends).

    Example:
        >>> from keras_mf.training.progress import defer_interrupts, raise_deferred_interrupt
        >>> defer_interrupts(True)
        >>> raise_deferred_interrupt()             # no Ctrl-C came: nothing happens
        >>> defer_interrupts(False)
    """
    _RUN["deferring"] = bool(enabled)


def raise_deferred_interrupt():
    """Raises the KeyboardInterrupt that `defer_interrupts` held back, if a Ctrl-C came; otherwise does nothing.

    Raises:
        KeyboardInterrupt: a Ctrl-C came while interrupts were deferred.

    Example:
        >>> from keras_mf.training.progress import raise_deferred_interrupt
        >>> raise_deferred_interrupt()             # outside a command, or no Ctrl-C held back: nothing happens
    """
    if _RUN["pending"]:
        _RUN.update(deferring=False, pending=False)
        raise KeyboardInterrupt


def _take_over_ctrl_c():
    """Installs `_on_ctrl_c` for SIGINT and returns the handler it replaced, or None where it leaves SIGINT alone:
    outside the main thread, where SIGINT is ignored (`nohup`, `cmd &`) or where the caller installed its own."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return None
    return signal.signal(signal.SIGINT, _on_ctrl_c)


def _on_ctrl_c(signum, frame):
    if _RUN["deferring"] and not _RUN["pending"]:
        _RUN["pending"] = True
        return
    _RUN.update(deferring=False, pending=False)
    raise KeyboardInterrupt


def report_outputs(logdir, files):
    """Prints the files a run wrote and the command that opens its logs.

    Args:
        logdir: str, the run folder.
        files: `{path: what it is}`, in the order to print.

    Example:
        >>> from keras_mf.training import report_outputs
        >>> report_outputs("runs/demo/1", {"runs/demo/1/model.keras": "the trained model"})
        <BLANKLINE>
        wrote:
          runs/demo/1/model.keras  the trained model
        view:  tensorboard --logdir runs/demo/1
    """
    width = max(len(path) for path in files) if files else 0
    print("\nwrote:")
    for path, what in files.items():
        print(f"  {path.ljust(width)}  {what}")
    print(f"view:  tensorboard --logdir {os.path.normpath(logdir)}", flush=True)


def fit_verbosity():
    """Keras' `verbose` for a command's `fit`: a live progress bar on a terminal (1), one line per epoch when the
    output goes to a file or a pipe (2), where the live bar would print a line every 50 ms.

    Returns:
        1 or 2 (int).

    Example:
        >>> from keras_mf.training import fit_verbosity
        >>> fit_verbosity()          # doctest output is not a terminal
        2
    """
    return 1 if sys.stdout.isatty() else 2
