"""Deep SymNMF clustering's model: an autoencoder (pretrained on augmented images when they are images) whose codes
are clustered by `keras_mf.cluster.cluster_codes` (layouts, heads refined by SymNMF, modularity), optionally
fine-tuned toward the clusters' memberships with IDEC's loss. Computes in `keras.ops` (any Keras backend);
clustering the codes (`DeepSymNMF.cluster`) uses the TensorFlow graph code of `keras_mf.cluster.partition`, loaded
on first use.

References:
    Xie, J., Girshick, R. & Farhadi, A. (2016). Unsupervised Deep Embedding for Clustering Analysis (DEC).
    ICML 2016. https://arxiv.org/abs/1511.06335
    Guo, X., Gao, L., Liu, X. & Yin, J. (2017). Improved Deep Embedded Clustering with Local Structure
    Preservation (IDEC). IJCAI 2017. https://doi.org/10.24963/ijcai.2017/243
    Kuang, D., Ding, C. & Park, H. (2012). Symmetric Nonnegative Matrix Factorization for Graph Clustering.
    SDM 2012. https://doi.org/10.1137/1.9781611972825.10
"""

import math
import weakref

import keras
import numpy as np
from keras import ops

from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf._validation import invalid_value
from keras_mf.cluster.metrics import check_balance
from keras_mf.exceptions import ClusteringError
from keras_mf.models.autoencoder import Autoencoder
from keras_mf.models.batches import AugmentedBatches

# Floor of the sums that normalise memberships and targets: an empty cluster divides by this, not by 0.
_TINY = 1e-12
# Each model's functional encoder for `predict_codes`, kept here rather than as an attribute: Keras tracks attributes
# and `.keras` saving walks them, which would change the saved file; weak keys let the models be collected.
_ENCODERS = weakref.WeakKeyDictionary()
# Hidden widths d–w–w–4w–k: DEC's 500–500–2000 for inputs of 500 or more features, the input's width below that
# (no layer wider than the input it expands), and never under 64 units.
_MAX_WIDTH = 500
_MIN_WIDTH = 64
# Pretraining makes about this many Adam updates whatever n (DEC's 50 epochs of 10,000 images in batches of 256 is
# 2,000), within [10, 200] epochs, in batches of at most 256.
_UPDATES = 2000
_MIN_EPOCHS, _MAX_EPOCHS = 10, 200
_MAX_BATCH = 256


def default_hidden_units(features):
    """The encoder's hidden widths `(w, w, 4w)` for inputs of `features` values: w = min(500, max(64, features)),
    so DEC's 500–500–2000 from 500 features up (MNIST's 784), 64–64–256 for 8×8 images."""
    width = min(_MAX_WIDTH, max(_MIN_WIDTH, check_int("features", features, 1)))
    return (width, width, 4 * width)


def pretrain_schedule(n):
    """`(batch_size, epochs)` of pretraining on n examples: batch = min(256, n) and epochs = ⌈2000 / ⌈n / batch⌉⌉
    clipped to [10, 200], about 2,000 updates (50 epochs at n = 10,000, 10 at 70,000, 200 below 2,560)."""
    n = check_int("n", n, 1)
    batch = min(_MAX_BATCH, n)
    return batch, min(_MAX_EPOCHS, max(_MIN_EPOCHS, math.ceil(_UPDATES / math.ceil(n / batch))))


def target_distribution(memberships):
    """DEC's sharpened targets p_ij = (m_ij² / f_j) / Σ_j' (m_ij'² / f_j'), m the row-normalised memberships and f_j
    their column sums (which damp large clusters)."""
    m = np.maximum(np.asarray(memberships, np.float64), 0.0)
    m = m / np.maximum(m.sum(1, keepdims=True), _TINY)
    p = m**2 / np.maximum(m.sum(0), _TINY)
    return (p / np.maximum(p.sum(1, keepdims=True), _TINY)).astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_mf")
