"""Callbacks the training scripts use: TensorBoard, resumable backups, a NaN guard, and TensorBoard
images/scalars/histograms specific to each model."""

import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from keras_mf.training import progress
from keras_mf.training.files import atomic_write_text


class NaNGuard(keras.callbacks.TerminateOnNaN):
    """Keras' `TerminateOnNaN` (which stops training at the first NaN or infinite loss), plus where it stopped
    and a plain message on standard error.

    After `fit` returns, `stopped_at` is `(epoch, batch, loss)` (0-based epoch and batch, the loss as a float) if
    training was stopped, else None; scripts turn it into a non-zero exit (`exit_if_stopped`).

    Example:
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.training import NaNGuard
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> guard = NaNGuard()
        >>> _ = model.fit(np.full((4, 1), np.inf), np.zeros(4), batch_size=2, epochs=3, callbacks=[guard], verbose=0)
        Batch 0: Invalid loss, terminating training
        >>> guard.stopped_at          # the first batch of the first epoch, and its loss
        (0, 0, inf)
    """

    def __init__(self):
        super().__init__()
        self.stopped_at = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        stopping = self.model.stop_training
        super().on_batch_end(batch, logs)
        if self.model.stop_training and not stopping:  # TerminateOnNaN stopped it at this batch
            loss = float(logs["loss"])
            self.stopped_at = (self._epoch, batch, loss)
            print(
                f"\nkeras_mf: training stopped: the loss became {loss} at epoch {self._epoch + 1}, "
                f"batch {batch + 1}. Lower the learning rate or check the data for NaN/inf.",
                file=sys.stderr,
            )


def exit_if_stopped(callbacks):
    """Exits the script with a clear message if a `NaNGuard` among `callbacks` stopped training.

    Args:
        callbacks: the callbacks `fit` was given (other kinds are ignored).

    Raises:
        SystemExit: with the message "training stopped: the loss became <loss> at epoch <N>" (exit status 1).

    Example:
        >>> from keras_mf.training import NaNGuard, exit_if_stopped
        >>> guard = NaNGuard()
        >>> exit_if_stopped([guard]) is None          # not stopped: nothing happens
        True
        >>> guard.stopped_at = (2, 5, float("nan"))
        >>> exit_if_stopped([guard])
        Traceback (most recent call last):
        ...
        SystemExit: training stopped: the loss became nan at epoch 3
    """
    for callback in callbacks:
        if isinstance(callback, NaNGuard) and callback.stopped_at is not None:
            epoch, _, loss = callback.stopped_at
            sys.exit(f"training stopped: the loss became {loss} at epoch {epoch + 1}")


def standard_callbacks(logdir, histogram_freq=0):
    """Returns `[TensorBoard, BackupAndRestore, NaNGuard, RunProgress]` writing under `logdir`.

    The backup lives in `<logdir>/backup` and is saved every epoch, so a killed run resumed with the
    same `logdir` loses at most one epoch; Keras deletes it when training completes. The TensorBoard
    callback writes no graph: TensorBoard 2.21 opens a Keras conceptual graph as an op graph and shows
    "Malformed GraphDef"; `keras_mf.training.write_model_graph` writes the trained model's op graph instead.

    Args:
        logdir: str, the run folder.
        histogram_freq: int, epochs between TensorBoard's weight histograms (0: none).

    Returns:
        A list of four `keras.callbacks.Callback` objects, in the order above (the backup restores before
        `RunProgress` reads it).

    Example:
        >>> import tempfile
        >>> from keras_mf.training import standard_callbacks
        >>> [type(c).__name__ for c in standard_callbacks(tempfile.mkdtemp())]
        ['TensorBoard', 'BackupAndRestore', 'NaNGuard', 'RunProgress']
    """
    backup = os.path.join(logdir, "backup")
    return [
        keras.callbacks.TensorBoard(log_dir=logdir, histogram_freq=histogram_freq, write_graph=False),
        keras.callbacks.BackupAndRestore(backup_dir=backup),
        NaNGuard(),
        RunProgress(backup),
    ]


