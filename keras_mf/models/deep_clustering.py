"""Deep SymNMF clustering: an autoencoder learns the space, SymNMF partitions a graph of it, and the encoder is
fine-tuned toward SymNMF's memberships.

The pipeline (`DeepSymNMF.pretrain` → `cluster` → `fine_tune` → `cluster`):

1. Pretrain the autoencoder to reconstruct.
2. Lay the codes out in a low-dimensional space where a k-NN graph separates the classes: a fuzzy k-NN graph of
   the codes and a force-directed layout of it (the cross-entropy UMAP minimises, by edge-sampling SGD in
   TensorFlow; N2D's recipe without the umap-learn dependency).
3. Spectral clustering of the layout's k-NN graph and k-means on the layout give two partitions; SymNMF on that
   graph is started from each, and the more balanced result is kept (see `cluster_codes`). SymNMF's
   objective is flat across partitions that merge or split the same pieces differently, so random restarts
   pick among them almost at random (measured: ACC 0.54-0.75 for objectives within 2e-5 of each other); started
   from a partition, it keeps it and turns it into soft memberships H.
4. Fine-tune the encoder with IDEC's loss: KL(P ‖ Q) between Student-t assignments Q of the codes to cluster
   centres and sharpened targets P from H, plus the reconstruction error; then cluster again, SymNMF started
   from the previous partition.
"""

import os
import time

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_mf import graph
from keras_mf._validation import check_choice
from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf._validation import invalid_value
from keras_mf.cluster.kmeans import kmeans
from keras_mf.cluster.metrics import clustering_accuracy
from keras_mf.cluster.metrics import normalized_mutual_info
from keras_mf.factorization import SymNMF
from keras_mf.models.autoencoder import Autoencoder
from keras_mf.training.callbacks import NaNGuard
from keras_mf.training.callbacks import standard_callbacks
from keras_mf.training.files import atomic_save_model

# UMAP's output kernel φ(d) = 1 / (1 + a·d^(2b)) for min_dist = 0, spread = 1 (umap-learn's fitted constants):
# clusters contract to tight clumps, which a k-NN graph of the layout then cuts cleanly.
_LAYOUT_A = 1.929
_LAYOUT_B = 0.7915
_LAYOUT_CLIP = 4.0  # per-coordinate gradient clip of UMAP's SGD
_MIN_EDGE = 1.0 / 500  # edges lighter than this fraction of the heaviest are dropped (UMAP: 1 / n_epochs)


class ClusteringError(RuntimeError):
    """Deep clustering stopped: fine-tuning diverged (NaN) or the partition collapsed into one cluster."""


