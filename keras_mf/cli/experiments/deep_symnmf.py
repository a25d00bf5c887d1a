"""The deep SymNMF clustering experiment behind `keras-mf-deep-cluster`: pretraining, SymNMF on the layout of the
codes, fine-tuning rounds, each phase logged for TensorBoard and checkpointed so that a run resumes per phase.

The model is `keras_mf.models.DeepSymNMF`; this module is the resumable experiment around it.
"""

import io
import os
import time

import keras
import numpy as np

from keras_mf._validation import check_int
from keras_mf._validation import invalid_value
from keras_mf.cluster.metrics import clustering_accuracy
from keras_mf.cluster.metrics import normalized_mutual_info
from keras_mf.exceptions import ClusteringError
from keras_mf.models.deep_symnmf import DeepSymNMF
from keras_mf.training.callbacks import standard_callbacks
from keras_mf.training.files import atomic_save_model
from keras_mf.training.files import atomic_write_bytes
from keras_mf.training.summaries import write_scalars
from keras_mf.training.summaries import write_series

# What a clustering phase saves in `clusters_<round>.npz`, and reads back when the run resumes.
_SAVED = ("labels", "memberships", "objective", "init_labels", "space")


class ClusterMetrics(keras.callbacks.Callback):
    """Logs, each epoch, the accuracy and NMI of the model's hard assignments against known labels, for monitoring
    only: the labels never reach a loss or a choice the pipeline makes.

    Args:
        x: inputs `(n, *input_shape)`.
        y: labels `(n,)`.
        logdir: TensorBoard folder; scalars `monitor/accuracy` and `monitor/nmi` go to `<logdir>/monitor`.
        step_offset: added to the epoch, so that several fine-tuning rounds draw one curve.
    """

    def __init__(self, x, y, logdir, step_offset=0):
        super().__init__()
        self.x, self.y = x, np.asarray(y)
        self.path = os.path.join(logdir, "monitor")
        self.step_offset = step_offset

    def on_epoch_end(self, epoch, logs=None):
        labels = self.model.predict_labels(self.x)
        scores = {
            "monitor/accuracy": clustering_accuracy(self.y, labels),
            "monitor/nmi": normalized_mutual_info(self.y, labels),
        }
        write_scalars(self.path, scores, self.step_offset + epoch)


def run_deep_symnmf(
    x,
    n_clusters=10,
    *,
    latent_dim=10,
    hidden_units=(500, 500, 2000),
    pretrain_epochs=20,
    batch_size=256,
    layout_steps=10000,
    layout_neighbors=20,
    graph_neighbors=30,
    init="balanced",
    rounds=2,
    finetune_epochs=5,
    finetune_learning_rate=1e-4,
    reconstruction_weight=1.0,
    seed=0,
    logdir=None,
    y_monitor=None,
    verbose=0,
):
    """The whole pipeline: pretrain, SymNMF on the codes' layout graph (started from `init`, see
    `keras_mf.cluster.cluster_codes`), then `rounds` of fine-tuning each followed by SymNMF on the fine-tuned codes'
    graph started from the previous partition.

    With `logdir`, every phase writes TensorBoard logs there (`pretrain/`, `finetune_<r>/`, `symnmf_<r>/`,
    `monitor/`) and a checkpoint (`pretrained.keras`, `clusters_<r>.npz`, `finetuned_<r>.keras`); a run called again
    with the same `logdir` skips the phases whose checkpoint exists, and Keras' BackupAndRestore resumes an
    interrupted phase. `y_monitor` (labels) is only logged against, never used.

    Returns:
        dict: `model`, `labels` (the final partition), `stages` (list of `(name, labels, objective, seconds)`),
        `codes` (pretrained codes), `finetuned_codes`, `layout`, `candidates` (the starts the first clustering
        tried, see `cluster_codes`; empty when read back from an earlier run), `seconds`.
    """
    x = np.asarray(x, np.float32)
    if x.ndim < 2 or len(x) < 2:
        raise invalid_value("x", "an array of at least 2 examples, shape (n, *input_shape)", f"shape {x.shape}")
    n_clusters = check_int("n_clusters", n_clusters, 1, len(x))
    check_int("rounds", rounds, 0)
    run = _PipelineRun(x, logdir, y_monitor, verbose)
    model = run.pretrained(
        lambda: DeepSymNMF(x.shape[1:], n_clusters, latent_dim=latent_dim, hidden_units=hidden_units),
        epochs=pretrain_epochs,
        batch_size=batch_size,
    )
    codes = model.predict_codes(x)
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("Pretraining diverged: the codes hold NaN/inf.")
    result = run.clusters(
        model,
        0,
        layout_steps=layout_steps,
        layout_neighbors=layout_neighbors,
        graph_neighbors=graph_neighbors,
        init=init,
        seed=seed,
    )
    layout, candidates = result.get("space"), result.get("candidates", [])
    for r in range(1, rounds + 1):
        model, result = run.fine_tuned_round(
            model,
            r,
            result,
            epochs=finetune_epochs,
            batch_size=batch_size,
            learning_rate=finetune_learning_rate,
            reconstruction_weight=reconstruction_weight,
            graph_neighbors=graph_neighbors,
            seed=seed,
        )
    return {
        "model": model,
        "labels": result["labels"],
        "stages": run.stages,
        "codes": codes,
        "finetuned_codes": model.predict_codes(x),
        "layout": layout,
        "candidates": candidates,
        "seconds": time.perf_counter() - run.start,
    }