class RunProgress(keras.callbacks.Callback):
    """Says "resuming from epoch N of M" when `BackupAndRestore` resumes a run, keeps the run's training time
    across interruptions (`seconds`), records the epoch being trained for the line a Ctrl-C prints, and, under
    `run_command`, stops training for a Ctrl-C at the end of a step (`keras_mf.training.progress.defer_interrupts`).

    The time so far is saved beside Keras' backup, in `<backup_dir>/keras_mf_seconds.json`, after every epoch;
    Keras deletes the folder with it when training completes.

    Args:
        backup_dir: str, the `BackupAndRestore` folder (placed before this callback, so that it has restored).

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.training import RunProgress
        >>> backup = os.path.join(tempfile.mkdtemp(), "backup")
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> clock = RunProgress(backup)
        >>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=2, callbacks=[clock], verbose=0)
        >>> clock.resumed_from is None, clock.seconds > 0
        (True, True)
    """

    def __init__(self, backup_dir):
        super().__init__()
        self.backup_dir = backup_dir
        self.previous_seconds = 0.0
        self.resumed_from = None
        self.seconds_before_resume = 0.0
        self._start = None

    @property
    def seconds(self):
        """Training time of the whole run in seconds (float), the parts before interruptions included.

        Example:
            >>> from keras_mf.training import RunProgress
            >>> clock = RunProgress("backup")          # nothing is read or written before training begins
            >>> clock.previous_seconds = 12.5          # what an interrupted run had trained for
            >>> clock.seconds
            12.5
        """
        return self.previous_seconds + (time.perf_counter() - self._start if self._start is not None else 0.0)

    def on_train_begin(self, logs=None):
        progress.defer_interrupts(True)
        self._start = time.perf_counter()
        state = _read_json(os.path.join(self.backup_dir, _KERAS_BACKUP_STATE))
        done = int(state.get("epoch", 0))
        if done:
            self.resumed_from = done
            self.previous_seconds = float(_read_json(self._clock_path()).get("seconds", 0.0))
            self.seconds_before_resume = self.previous_seconds
            print(
                f"resuming from epoch {done + 1} of {self.params['epochs']} ({done} done in "
                f"{self.previous_seconds:.1f} s before the interruption; backup in {self.backup_dir})",
                flush=True,
            )

    def on_epoch_begin(self, epoch, logs=None):
        progress.set_epoch(epoch + 1, self.params["epochs"])

    def on_train_batch_end(self, batch, logs=None):
        progress.raise_deferred_interrupt()

    def on_test_batch_end(self, batch, logs=None):
        progress.raise_deferred_interrupt()

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        atomic_write_text(self._clock_path(), json.dumps({"seconds": self.seconds}))
        progress.raise_deferred_interrupt()  # after BackupAndRestore (placed before) and the clock have saved

    def on_train_end(self, logs=None):
        progress.set_epoch(None, None)
        self.previous_seconds, self._start = self.seconds, None
        progress.defer_interrupts(False)
        progress.raise_deferred_interrupt()

    def _clock_path(self):
        return os.path.join(self.backup_dir, "keras_mf_seconds.json")


# The file in which keras.callbacks.BackupAndRestore keeps the number of completed epochs.
_KERAS_BACKUP_STATE = "training_metadata.json"


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def run_seconds(callbacks, before_resume_only=False):
    """The whole run's training time from the `RunProgress` among `callbacks` (parts before a resume included), or
    with `before_resume_only` the part before this process resumed it (0 for a run not resumed).

    Args:
        callbacks: the callbacks `fit` was given; one must be a `RunProgress` (as `standard_callbacks` has).
        before_resume_only: bool, only the time spent before this process resumed the run.

    Returns:
        The time in seconds (float).

    Raises:
        StopIteration: no `RunProgress` among `callbacks`.

    Example:
        >>> import tempfile
        >>> from keras_mf.training import run_seconds, standard_callbacks
        >>> callbacks = standard_callbacks(tempfile.mkdtemp())
        >>> run_seconds(callbacks), run_seconds(callbacks, before_resume_only=True)    # before any fit
        (0.0, 0.0)
    """
    clock = next(c for c in callbacks if isinstance(c, RunProgress))
    return clock.seconds_before_resume if before_resume_only else clock.seconds


class _SummaryCallback(keras.callbacks.Callback):
    """A callback writing TensorBoard summaries under `<logdir>/<subdir>`: its file writer is opened when
    training begins and closed when it ends, so no file handle or writer thread outlives `fit`."""

    def __init__(self, logdir, subdir):
        super().__init__()
        self.path = os.path.join(logdir, subdir)
        self.writer = None

    def on_train_begin(self, logs=None):
        self.writer = tf.summary.create_file_writer(self.path)

    def on_train_end(self, logs=None):
        self.writer.close()
        self.writer = None


