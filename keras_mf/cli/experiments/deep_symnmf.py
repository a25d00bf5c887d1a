"""The deep SymNMF clustering experiment behind `keras-mf-deep-cluster`: pretraining the autoencoder (on randomly
shifted and rotated copies of the images), clustering its codes (neighbour layouts, k-means / Gaussian-mixture /
spectral partitions refined by SymNMF, the one of largest modularity kept) and, for images of at least 16×16,
self-training a small CNN on the surest points of each cluster. Each phase is logged for TensorBoard and
checkpointed, so that a run resumes per phase.

The model is `keras_mf.models.DeepSymNMF` and the clustering `keras_mf.cluster.cluster_codes`; this module is the
resumable experiment around them.

References:
    McConville, R., Santos-Rodriguez, R., Piechocki, R. J. & Craddock, I. (2021). N2D: (Not Too) Deep
    Clustering via Clustering the Local Manifold of an Autoencoded Embedding. ICPR 2020.
    https://arxiv.org/abs/1908.05968
    Van Gansbeke, W., Vandenhende, S., Georgoulis, S., Proesmans, M. & Van Gool, L. (2020). SCAN: Learning to
    Classify Images without Labels. ECCV 2020 (self-labelling on the confident points, with augmentation).
    https://arxiv.org/abs/2005.12320
"""

import contextlib
import io
import math
import os
import time

import keras
import numpy as np
import scipy.sparse

from keras_mf._validation import check_choice
from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int
from keras_mf._validation import invalid_value
from keras_mf.cli.experiments.classifier import cnn_classifier
from keras_mf.cluster.metrics import clustering_accuracy
from keras_mf.cluster.metrics import normalized_mutual_info
from keras_mf.cluster.selection import confident_points
from keras_mf.exceptions import ClusteringError
from keras_mf.layers.random_affine import RandomAffine
from keras_mf.layers.random_affine import check_image_shape
from keras_mf.models.batches import AugmentedBatches
from keras_mf.models.deep_symnmf import DeepSymNMF
from keras_mf.training.callbacks import standard_callbacks
from keras_mf.training.files import atomic_save_model
from keras_mf.training.files import atomic_write_bytes
from keras_mf.training.progress import phase
from keras_mf.training.summaries import write_scalars

# Augmentation: shifts of up to 7% of the side (2 pixels of MNIST's 28) and rotations of up to 10°, moves that keep
# a handwritten digit or a garment what it is.
MAX_SHIFT = 0.07
MAX_ROTATION = 10.0
# Self-training: the CNN needs room for two 3×3 convolutions and two poolings, and below 16×16 (e.g. 8×8 digits)
# an image holds too little for it to learn more than the codes' clusters; it learns from the `SELF_TRAIN_FRACTION`
# of each cluster whose neighbours agree most, in batches of at most 256, for about `SELF_TRAIN_UPDATES` Adam updates
# (10 epochs of 8,000 kept images), within [10, 200] epochs.
SELF_TRAIN_MIN_SIDE = 16
SELF_TRAIN_FRACTION = 0.8
SELF_TRAIN_UPDATES = 300
SELF_TRAIN_EPOCHS = (10, 200)
SELF_TRAIN_BATCH = 256
# What the clustering phase saves in `clusters.npz`, and reads back when the run resumes.
_SAVED = ("labels", "memberships", "chosen", "names", "candidates", "modularity", "layouts", "graph")


class ClusterMetrics(keras.callbacks.Callback):
    """Logs, each epoch, the accuracy and NMI of the model's hard assignments (`predict_labels`, or the argmax of a
    classifier's `predict`) against known labels, for monitoring only: the labels never reach a loss or a choice the
    pipeline makes.

    Args:
        x: inputs `(n, *input_shape)`.
        y: labels `(n,)`.
        logdir: TensorBoard folder; scalars `monitor/accuracy` and `monitor/nmi` go to `<logdir>/monitor`.
        step_offset: added to the epoch, so that several phases draw one curve.
    """

    def __init__(self, x, y, logdir, step_offset=0):
        super().__init__()
        self.x, self.y = x, np.asarray(y)
        self.path = os.path.join(logdir, "monitor")
        self.step_offset = step_offset

    def on_epoch_end(self, epoch, logs=None):
        if hasattr(self.model, "predict_labels"):
            labels = self.model.predict_labels(self.x)
        else:
            labels = np.argmax(self.model.predict(self.x, batch_size=1024, verbose=0), axis=1)
        scores = {
            "monitor/accuracy": clustering_accuracy(self.y, labels),
            "monitor/nmi": normalized_mutual_info(self.y, labels),
        }
        write_scalars(self.path, scores, self.step_offset + epoch)