class _PipelineRun:
    """One run's phases, their checkpoints under `logdir` (none without one) and the stages they record."""

    def __init__(self, x, logdir, y_monitor, verbose):
        self.x, self.logdir, self.y_monitor, self.verbose = x, logdir, y_monitor, verbose
        self.start = time.perf_counter()
        self.stages = []

    def path(self, name):
        return os.path.join(self.logdir, name) if self.logdir else None

    def exists(self, *names):
        return bool(self.logdir) and all(os.path.exists(self.path(name)) for name in names)

    def callbacks(self, phase, offset=0):
        if not self.logdir:
            return []
        monitor = self.y_monitor is not None and phase != "pretrain"
        extra = [ClusterMetrics(self.x, self.y_monitor, self.logdir, offset)] if monitor else []
        return standard_callbacks(self.path(phase)) + extra

    def pretrained(self, build, epochs, batch_size):
        """The pretrained model: read back from `pretrained.keras`, or built by `build()` and pretrained."""
        if self.exists("pretrained.keras"):
            return keras.saving.load_model(self.path("pretrained.keras"))
        model = build()
        history = model.pretrain(
            self.x, epochs=epochs, batch_size=batch_size, callbacks=self.callbacks("pretrain"), verbose=self.verbose
        )
        if not np.all(np.isfinite(history.history.get("loss", []))):
            raise ClusteringError("Pretraining diverged: the reconstruction loss became NaN/inf; check `x`.")
        if self.logdir:
            atomic_save_model(model, self.path("pretrained.keras"))
        return model

    def clusters(self, model, r, **kwargs):
        """`model.cluster(x, **kwargs)`, or the partition saved by an earlier run (the centres are set again from its
        memberships); recorded as stage `r`."""
        cache = f"clusters_{r}.npz"
        if self.exists(cache):
            saved = np.load(self.path(cache))
            result = {key: saved[key] for key in _SAVED}
            model.set_centers(model.predict_codes(self.x), result["memberships"])
        else:
            result = model.cluster(self.x, **kwargs)
            self._save(result, r)
        name = "SymNMF on the layout of the codes" if r == 0 else f"SymNMF on fine-tuned codes, round {r}"
        self.stages.append((name, result["labels"], result["objective"], time.perf_counter() - self.start))
        return result

    def fine_tuned_round(self, model, r, previous, *, epochs, batch_size, graph_neighbors, seed, **fine_tune):
        """Fine-tunes toward `previous` memberships and clusters the new codes from `previous` labels; a round whose
        checkpoint and partition exist is read back instead. Returns `(model, result)`."""
        checkpoint = f"finetuned_{r}.keras"
        if self.exists(checkpoint, f"clusters_{r}.npz"):
            model = keras.saving.load_model(self.path(checkpoint))
        else:
            model.fine_tune(
                self.x,
                previous["memberships"],
                epochs=epochs,
                batch_size=batch_size,
                checkpoint=self.path(checkpoint),
                callbacks=self.callbacks(f"finetune_{r}", (r - 1) * epochs),
                verbose=self.verbose,
                **fine_tune,
            )
        result = self.clusters(
            model, r, layout=False, init_labels=previous["labels"], graph_neighbors=graph_neighbors, seed=seed
        )
        return model, result

    def _save(self, result, r):
        if not self.logdir:
            return
        buffer = io.BytesIO()
        np.savez(buffer, **{key: result[key] for key in _SAVED})
        atomic_write_bytes(self.path(f"clusters_{r}.npz"), buffer.getvalue())
        write_series(self.path(f"symnmf_{r}"), "symnmf/objective", result["symnmf"].history_)
        if self.y_monitor is not None:
            scores = {
                "symnmf/accuracy": clustering_accuracy(self.y_monitor, result["labels"]),
                "symnmf/nmi": normalized_mutual_info(self.y_monitor, result["labels"]),
            }
            write_scalars(self.path("monitor"), scores, r)