class DeepSymNMF(keras.Model):
    """An autoencoder whose codes are clustered (`cluster`: layouts, heads refined by SymNMF, chosen by modularity),
    and may be fine-tuned toward the clusters' memberships (`fine_tune`, IDEC's loss).

    `call` returns the Student-t soft assignments of the codes z to the cluster centres μ_j,
    q_ij ∝ (1 + ‖z_i − μ_j‖² / ν)^(−(ν+1)/2), and the reconstruction. Training (`fine_tune`) minimises
    KL(P ‖ Q) with P the sharpened SymNMF memberships, plus the reconstruction error weighted by
    `reconstruction_weight`, so the codes move toward SymNMF's partition while keeping what the
    autoencoder learned.

    Args:
        input_shape: shape of one example without the batch axis, e.g. `(784,)`.
        n_clusters: number of clusters k.
        latent_dim: size of the code z; None (default) means k.
        hidden_units: widths of the encoder's hidden layers (the decoder mirrors them); None (default) means
            `default_hidden_units(features)`: (w, w, 4w) with w = min(500, max(64, features)).
        degrees_of_freedom: ν of the Student-t kernel.

    `fine_tune` (IDEC) is optional: the pipeline (`keras_mf.cli.experiments.deep_symnmf`) does not use it, as it
    measured no gain over the chosen partition (see the CHANGELOG).

    Input shape: `(batch, *input_shape)`. Output: dict with `clusters` `(batch, n_clusters)` (rows sum to 1)
    and `reconstruction` `(batch, *input_shape)`.

    Example:
        The model maps points to soft cluster assignments, each row a distribution over the clusters:

        >>> import numpy as np
        >>> from keras_mf.models import DeepSymNMF
        >>> x = np.random.default_rng(0).random((64, 12), dtype=np.float32)
        >>> model = DeepSymNMF(input_shape=(12,), n_clusters=3, latent_dim=2, hidden_units=(8,))
        >>> q = np.asarray(model(x)["clusters"])
        >>> q.shape, bool(np.allclose(q.sum(1), 1.0))
        ((64, 3), True)
    """

    def __init__(
        self,
        input_shape=(784,),
        n_clusters=10,
        latent_dim=None,
        hidden_units=None,
        degrees_of_freedom=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_clusters = check_int("n_clusters", n_clusters, 1)
        features = math.prod(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
        if hidden_units is None:
            hidden_units = default_hidden_units(features)
        latent_dim = self.n_clusters if latent_dim is None else latent_dim
        self.autoencoder = Autoencoder(
            input_shape=input_shape, latent_dim=latent_dim, hidden_units=hidden_units, name="autoencoder"
        )
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

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1]
        return {"clusters": batch + (self.n_clusters,), "reconstruction": tuple(input_shape)}

    def encode(self, inputs):
        """Codes `(batch, latent_dim)`."""
        return self.autoencoder.encode(inputs)

    def soft_assign(self, codes):
        """Student-t assignments `(batch, n_clusters)` of codes `(batch, latent_dim)` to the centres."""
        nu = self.degrees_of_freedom
        distances = ops.sum(ops.square(ops.expand_dims(codes, 1) - ops.expand_dims(self.centers, 0)), axis=2)
        q = ops.power(1.0 + distances / nu, -(nu + 1.0) / 2.0)
        return q / ops.sum(q, axis=1, keepdims=True)

    def pretrain(
        self, x, epochs=None, batch_size=None, learning_rate=1e-3, augment=None, seed=0, callbacks=None, verbose=2
    ):
        """Trains the autoencoder alone to reconstruct `x (n, *input_shape)` (MSE, Adam); returns its History.

        Args:
            epochs, batch_size: None (default) means `pretrain_schedule(n)`: batches of min(256, n), about 2,000
                updates.
            augment: optional Keras layer (e.g. `keras_mf.layers.RandomAffine`) applied to each batch in training
                mode; the autoencoder then reconstructs the augmented batch (see `AugmentedBatches`).
            seed: seed of the augmented batches' shuffling.
        """
        self._ensure_built(x)
        default_batch, default_epochs = pretrain_schedule(len(x))
        batch_size = default_batch if batch_size is None else check_int("batch_size", batch_size, 1)
        epochs = default_epochs if epochs is None else check_int("epochs", epochs, 1)
        self.autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        if augment is None:
            return self.autoencoder.fit(
                x, x, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose
            )
        batches = AugmentedBatches(x, augment, batch_size=min(batch_size, len(x)), seed=seed)
        return self.autoencoder.fit(batches, epochs=epochs, callbacks=callbacks, verbose=verbose)

    def cluster(self, x, **kwargs):
        """Clusters the codes of `x` with `keras_mf.cluster.cluster_codes(codes, n_clusters, **kwargs)` and moves
        the centres to the membership-weighted means of the codes; returns `cluster_codes`' dict plus `codes`."""
        self._ensure_built(x)
        n = len(x)
        if self.n_clusters > n:
            raise invalid_value("n_clusters", f"at most the number of points ({n})", self.n_clusters)
        from keras_mf.cluster.partition import cluster_codes  # TensorFlow: loaded only when clustering

        codes = self.predict_codes(x)
        result = cluster_codes(codes, self.n_clusters, **kwargs)
        self.set_centers(codes, result["memberships"])
        result["codes"] = codes
        return result

    def set_centers(self, codes, memberships):
        """Moves the centres to the membership-weighted means of `codes (n, latent_dim)`: μ_j = Σ_i h_ij z_i / Σ_i h_ij
        for memberships H `(n, n_clusters)`."""
        h = np.asarray(memberships, np.float64)
        weights = h / np.maximum(h.sum(0, keepdims=True), _TINY)
        self.centers.assign((weights.T @ np.asarray(codes, np.float64)).astype(self.centers.dtype))

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
        good = [ops.convert_to_numpy(v) for v in self.weights]
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
            callbacks=list(callbacks or []) + [keras.callbacks.TerminateOnNaN()],
            verbose=verbose,
        )
        try:
            if self.stop_training or not np.all(np.isfinite(history.history.get("loss", []))):
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
            from keras_mf.training.files import atomic_save_model

            atomic_save_model(self, checkpoint)
        return history

    def predict_codes(self, x, batch_size=1024):
        """Codes of `x (n, *input_shape)` as a numpy array `(n, latent_dim)`, batched by Keras' `Model.predict` (on a
        functional encoder sharing this model's layers, built once per model)."""
        self._ensure_built(x)
        encoder = _ENCODERS.get(self)
        if encoder is None:
            inputs = keras.Input(self.autoencoder.data_shape)
            encoder = _ENCODERS[self] = keras.Model(inputs, self.encode(inputs), name="encoder")
        return np.asarray(encoder.predict(x, batch_size=batch_size, verbose=0))

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
