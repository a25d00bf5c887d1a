"""keras_mf.training.progress and RunProgress: phase lines, the one line a Ctrl-C prints (exit 130), and a resumed
run that says where it resumes and reports the whole run's time."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from paths import ROOT  # noqa: E402
from tensorboard_events import read_events

from keras_mf.training import progress


def test_phase_prints_its_name_then_its_elapsed_time(capsys, monkeypatch):
    clock = iter([10.0, 12.25])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    with progress.phase("layout of the codes"):
        print("inside")
    assert capsys.readouterr().out.splitlines() == ["layout of the codes ...", "inside", "layout of the codes: 2.2 s"]


@pytest.mark.parametrize(
    "resumable, epoch, phases, line",
    [
        (True, (3, 30), [], "interrupted at epoch 3 of 30; re-run with the same --logdir to resume (runs/x)"),
        (True, (2, 5), ["fine-tuning round 1 of 2"], "interrupted at epoch 2 of 5 in fine-tuning round 1 of 2; re-run"),
        (False, None, ["spectral clustering"], "interrupted in spectral clustering"),
    ],
)
def test_interrupted_line_says_where_and_how_to_resume(resumable, epoch, phases, line):
    progress.begin_run("runs/x", resumable)
    progress.set_epoch(*(epoch or (None, None)))
    progress._RUN["phases"][:] = phases
    try:
        assert progress.interrupted_line().startswith(line)
        assert ("re-run" in progress.interrupted_line()) == resumable
    finally:
        progress._RUN["phases"].clear()
        progress.begin_run(None, False)


def test_run_command_turns_a_ctrl_c_into_one_line_and_status_130(capsys):
    progress.begin_run("runs/x", True)

    def run(argv):
        with progress.phase("training"):
            raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stop:
        progress.run_command(run, [])
    assert stop.value.code == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["interrupted in training; re-run with the same --logdir to resume (runs/x)"]
    progress.begin_run(None, False)


@pytest.fixture
def ctrl_c_delivered(monkeypatch):
    """SIGINT with Python's own handler, as in a terminal (a worker process may have it ignored); restored after."""
    monkeypatch.setattr(progress, "_RUN", dict(progress._RUN, phases=[]))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_ctrl_c_during_fit_stops_training_at_the_end_of_the_step(ctrl_c_delivered, tmp_path, capsys):
    """A Ctrl-C that lands while `fit` starts an epoch (where TensorFlow creates the epoch's tf.data iterator, and a
    KeyboardInterrupt there can corrupt the heap) is held back: it stops training after that epoch's first step."""
    import keras
    import numpy as np

    from keras_mf.training import RunProgress

    seen = []

    class CtrlCAtEpoch2(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)
                seen.append("after the Ctrl-C")  # a KeyboardInterrupt raised at once would skip this line

        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    def run(argv):
        progress.begin_run(str(tmp_path), True)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        callbacks = [CtrlCAtEpoch2(), RunProgress(str(tmp_path / "backup"))]
        model.fit(np.ones((8, 2)), np.ones(8), batch_size=2, epochs=3, callbacks=callbacks, verbose=0)
        seen.append("fit returned")

    with pytest.raises(SystemExit) as stop:
        progress.run_command(run, [])
    assert stop.value.code == 130
    assert seen == [0, 1, 2, 3, "after the Ctrl-C", 0]  # epoch 1's four steps, then one step of epoch 2
    assert capsys.readouterr().err.strip().startswith("interrupted at epoch 2 of 3; re-run")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # run_command gave SIGINT back


def test_a_second_ctrl_c_stops_at_once(ctrl_c_delivered):
    seen = []

    def run(argv):
        progress.defer_interrupts(True)  # as during fit
        os.kill(os.getpid(), signal.SIGINT)
        seen.append("held back")
        os.kill(os.getpid(), signal.SIGINT)
        seen.append("not reached")

    with pytest.raises(SystemExit) as stop:
        progress.run_command(run, [])
    assert stop.value.code == 130 and seen == ["held back"]
    assert progress._RUN["deferring"] is False and progress._RUN["pending"] is False