def run_deep_symnmf(
    x,
    n_clusters=10,
    *,
    image_shape=None,
    augment="auto",
    hidden_units=None,
    pretrain_epochs=None,
    batch_size=None,
    layouts=3,
    layout_neighbors=None,
    layout_steps=None,
    graph_neighbors=None,
    self_train="auto",
    self_train_epochs=None,
    seed=0,
    logdir=None,
    y_monitor=None,
    verbose=0,
):
    """The whole pipeline: pretrain the autoencoder d–w–w–4w–k, cluster its codes (`keras_mf.cluster.cluster_codes`),
    then self-train a CNN on the surest points of each cluster and label every point by it.

    Defaults that adapt to the data (None or "auto"):
      - `image_shape`: x's own shape when x is `(n, height, width[, channels])`; flat `(n, d)` inputs are plain
        vectors unless `image_shape` says otherwise.
      - `augment`: on for images: each batch is shifted by up to 7% of the side and rotated by up to 10°
        (`RandomAffine`), and the autoencoder reconstructs the moved image; off for plain vectors.
      - `hidden_units`: (w, w, 4w), w = min(500, max(64, d)) (`default_hidden_units`); the code has k units.
      - `batch_size`, `pretrain_epochs`: min(256, n) and about 2,000 updates (`pretrain_schedule`).
      - `layout_neighbors` min(20, n − 1), `graph_neighbors` min(30, n − 1), `layout_steps` about 90 passes over
        the codes' graph's edges (`layout_schedule`).
      - `self_train`: on for images of at least 16×16: a CNN (`cnn_classifier`) trained for about 300 updates in
        batches of min(256, kept) (`self_train_epochs`: 10 at n = 10,000, within [10, 200]), on augmented batches,
        on the 80% of each cluster whose neighbours in the codes' graph agree most with it
        (`confident_points`); its argmax labels every point. Off for smaller images and for vectors.

    With `logdir`, each phase writes TensorBoard logs there (`pretrain/`, `self_train/`, `monitor/`) and a
    checkpoint (`pretrained.keras`, `clusters.npz`, `self_trained.keras` with `self_trained.npz`), each written
    atomically; a run called again with the same `logdir` skips the phases whose checkpoint exists, and Keras'
    BackupAndRestore resumes an interrupted training phase. `y_monitor` (labels) is only logged against.
    With `verbose`, each long phase prints its name and then its elapsed time.

    Returns:
        dict: `model` (the `DeepSymNMF`), `classifier` (the self-trained CNN or None), `labels` (the final
        partition), `clustering` (`cluster_codes`' dict: candidates, modularity, chosen, graph, layouts), `codes`,
        `stages` (list of `(name, labels, seconds since the start)`), `phases` ({phase: (wall s, CPU s)}) and
        `seconds`.

    Raises:
        ValueError: naming `x` (fewer than 3 examples, NaN/inf), `image_shape` (not matching x's features),
            `n_clusters` (more than the distinct examples), `augment` or `self_train` ("on" for inputs that cannot
            take it), or another argument out of range.
    """
    x, image_shape = _check_inputs(x, image_shape)
    n_clusters = _check_clusters(x, n_clusters)
    augment = _resolve_switch("augment", augment, image_shape is not None, "images (x of shape (n, h, w[, c]))")
    big_enough = image_shape is not None and min(image_shape[:2]) >= SELF_TRAIN_MIN_SIDE
    self_train = _resolve_switch("self_train", self_train, big_enough, f"images of at least {SELF_TRAIN_MIN_SIDE}²")
    self_train_epochs = check_optional_int("self_train_epochs", self_train_epochs, 1)
    check_int("layouts", layouts, 1)
    for name, value, low in (("layout_neighbors", layout_neighbors, 2), ("graph_neighbors", graph_neighbors, 1)):
        check_optional_int(name, value, low)
    check_optional_int("layout_steps", layout_steps, 1)
    run = _PipelineRun(x, logdir, y_monitor, verbose, seed)
    model = run.pretrained(
        lambda: DeepSymNMF((x.shape[1],), n_clusters, hidden_units=hidden_units),
        epochs=pretrain_epochs,
        batch_size=batch_size,
        augment=_augmentation(image_shape, seed) if augment else None,
    )
    codes = model.predict_codes(x)
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("Pretraining diverged: the codes hold NaN/inf.")
    clustering = run.clusters(
        model,
        layouts=layouts,
        layout_neighbors=layout_neighbors,
        layout_steps=layout_steps,
        graph_neighbors=graph_neighbors,
        seed=seed,
    )
    labels, classifier = clustering["labels"], None
    if self_train:
        classifier, labels = run.self_trained(clustering, image_shape, n_clusters, self_train_epochs)
    return {
        "model": model,
        "classifier": classifier,
        "labels": labels,
        "clustering": clustering,
        "codes": codes,
        "stages": run.stages,
        "phases": run.phases,
        "seconds": time.perf_counter() - run.start,
    }


