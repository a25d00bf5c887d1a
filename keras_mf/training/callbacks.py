"""Callbacks every training script uses: TensorBoard, resumable backups, and a NaN guard."""

import math
import os
import sys

import keras


class NaNGuard(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite loss and says so plainly.

    After `fit` returns, `stopped_at` is `(epoch, batch, loss)` if training was stopped, else None;
    scripts turn it into a non-zero exit.
    """

    def __init__(self):
        super().__init__()
        self.stopped_at = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.stopped_at = (self._epoch, batch, float(loss))
            self.model.stop_training = True
            print(
                f"\nkeras_mf: training stopped: the loss became {float(loss)} at epoch {self._epoch + 1}, "
                f"batch {batch + 1}. Lower the learning rate or check the data for NaN/inf.",
                file=sys.stderr,
            )


def standard_callbacks(logdir, histogram_freq=0):
    """Returns `[TensorBoard, BackupAndRestore, NaNGuard]` writing under `logdir`.

    The backup lives in `<logdir>/backup` and is saved every epoch, so a killed run resumed with the
    same `logdir` loses at most one epoch; Keras deletes it when training completes.
    """
    return [
        keras.callbacks.TensorBoard(log_dir=logdir, histogram_freq=histogram_freq),
        keras.callbacks.BackupAndRestore(backup_dir=os.path.join(logdir, "backup")),
        NaNGuard(),
    ]