def test_outside_fit_a_ctrl_c_stops_at_once(ctrl_c_delivered):
    seen = []

    def run(argv):
        os.kill(os.getpid(), signal.SIGINT)
        seen.append("not reached")

    with pytest.raises(SystemExit):
        progress.run_command(run, [])
    assert seen == []


def test_an_ignored_sigint_stays_ignored(ctrl_c_delivered):
    """Under `nohup` or `cmd &` SIGINT is ignored; run_command leaves it so rather than make the command stoppable."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    progress.run_command(lambda argv: os.kill(os.getpid(), signal.SIGINT), [])
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


# Three epochs of 125 steps (1000 images, batch 8): the SIGINT is sent as soon as "Epoch 2/3" is read, and what is
# left to train then (two epochs, about half a second on a quiet core) is far longer than the pipe read and kill that
# separate them (milliseconds, even on a loaded machine), so it always lands in training, after epoch 1's backup.
def _argv(logdir):
    return ["--epochs", "3", "--data", "bundled", "--hidden-units", "8", "--latent-dim", "2",
            "--train-split", "test[:1000]", "--eval-split", "test[2000:2064]", "--batch-size", "8",
            "--logdir", str(logdir)]  # fmt: skip


def _start(logdir):
    env = dict(os.environ, PYTHONPATH=ROOT, KERAS_MF_OFFLINE="1", PYTHONUNBUFFERED="1")
    # pytest started in the background of a non-interactive shell (`pytest &`) has SIGINT ignored, and a child would
    # inherit that and never see the Ctrl-C: the command starts with SIGINT's default action, as from a terminal.
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "scripts", "train_autoencoder.py"), *_argv(logdir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
def test_ctrl_c_then_resume_end_to_end(tmp_path, capsys):
    """A real SIGINT to the command during epoch 2: one line, status 130, the backup kept; the re-run (in this
    process) says where it resumes, trains the remaining epochs only, its time covers the whole run and its loss
    curve continues the interrupted one."""
    logdir = tmp_path / "run"
    process = _start(logdir)
    for line in process.stdout:
        if line.startswith("Epoch 2/3"):  # epoch 1 is backed up before this line is printed
            process.send_signal(signal.SIGINT)
            break
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    last = err.strip().splitlines()[-1]
    match = re.fullmatch(r"interrupted at epoch (\d) of 3; re-run with the same --logdir to resume \((.*)\)", last)
    assert match and match.group(2) == str(logdir), err[-2000:]
    assert "Traceback" not in err
    interrupted_at = int(match.group(1))
    assert os.path.isdir(logdir / "backup")

    from keras_mf.cli import train_autoencoder

    capsys.readouterr()
    start = time.perf_counter()
    try:
        result = train_autoencoder.run(_argv(logdir))
    finally:
        progress.begin_run(None, False)
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    line = re.search(r"resuming from epoch (\d) of 3 \((\d) done in ([\d.]+) s", out)
    assert line and int(line.group(1)) in (interrupted_at, interrupted_at + 1), out
    done, before = int(line.group(2)), float(line.group(3))
    assert int(line.group(1)) == done + 1 and done >= 1
    assert out.count("Epoch ") == 3 - done  # only the remaining epochs were trained
    # The whole run's time: what the interrupted process trained (as printed, to 0.1 s) and this process's training,
    # which is part of the time this call took.
    assert before < result["seconds"] < before + 0.05 + elapsed
    wall = float(re.search(r"^AE 784-8-2\s+\S+\s+\S+\s+\S+\s+\S+\s+([\d.]+)$", out, re.M).group(1))
    assert wall == round(result["seconds"], 1) and wall > before
    assert not os.path.exists(logdir / "backup")
    # The loss curve goes on where the interrupted run left it, one point per epoch (an epoch trained again after
    # the interruption writes its point again): a re-run counting from 0 would leave out step 2.
    steps = {event.step for event in read_events(os.path.join(logdir, "train")).Tensors("epoch_loss")}
    assert steps == {0, 1, 2}