class ReconstructionGrid(_SummaryCallback):
    """Writes an image per epoch: `images` on the top row, their reconstructions below.

    The model must map its input to an output of 784 values per example (an autoencoder on MNIST); both rows
    are drawn as 28 × 28 grey-level digits, clipped to [0, 1].

    Args:
        images: `(count, *input_shape)` float examples with 784 pixels each, in [0, 1].
        logdir: str, the TensorBoard folder; the image goes to `<logdir>/images` under tag "reconstructions",
            one `(56, 28·count)` image per epoch.

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.training import ReconstructionGrid
        >>> logdir = tempfile.mkdtemp()
        >>> images = np.random.default_rng(0).random((4, 784), dtype=np.float32)
        >>> model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(784, activation="sigmoid")])
        >>> model.compile("adam", "mse")
        >>> _ = model.fit(images, images, epochs=1, verbose=0, callbacks=[ReconstructionGrid(images, logdir)])
        >>> os.listdir(logdir)
        ['images']
    """

    def __init__(self, images, logdir):
        super().__init__(logdir, "images")
        self.images = np.asarray(images)

    def on_epoch_end(self, epoch, logs=None):
        originals = self.images.reshape(-1, 28, 28)
        reconstructions = np.asarray(self.model(self.images, training=False)).reshape(-1, 28, 28)
        grid = np.concatenate([np.concatenate(list(originals), 1), np.concatenate(list(reconstructions), 1)], 0)
        with self.writer.as_default():
            tf.summary.image("reconstructions", np.clip(grid, 0, 1)[None, :, :, None], step=epoch)
        self.writer.flush()


class ReconstructionError(keras.callbacks.Callback):
    """Logs, each epoch, the model's reconstruction MSE (its loss, `mse`) beside a reference's, e.g. PCA's at the
    same code size: tags `reconstruction_mse/model` and `reconstruction_mse/<reference>` in `<logdir>/train` and
    `<logdir>/validation`, so one chart (`RECONSTRUCTION_LAYOUT`, a custom-scalars layout) draws all four.

    Args:
        reference: str, the reference's name in the tag, e.g. "pca".
        train_mse: float, the reference's MSE on the training data (per entry, in the data's squared units).
        eval_mse: float, the reference's MSE on the validation data.
        logdir: str, the run folder.

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.training import ReconstructionError
        >>> logdir = tempfile.mkdtemp()
        >>> x = np.random.default_rng(0).random((8, 4), dtype=np.float32)
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
        >>> model.compile("sgd", "mse")
        >>> errors = ReconstructionError("pca", 0.05, 0.06, logdir)
        >>> _ = model.fit(x, x, validation_data=(x, x), epochs=1, verbose=0, callbacks=[errors])
        >>> sorted(os.listdir(logdir))
        ['train', 'validation']
    """

    def __init__(self, reference, train_mse, eval_mse, logdir):
        super().__init__()
        self.reference = {"train": float(train_mse), "validation": float(eval_mse)}
        self.tag = f"reconstruction_mse/{reference}"
        self.logdir = logdir
        self.writers = {}

    def on_train_begin(self, logs=None):
        self.writers = {run: tf.summary.create_file_writer(os.path.join(self.logdir, run)) for run in self.reference}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for run, writer in self.writers.items():
            loss = logs.get("loss" if run == "train" else "val_loss")
            with writer.as_default():
                if loss is not None:
                    tf.summary.scalar("reconstruction_mse/model", loss, step=epoch)
                tf.summary.scalar(self.tag, self.reference[run], step=epoch)
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()
        self.writers = {}