def _check_inputs(x, image_shape):
    """`(x as float32 (n, d), image shape (h, w, c) or None)`."""
    x = np.asarray(x, np.float32)
    if x.ndim < 2 or x.ndim > 4 or len(x) < 3:
        raise invalid_value("x", "an array of at least 3 examples, shape (n, d) or (n, h, w[, c])", f"shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise invalid_value("x", "finite values", "NaN or inf entries")
    if x.ndim > 2:
        own = check_image_shape("x", x.shape[1:])
        if image_shape is not None and check_image_shape("image_shape", image_shape) != own:
            raise invalid_value("image_shape", f"None or x's image shape {x.shape[1:]}", image_shape)
        image_shape = own
    elif image_shape is not None:
        image_shape = check_image_shape("image_shape", image_shape)
        if math.prod(image_shape) != x.shape[1]:
            raise invalid_value("image_shape", f"a shape of {x.shape[1]} values, as x has", image_shape)
    return x.reshape(len(x), -1), image_shape


def _check_clusters(x, n_clusters):
    n_clusters = check_int("n_clusters", n_clusters, 2)
    distinct = len(np.unique(x, axis=0))
    if n_clusters > distinct:
        raise invalid_value("n_clusters", f"at most the number of distinct examples of x ({distinct})", n_clusters)
    return n_clusters


def _resolve_switch(name, value, possible, needs):
    """ "auto" → whether `possible`; "on" where it is not possible is an error naming `name`."""
    check_choice(name, value, ("auto", "on", "off"))
    if value == "on" and not possible:
        raise invalid_value(name, f"'auto' or 'off' for these inputs ('on' needs {needs})", value)
    return possible if value == "auto" else value == "on"


def _augmentation(image_shape, seed):
    return RandomAffine(image_shape, max_shift=MAX_SHIFT, max_rotation=MAX_ROTATION, seed=seed)


class _PipelineRun:
    """One run's phases, their checkpoints under `logdir` (none without one), the stages they record and their
    times."""

    def __init__(self, x, logdir, y_monitor, verbose, seed):
        self.x, self.logdir, self.y_monitor, self.verbose, self.seed = x, logdir, y_monitor, verbose, seed
        self.start = time.perf_counter()
        self.stages, self.phases = [], {}

    def path(self, name):
        return os.path.join(self.logdir, name) if self.logdir else None

    def exists(self, *names):
        return bool(self.logdir) and all(os.path.exists(self.path(name)) for name in names)

    @contextlib.contextmanager
    def phase(self, name):
        """Times a phase (wall and CPU seconds, in `phases`); with `verbose`, prints its start and elapsed time
        (`keras_mf.training.progress.phase`, which also names it in the line a Ctrl-C prints)."""
        wall, cpu = time.perf_counter(), time.process_time()
        with phase(name, bool(self.verbose)):
            yield
            self.phases[name] = (time.perf_counter() - wall, time.process_time() - cpu)

    def callbacks(self, phase):
        if not self.logdir:
            return []
        monitor = [ClusterMetrics(self.x, self.y_monitor, self.logdir)] if self.y_monitor is not None else []
        return standard_callbacks(self.path(phase)) + (monitor if phase != "pretrain" else [])

    def pretrained(self, build, epochs, batch_size, augment):
        """The pretrained model: read back from `pretrained.keras`, or built by `build()` and pretrained."""
        if self.exists("pretrained.keras"):
            return keras.saving.load_model(self.path("pretrained.keras"))
        keras.utils.set_random_seed(self.seed)
        model = build()
        with self.phase("pretraining the autoencoder"):
            history = model.pretrain(
                self.x,
                epochs=epochs,
                batch_size=batch_size,
                augment=augment,
                seed=self.seed,
                callbacks=self.callbacks("pretrain"),
                verbose=self.verbose,
            )
        if not np.all(np.isfinite(history.history.get("loss", []))):
            raise ClusteringError("Pretraining diverged: the reconstruction loss became NaN/inf; check `x`.")
        if self.logdir:
            atomic_save_model(model, self.path("pretrained.keras"))
        return model

    def clusters(self, model, **kwargs):
        """`model.cluster(x, **kwargs)`, or the clustering saved by an earlier run (the centres are set again from
        its memberships); recorded as a stage."""
        if self.exists("clusters.npz"):
            result = _load_clustering(self.path("clusters.npz"))
            model.set_centers(model.predict_codes(self.x), result["memberships"])
        else:
            result = model.cluster(self.x, phase=self.phase, **kwargs)
            if self.logdir:
                atomic_write_bytes(self.path("clusters.npz"), _clustering_bytes(result))
        self._monitor("clustering", result["labels"], 0)
        name = f"largest modularity: {result['names'][result['chosen']]}"
        self.stages.append((name, result["labels"], time.perf_counter() - self.start))
        return result

    def self_trained(self, clustering, image_shape, n_clusters, epochs):
        """`(classifier, labels)`: the CNN trained on the surest points of each cluster and its argmax labels, or
        both read back from `self_trained.keras` and `self_trained.npz`."""
        if self.exists("self_trained.keras", "self_trained.npz"):
            classifier = keras.saving.load_model(self.path("self_trained.keras"))
            labels = np.load(self.path("self_trained.npz"))["labels"]
        else:
            with self.phase("self-training a CNN on the surest points of each cluster"):
                classifier, labels = self._self_train(clustering, image_shape, n_clusters, epochs)
            if self.logdir:
                atomic_save_model(classifier, self.path("self_trained.keras"))
                buffer = io.BytesIO()
                np.savez(buffer, labels=labels)
                atomic_write_bytes(self.path("self_trained.npz"), buffer.getvalue())
        self._monitor("self_training", labels, 1)
        self.stages.append(("self-trained CNN", labels, time.perf_counter() - self.start))
        return classifier, labels

    def _self_train(self, clustering, image_shape, n_clusters, epochs):
        keep = confident_points(clustering["graph"], clustering["labels"], SELF_TRAIN_FRACTION)
        keras.utils.set_random_seed(self.seed)
        classifier = cnn_classifier(image_shape, n_clusters)
        batch = min(SELF_TRAIN_BATCH, int(keep.sum()))
        if epochs is None:
            low, high = SELF_TRAIN_EPOCHS
            epochs = min(high, max(low, math.ceil(SELF_TRAIN_UPDATES / math.ceil(int(keep.sum()) / batch))))
        batches = AugmentedBatches(
            self.x[keep],
            _augmentation(image_shape, self.seed),
            y=clustering["labels"][keep],
            batch_size=batch,
            seed=self.seed,
        )
        classifier.fit(batches, epochs=epochs, callbacks=self.callbacks("self_train"), verbose=self.verbose)
        labels = np.argmax(classifier.predict(self.x, batch_size=1024, verbose=0), axis=1)
        return classifier, labels

    def _monitor(self, tag, labels, step):
        if self.logdir and self.y_monitor is not None:
            scores = {
                f"{tag}/accuracy": clustering_accuracy(self.y_monitor, labels),
                f"{tag}/nmi": normalized_mutual_info(self.y_monitor, labels),
            }
            write_scalars(self.path("monitor"), scores, step)


def _clustering_bytes(result):
    """`cluster_codes`' result as the bytes of an npz file (the graph as scipy's CSR arrays)."""
    from keras_mf.cluster.selection import as_csr

    graph = as_csr(result["graph"])
    arrays = {key: result[key] for key in _SAVED if key not in ("graph", "layouts")}
    arrays.update(layouts=np.stack(result["layouts"]), graph_data=graph.data, graph_indices=graph.indices)
    arrays.update(graph_indptr=graph.indptr, graph_shape=np.array(graph.shape))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _load_clustering(path):
    saved = np.load(path)
    result = {key: saved[key] for key in _SAVED if key not in ("graph", "layouts")}
    result["graph"] = scipy.sparse.csr_matrix(
        (saved["graph_data"], saved["graph_indices"], saved["graph_indptr"]), shape=tuple(saved["graph_shape"])
    )
    result["layouts"] = list(saved["layouts"])
    result["chosen"] = int(result["chosen"])
    result["names"] = [str(name) for name in result["names"]]
    return result