def fuzzy_knn_graph(x, n_neighbors=20):
    """UMAP's fuzzy k-NN graph: w_ij = exp(−(d_ij − ρ_i) / σ_i), ρ_i the distance to i's nearest neighbour and σ_i
    set so that each row sums to log₂(n_neighbors); symmetrised by the fuzzy union w + wᵀ − w∘wᵀ.

    Args:
        x: points `(n, d)`.
        n_neighbors: neighbours per point, in [2, n − 1].

    Returns:
        `tf.SparseTensor` `(n, n)`, symmetric, zero diagonal, weights in (0, 1].
    """
    x = tf.convert_to_tensor(x, tf.float32)
    n = int(x.shape[0])
    n_neighbors = check_int("n_neighbors", n_neighbors, 2, n - 1)
    distances, indices = graph.nearest_neighbors(x, n_neighbors)
    weights = _fuzzy_weights(tf.cast(distances, tf.float64), tf.constant(np.log2(n_neighbors)))
    rows = tf.repeat(tf.range(n, dtype=tf.int64), n_neighbors)
    cols = tf.cast(tf.reshape(indices, [-1]), tf.int64)
    # Fuzzy union a + b − ab = 1 − (1 − a)(1 − b): sum log(1 − w) over both directions of each edge.
    keys = tf.concat([rows * n + cols, cols * n + rows], 0)
    logs = tf.math.log1p(-tf.minimum(tf.tile(tf.reshape(weights, [-1]), [2]), 1.0 - 1e-7))
    unique, position = tf.unique(keys)
    union = -tf.math.expm1(tf.math.unsorted_segment_sum(logs, position, tf.shape(unique)[0]))
    keep = union >= _MIN_EDGE * tf.reduce_max(union)
    unique, union = tf.boolean_mask(unique, keep), tf.boolean_mask(union, keep)
    indices = tf.stack([unique // n, unique % n], 1)
    return tf.sparse.reorder(tf.SparseTensor(indices, tf.cast(union, tf.float32), (n, n)))


@tf.function(reduce_retracing=True)
def _fuzzy_weights(distances, target):
    rho = distances[:, :1]
    excess = tf.maximum(distances - rho, 0.0)
    low = tf.zeros_like(rho)
    high = tf.fill(tf.shape(rho), tf.constant(np.inf, distances.dtype))
    sigma = tf.ones_like(rho)
    # Bisection on σ_i (doubling while no upper bound is known): row sums grow with σ.
    for _ in tf.range(64):
        too_big = tf.reduce_sum(tf.exp(-excess / sigma), 1, keepdims=True) > target
        high = tf.where(too_big, sigma, high)
        low = tf.where(too_big, low, sigma)
        sigma = tf.where(tf.math.is_inf(high), 2.0 * sigma, 0.5 * (low + high))
    return tf.cast(tf.exp(-excess / sigma), tf.float32)


def neighbor_layout(w, n_components=10, steps=10000, batch_size=8192, negatives=5, learning_rate=1.0, seed=0):
    """Force-directed layout of a fuzzy graph: minimises UMAP's cross-entropy between w and φ(‖y_i − y_j‖).

    Started from the spectral embedding (scaled to [−10, 10], as UMAP does); each step samples `batch_size`
    edges, pulls their ends together (weight w_ij) and pushes each head away from `negatives` random points,
    by SGD with per-coordinate clipping and a learning rate decaying linearly to 0. The last, small steps
    are those that contract the clusters into clumps (on MNIST codes k-means on the layout went from 0.79
    at 40% of the steps to 0.93 at the end).

    Args:
        w: symmetric `tf.SparseTensor` `(n, n)`, e.g. `fuzzy_knn_graph(codes)`.
        n_components: dimension of the layout.
        steps: SGD steps.
        batch_size: edges per step.
        negatives: random points pushed away per edge.
        learning_rate: initial SGD step.
        seed: seed of the edge and negative sampling.

    Returns:
        Layout `(n, n_components)` as a numpy array.
    """
    n = int(w.shape[0])
    n_components = check_int("n_components", n_components, 1, n - 1)
    steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    negatives = check_int("negatives", negatives, 1)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    start = graph.spectral_embedding(w, n_components, seed=seed)
    start = start - tf.reduce_mean(start, 0)
    y = tf.Variable(10.0 * start / tf.reduce_max(tf.abs(start)))
    edges = tf.cast(w.indices, tf.int32)
    chunk = 100
    for first in range(0, steps, chunk):
        count = min(chunk, steps - first)
        _layout_steps(
            y,
            edges,
            w.values,
            tf.constant(first),
            tf.constant(count),
            tf.constant(steps),
            batch_size,
            negatives,
            tf.constant(learning_rate, tf.float32),
            tf.constant(seed, tf.int32),
        )
    layout = y.numpy()
    if not np.all(np.isfinite(layout)):
        raise ClusteringError("The neighbour layout diverged (NaN/inf coordinates); lower `learning_rate`.")
    return layout


@tf.function(reduce_retracing=True)
def _layout_steps(y, edges, weights, first, count, total, batch_size, negatives, learning_rate, seed):
    n = tf.shape(y)[0]
    mean_weight = tf.reduce_mean(weights)
    for step in tf.range(first, first + count):
        sample_seed = tf.stack([seed, step])
        pick = tf.random.stateless_uniform((batch_size,), sample_seed, 0, tf.shape(edges)[0], dtype=tf.int32)
        heads = tf.gather(edges[:, 0], pick)
        tails = tf.gather(edges[:, 1], pick)
        others = tf.random.stateless_uniform((batch_size, negatives), sample_seed + 1, 0, n, dtype=tf.int32)
        with tf.GradientTape() as tape:
            tape.watch(y)
            head = tf.gather(y, heads)
            near = tf.reduce_sum(tf.square(head - tf.gather(y, tails)), 1)
            far = tf.reduce_sum(tf.square(head[:, None] - tf.gather(y, others)), 2)
            attraction = tf.gather(weights, pick) / mean_weight * tf.math.log1p(_LAYOUT_A * (near + 1e-3) ** _LAYOUT_B)
            kernel = 1.0 / (1.0 + _LAYOUT_A * (far + 1e-3) ** _LAYOUT_B)
            repulsion = -tf.math.log(tf.maximum(1.0 - kernel, 1e-4))
            loss = tf.reduce_sum(attraction) + tf.reduce_sum(repulsion)
        gradient = tf.convert_to_tensor(tape.gradient(loss, y))
        rate = learning_rate * (1.0 - tf.cast(step, tf.float32) / tf.cast(total, tf.float32))
        y.assign_sub(rate * tf.clip_by_value(gradient, -_LAYOUT_CLIP, _LAYOUT_CLIP))


def symnmf_from_partition(a, labels, n_clusters, max_iter=2000, tol=1e-5, seed=0):
    """SymNMF of the graph `a (n, n)` started from a partition: H⁰ = α(one-hot(labels) + 0.05), with α² =
    ⟨A, H⁰H⁰ᵀ⟩ / ‖H⁰H⁰ᵀ‖² so that α²H⁰H⁰ᵀ fits A best (an unscaled start inflates the first projected
    gradient, against which `tol` is measured, and stopped after 10 iterations).

    Returns:
        The fitted `SymNMF`.
    """
    h = np.eye(n_clusters, dtype=np.float64)[np.asarray(labels)] + 0.05
    gram = h.T @ h
    ah = (
        tf.sparse.sparse_dense_matmul(a, tf.constant(h, a.dtype)).numpy()
        if isinstance(a, tf.SparseTensor)
        else (np.asarray(a) @ h)
    )
    # ⟨A, HHᵀ⟩ = tr(HᵀAH) and ‖HHᵀ‖² = ‖HᵀH‖², without forming the n × n HHᵀ. `SymNMF.fit` rescales a start
    # too, but in its float32: done here in float64, its own factor is 1 and the start's objective is exact
    # to 1e-5 (in float32 alone it was 1.1e-5 off on the test's blocks).
    scale = np.sqrt(max(float(np.sum(h * ah)), 1e-30) / float(np.sum(gram * gram)))
    return _symnmf(n_clusters, n_init=1, max_iter=max_iter, tol=tol, seed=seed).fit(a, init=scale * h)


def _symnmf(n_clusters, n_init, max_iter, tol, seed):
    """The one place this module builds a SymNMF."""
    return SymNMF(n_clusters, n_init=n_init, max_iter=max_iter, tol=tol, random_state=seed)


def cluster_codes(
    codes,
    n_clusters,
    *,
    layout=True,
    layout_neighbors=20,
    layout_steps=10000,
    graph_neighbors=30,
    init="balanced",
    init_labels=None,
    max_iter=2000,
    tol=1e-5,
    seed=0,
):
    """Clusters codes `(n, d)` with SymNMF: (optional) neighbour layout, its self-tuning k-NN graph, SymNMF started
    from `init_labels` or, when None, from a partition of that graph chosen by `init`:

    - "spectral": spectral clustering (NJW) of the graph;
    - "kmeans": k-means (10 inits) on the points;
    - "balanced" (default): SymNMF from each of the two, keeping the result whose cluster sizes have the larger
      entropy.

    Each single start has its failure on MNIST layouts: k-means' inertia prefers splitting the elongated cluster of
    1s and merging the touching 4s and 9s (one seed: ACC 0.79 at a lower inertia than a 0.88 partition), spectral
    clustering merged two classes on another seed (0.80 where k-means gave 0.91). Both failures merge two classes
    into one cluster of twice the size, which the size entropy sees without labels; SymNMF's own objective does not
    (it is flat across such partitions, see the module's docstring).

    Returns:
        dict with `labels (n,)`, `memberships` H `(n, n_clusters)`, `objective`, `init_labels`, `space` (the points
        the graph was built on), `symnmf` (the fitted model) and `candidates` (`(init, labels, size entropy,
        objective)` for each start tried).
    """
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2:
        raise invalid_value("codes", "an array of shape (n, d)", f"array of shape {codes.shape}")
    n = codes.shape[0]
    n_clusters = check_int("n_clusters", n_clusters, 1, n)
    check_choice("init", init, ("balanced", "spectral", "kmeans"))
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("The codes hold NaN/inf: the network diverged.")
    space = codes
    if layout:
        neighbors = min(layout_neighbors, n - 1)
        space = neighbor_layout(fuzzy_knn_graph(codes, neighbors), min(n_clusters, n - 2), layout_steps, seed=seed)
    w = graph.knn_graph(space, n_neighbors=min(graph_neighbors, n - 1))
    a = graph.normalize_adjacency(w)
    if init_labels is not None:
        starts = {"given": np.asarray(init_labels)}
    else:
        starts = {}
        if init in ("balanced", "spectral"):
            starts["spectral"] = graph.spectral_clustering(w, n_clusters, seed=seed)
        if init in ("balanced", "kmeans"):
            starts["kmeans"] = kmeans(space, n_clusters, n_init=10, seed=seed)[0]
    candidates, best = [], None
    for name, start in starts.items():
        model = symnmf_from_partition(a, start, n_clusters, max_iter=max_iter, tol=tol, seed=seed)
        entropy = _size_entropy(model.labels_, n_clusters)
        candidates.append((name, model.labels_, entropy, model.objective_))
        if best is None or (entropy, -model.objective_) > (best[0], -best[1].objective_):
            best = (entropy, model, start)
    _, model, start = best
    check_balance(model.labels_, n_clusters)
    return {
        "labels": model.labels_,
        "memberships": model.components_,
        "objective": model.objective_,
        "init_labels": np.asarray(start),
        "space": space,
        "symnmf": model,
        "candidates": candidates,
    }


def _size_entropy(labels, n_clusters):
    """Entropy (nats) of the cluster-size distribution: log(k) when balanced, lower when clusters merge."""
    p = np.bincount(np.asarray(labels), minlength=n_clusters) / len(labels)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def check_balance(labels, n_clusters, max_fraction=0.9):
    """Raises `ClusteringError` when one cluster holds more than `max_fraction` of the points (a collapse)."""
    counts = np.bincount(np.asarray(labels), minlength=n_clusters)
    if n_clusters > 1 and counts.max() > max_fraction * counts.sum():
        raise ClusteringError(
            f"The clustering collapsed: cluster {int(counts.argmax())} holds {counts.max()} of {counts.sum()} points "
            f"(more than {max_fraction:.0%}). Keep the last good checkpoint; pretrain longer or lower the "
            "fine-tuning learning rate."
        )


def target_distribution(memberships):
    """DEC's sharpened targets p_ij = (m_ij² / f_j) / Σ_j' (m_ij'² / f_j'), m the row-normalised memberships and f_j
    their column sums (which damp large clusters)."""
    m = np.maximum(np.asarray(memberships, np.float64), 0.0)
    m = m / np.maximum(m.sum(1, keepdims=True), 1e-12)
    p = m**2 / np.maximum(m.sum(0), 1e-12)
    return (p / np.maximum(p.sum(1, keepdims=True), 1e-12)).astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_mf")
class DeepSymNMF(keras.Model):
    """An autoencoder whose codes are clustered by SymNMF, and fine-tuned toward SymNMF's memberships (IDEC's loss).

    `call` returns the Student-t soft assignments of the codes z to the cluster centres μ_j,
    q_ij ∝ (1 + ‖z_i − μ_j‖² / ν)^(−(ν+1)/2), and the reconstruction. Training (`fine_tune`) minimises
    KL(P ‖ Q) with P the sharpened SymNMF memberships, plus the reconstruction error weighted by
    `reconstruction_weight`, so the codes move toward SymNMF's partition while keeping what the
    autoencoder learned.

    Args:
        input_shape: shape of one example without the batch axis, e.g. `(784,)`.
        n_clusters: number of clusters k.
        latent_dim: size of the code z.
        hidden_units: widths of the encoder's hidden layers (the decoder mirrors them).
        degrees_of_freedom: ν of the Student-t kernel.

    Input shape: `(batch, *input_shape)`. Output: dict with `clusters` `(batch, n_clusters)` (rows sum to 1)
    and `reconstruction` `(batch, *input_shape)`.

    Example:

    >>> model = DeepSymNMF(n_clusters=10)
    >>> model.pretrain(x, epochs=20)
    >>> result = model.cluster(x)                    # SymNMF on the codes' layout graph
    >>> model.fine_tune(x, result["memberships"], epochs=10)
    >>> labels = model.cluster(x, init_labels=result["labels"], layout=False)["labels"]
    """

    def __init__(
        self,
        input_shape=(784,),
        n_clusters=10,
        latent_dim=10,
        hidden_units=(500, 500, 2000),
        degrees_of_freedom=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.autoencoder = Autoencoder(
            input_shape=input_shape, latent_dim=latent_dim, hidden_units=hidden_units, name="autoencoder"
        )
        self.n_clusters = check_int("n_clusters", n_clusters, 1)
        self.degrees_of_freedom = check_positive_float("degrees_of_freedom", degrees_of_freedom)

    def build(self, input_shape):
        self.autoencoder.build(input_shape)
        self.centers = self.add_weight(
            shape=(self.n_clusters, self.autoencoder.latent_dim), initializer="zeros", name="centers"
        )
        self.built = True

    def call(self, inputs):
        codes = self.autoencoder.encode(inputs)
        return {"clusters": self.soft_assign(codes), "reconstruction": self.autoencoder.decode(codes)}

    def encode(self, inputs):
        """Codes `(batch, latent_dim)`."""
        return self.autoencoder.encode(inputs)

    def soft_assign(self, codes):
        """Student-t assignments `(batch, n_clusters)` of codes `(batch, latent_dim)` to the centres."""
        nu = self.degrees_of_freedom
        distances = ops.sum(ops.square(ops.expand_dims(codes, 1) - ops.expand_dims(self.centers, 0)), axis=2)
        q = ops.power(1.0 + distances / nu, -(nu + 1.0) / 2.0)
        return q / ops.sum(q, axis=1, keepdims=True)

    def pretrain(self, x, epochs=20, batch_size=256, learning_rate=1e-3, callbacks=None, verbose=2):
        """Trains the autoencoder alone to reconstruct `x (n, *input_shape)` (MSE, Adam); returns its History."""
        self._ensure_built(x)
        self.autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        return self.autoencoder.fit(x, x, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose)

    def cluster(self, x, **kwargs):
        """Clusters the codes of `x` with `cluster_codes(codes, n_clusters, **kwargs)` and moves the centres to the
        membership-weighted means of the codes; returns `cluster_codes`' dict plus `codes`."""
        self._ensure_built(x)
        n = len(x)
        if self.n_clusters > n:
            raise invalid_value("n_clusters", f"at most the number of points ({n})", self.n_clusters)
        codes = self.predict_codes(x)
        result = cluster_codes(codes, self.n_clusters, **kwargs)
        h = result["memberships"]
        weights = h / np.maximum(h.sum(0, keepdims=True), 1e-12)
        self.centers.assign(weights.T @ codes)
        result["codes"] = codes
        return result

    def fine_tune(
        self,
        x,
        memberships,
        epochs=10,
        batch_size=256,
        learning_rate=1e-4,
        reconstruction_weight=1.0,
        checkpoint=None,
        callbacks=None,
        verbose=2,
    ):
        """Trains encoder, decoder and centres on KL(P ‖ Q) + `reconstruction_weight` · MSE, P =
        `target_distribution(memberships)`.

        If the loss becomes NaN/inf or the assignments collapse into one cluster (> 90% of points), the weights
        from before fine-tuning are restored and `ClusteringError` is raised; `checkpoint` (a `.keras` path),
        when given, is written only after a successful fine-tuning, so it always holds the last good model.

        Returns:
            The History.
        """
        self._ensure_built(x)
        targets = target_distribution(memberships)
        if targets.shape != (len(x), self.n_clusters):
            raise invalid_value(
                "memberships", f"an array of shape ({len(x)}, {self.n_clusters})", f"array of shape {targets.shape}"
            )
        good = [v.numpy() for v in self.weights]
        guard = NaNGuard()
        self.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss={"clusters": keras.losses.KLDivergence(), "reconstruction": keras.losses.MeanSquaredError()},
            loss_weights={"clusters": 1.0, "reconstruction": reconstruction_weight},
        )
        history = self.fit(
            x,
            {"clusters": targets, "reconstruction": x},
            epochs=epochs,
            batch_size=batch_size,
            callbacks=list(callbacks or []) + [guard],
            verbose=verbose,
        )
        try:
            if guard.stopped_at is not None or not np.all(np.isfinite(history.history.get("loss", []))):
                raise ClusteringError(
                    "Fine-tuning diverged: the loss became NaN/inf. The weights from before fine-tuning were "
                    "restored; lower `learning_rate`."
                )
            check_balance(self.predict_labels(x), self.n_clusters)
        except ClusteringError:
            for variable, value in zip(self.weights, good, strict=True):
                variable.assign(value)
            raise
        if checkpoint:
            atomic_save_model(self, checkpoint)
        return history

    def predict_codes(self, x, batch_size=1024):
        """Codes of `x` as a numpy array `(n, latent_dim)`."""
        return np.concatenate([np.asarray(self.encode(x[i : i + batch_size])) for i in range(0, len(x), batch_size)])

    def predict_labels(self, x, batch_size=1024):
        """Hard assignments `(n,)`: the argmax of the soft assignments Q."""
        codes = self.predict_codes(x, batch_size)
        return np.argmax(np.asarray(self.soft_assign(codes)), axis=1)

    def _ensure_built(self, x):
        if not self.built:
            self.build((None,) + tuple(np.shape(x)[1:]))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": self.autoencoder.data_shape,
                "n_clusters": self.n_clusters,
                "latent_dim": self.autoencoder.latent_dim,
                "hidden_units": self.autoencoder.hidden_units,
                "degrees_of_freedom": self.degrees_of_freedom,
            }
        )
        return config


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
        self.writer = tf.summary.create_file_writer(os.path.join(logdir, "monitor"))
        self.step_offset = step_offset

    def on_epoch_end(self, epoch, logs=None):
        labels = self.model.predict_labels(self.x)
        with self.writer.as_default():
            tf.summary.scalar("monitor/accuracy", clustering_accuracy(self.y, labels), step=self.step_offset + epoch)
            tf.summary.scalar("monitor/nmi", normalized_mutual_info(self.y, labels), step=self.step_offset + epoch)
        self.writer.flush()