class RecurrentSpectrum(_SummaryCallback):
    """Logs the recurrent matrix U's singular values each epoch: a histogram, σ_max, and (with matplotlib)
    a plot of the sorted singular values of every epoch so far.

    σ_max(U) well above 1 warns of exploding gradients, all σ well below 1 of vanishing ones. After
    training, `spectra` holds one `(units,)` array per epoch (for a U of `(m, n)`, min(m, n) values), largest
    first. Written to `<logdir>/train`: histogram "recurrent_kernel/singular_values", scalar
    "recurrent_kernel/max_singular_value" and image "recurrent_kernel/singular_values_by_epoch".

    Args:
        get_matrix: a function of no argument returning U, e.g. `lambda: model.cell.recurrent_kernel`; called at
            each epoch's end.
        logdir: str, the run folder.

    References:
        Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent neural networks.
        Proc. 30th International Conference on Machine Learning (ICML), PMLR 28(3), 1310–1318.
        https://proceedings.mlr.press/v28/pascanu13.html

    Example:
        >>> import tempfile
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.training import RecurrentSpectrum
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
        >>> model.compile("sgd", "mse")
        >>> spectrum = RecurrentSpectrum(lambda: model.layers[0].kernel, tempfile.mkdtemp())
        >>> _ = model.fit(np.ones((2, 3)), np.ones((2, 3)), epochs=2, verbose=0, callbacks=[spectrum])
        >>> len(spectrum.spectra), spectrum.spectra[0].shape
        (2, (3,))
    """

    # Epochs drawn in the plot at most (evenly spaced, first and last included), so its legend stays readable.
    max_curves = 6

    def __init__(self, get_matrix, logdir):
        super().__init__(logdir, "train")
        self.get_matrix = get_matrix
        self.spectra = []
        self._plot = False

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        from keras_mf.training import plots

        self._plot = plots.can_plot("the recurrent singular-value plot")

    def on_epoch_end(self, epoch, logs=None):
        singular_values = tf.linalg.svd(tf.convert_to_tensor(self.get_matrix()), compute_uv=False)
        self.spectra.append(singular_values.numpy())
        with self.writer.as_default():
            tf.summary.histogram("recurrent_kernel/singular_values", singular_values, step=epoch)
            tf.summary.scalar("recurrent_kernel/max_singular_value", singular_values[0], step=epoch)
            if self._plot:
                tf.summary.image("recurrent_kernel/singular_values_by_epoch", self._figure(epoch), step=epoch)
        self.writer.flush()

    def _figure(self, epoch):
        from keras_mf.training import plots

        # The spectra hold this fit's epochs; `epoch` numbers the last of them (a resumed fit starts later).
        first = epoch + 1 - len(self.spectra)
        shown = np.unique(np.linspace(0, len(self.spectra) - 1, self.max_curves).round().astype(int))
        series = {f"epoch {first + i + 1}": (np.arange(1, len(self.spectra[i]) + 1), self.spectra[i]) for i in shown}
        figure = plots.line_figure(series, "index i", "σ_i(U)", "recurrent matrix singular values")
        figure.axes[0].axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        return plots.figure_to_image(figure)


class ResetStateEvery(keras.callbacks.Callback):
    """Calls `model.reset_state()` before every `period`-th training batch (truncated BPTT over chunks).

    With `keras_mf.training.chunked_dataset`, whose consecutive batches are the `chunks` row groups of the same
    images, `period=chunks` carries the hidden state across one image batch's chunks and zeroes it before the
    next image batch; `period=1` zeroes it at every chunk (the control that shows the carried state matters).

    Args:
        period: int ≥ 1, batches between resets (the first batch of each epoch resets too).

    References:
        Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of recurrent
        network trajectories. Neural Computation 2(4), 490–501. https://doi.org/10.1162/neco.1990.2.4.490

    Example:
        >>> import numpy as np
        >>> from keras_mf import StatefulRNN
        >>> from keras_mf.training import ResetStateEvery
        >>> model = StatefulRNN(units=3, output_dim=2, stateful=True, batch_size=2)
        >>> model.build((2, 7, 28))
        >>> _ = model(np.ones((2, 7, 28), np.float32))              # the state now holds the last step
        >>> callback = ResetStateEvery(period=4)
        >>> callback.set_model(model)
        >>> callback.on_train_batch_begin(3)                         # not a multiple of 4: kept
        >>> bool(np.any(np.asarray(model.state) != 0))
        True
        >>> callback.on_train_batch_begin(4)                         # zeroed
        >>> bool(np.any(np.asarray(model.state) != 0))
        False
    """

    def __init__(self, period):
        super().__init__()
        self.period = int(period)

    def on_train_batch_begin(self, batch, logs=None):
        if batch % self.period == 0:
            self.model.reset_state()