def log_scalars(logdir, scalars, step):
    """Writes `{name: value}` as TensorBoard scalars under `logdir` at `step`."""
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        for name, value in scalars.items():
            tf.summary.scalar(name, value, step=step)
    writer.flush()


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
    """The whole pipeline: pretrain, SymNMF on the codes' layout graph (started from `init`, see `cluster_codes`),
    then `rounds` of fine-tuning each followed by SymNMF on the fine-tuned codes' graph started from the previous
    partition. Defaults: the measured recipe (about 3 minutes on the 10,000 MNIST test images on 2 cores).

    With `logdir`, every phase writes TensorBoard logs there (`pretrain/`, `finetune_<r>/`, `symnmf_<r>/`, `monitor/`)
    and a checkpoint (`pretrained.keras`, `clusters_<r>.npz`, `finetuned_<r>.keras`); a run called again with the same
    `logdir` skips the phases whose checkpoint exists, and Keras' BackupAndRestore resumes an interrupted phase.
    `y_monitor` (labels) is only logged against, never used.

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
    path = (lambda name: os.path.join(logdir, name)) if logdir else (lambda name: None)
    start = time.perf_counter()
    stages = []

    def callbacks(phase, offset=0):
        if not logdir:
            return []
        extra = [ClusterMetrics(x, y_monitor, logdir, offset)] if y_monitor is not None and phase != "pretrain" else []
        return standard_callbacks(path(phase)) + extra

    def record(name, result, r):
        stages.append((name, result["labels"], result["objective"], time.perf_counter() - start))
        if not logdir or result["symnmf"] is None:  # None: the partition was read back from an earlier run
            return
        np.savez(
            path(f"clusters_{r}.npz"),
            labels=result["labels"],
            memberships=result["memberships"],
            objective=result["objective"],
            init_labels=result["init_labels"],
            space=result["space"],
        )
        writer = tf.summary.create_file_writer(path(f"symnmf_{r}"))
        with writer.as_default():
            for i, value in enumerate(result["symnmf"].history_):
                tf.summary.scalar("symnmf/objective", value, step=i)
        writer.flush()
        if y_monitor is not None:
            log_scalars(
                path("monitor"),
                {
                    "symnmf/accuracy": clustering_accuracy(y_monitor, result["labels"]),
                    "symnmf/nmi": normalized_mutual_info(y_monitor, result["labels"]),
                },
                r,
            )

    if logdir and os.path.exists(path("pretrained.keras")):
        model = keras.saving.load_model(path("pretrained.keras"))
    else:
        model = DeepSymNMF(
            input_shape=x.shape[1:], n_clusters=n_clusters, latent_dim=latent_dim, hidden_units=hidden_units
        )
        history = model.pretrain(
            x, epochs=pretrain_epochs, batch_size=batch_size, callbacks=callbacks("pretrain"), verbose=verbose
        )
        if not np.all(np.isfinite(history.history.get("loss", []))):
            raise ClusteringError("Pretraining diverged: the reconstruction loss became NaN/inf; check `x`.")
        if logdir:
            atomic_save_model(model, path("pretrained.keras"))
    codes = model.predict_codes(x)
    if not np.all(np.isfinite(codes)):
        raise ClusteringError("Pretraining diverged: the codes hold NaN/inf.")
    result = _cached_clusters(
        model,
        x,
        path("clusters_0.npz"),
        layout_steps=layout_steps,
        layout_neighbors=layout_neighbors,
        graph_neighbors=graph_neighbors,
        init=init,
        seed=seed,
    )
    layout = result.get("space")
    candidates = result.get("candidates", [])
    record("SymNMF on the layout of the codes", result, 0)
    for r in range(1, rounds + 1):
        checkpoint = path(f"finetuned_{r}.keras")
        if checkpoint and os.path.exists(checkpoint) and os.path.exists(path(f"clusters_{r}.npz")):
            model = keras.saving.load_model(checkpoint)
            result = _cached_clusters(model, x, path(f"clusters_{r}.npz"))
        else:
            model.fine_tune(
                x,
                result["memberships"],
                epochs=finetune_epochs,
                batch_size=batch_size,
                learning_rate=finetune_learning_rate,
                reconstruction_weight=reconstruction_weight,
                checkpoint=checkpoint,
                callbacks=callbacks(f"finetune_{r}", (r - 1) * finetune_epochs),
                verbose=verbose,
            )
            result = _cached_clusters(
                model,
                x,
                path(f"clusters_{r}.npz"),
                layout=False,
                init_labels=result["labels"],
                graph_neighbors=graph_neighbors,
                seed=seed,
            )
        record(f"SymNMF on fine-tuned codes, round {r}", result, r)
    return {
        "model": model,
        "labels": result["labels"],
        "stages": stages,
        "codes": codes,
        "finetuned_codes": model.predict_codes(x),
        "layout": layout,
        "candidates": candidates,
        "seconds": time.perf_counter() - start,
    }


def _cached_clusters(model, x, cache, **kwargs):
    """`model.cluster(x, **kwargs)`, or the partition saved at `cache` by an earlier run (the centres are set again
    from its memberships)."""
    if cache and os.path.exists(cache):
        saved = np.load(cache)
        codes = model.predict_codes(x)
        h = saved["memberships"]
        model.centers.assign((h / np.maximum(h.sum(0, keepdims=True), 1e-12)).T @ codes)
        return {key: saved[key] for key in saved.files} | {"symnmf": None, "codes": codes}
    return model.cluster(x, **kwargs)
