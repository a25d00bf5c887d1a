"""Autoencoder: a Keras Model whose linear case is PCA, shown by measurement."""

import math

import keras
import numpy as np
from keras import ops

from keras_mf._inputs import tf_if_dataset
from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation import invalid_value
from keras_mf._validation import is_sparse
from keras_mf.layers.truncated_svd import TruncatedSVD


@keras.saving.register_keras_serializable(package="keras_mf")
class Autoencoder(keras.Model):
    """An MLP autoencoder x → h = encode(x) → x̂ = decode(h).

    With `linear=True` it is the tutorial's model, h = W₁x + b₁ and x̂ = W₂h + b₂. Trained with MSE, its
    optimum is the rank-`latent_dim` truncated SVD of the centred data (Eckart–Young), and `init_from_pca`
    starts it there. The nonlinear model adds `hidden_units` layers with `activation` on both sides and
    `output_activation` at the end (sigmoid for pixels in [0, 1]); `init_from_pca` starts its encoder so
    that the codes are the principal coordinates.

    Args:
        input_shape: tuple of positive ints (or one int), the shape of one example without the batch axis,
            e.g. `(784,)` or `(28, 28, 1)`.
        latent_dim: int, the size of the code h, in [1, features − 1].
        hidden_units: ints ≥ 1, the widths of the encoder's hidden layers (the decoder mirrors them); ignored
            when `linear=True`.
        activation: activation of the hidden layers (any name `keras.activations.get` knows).
        output_activation: activation of the reconstruction; None for linear outputs.
        linear: bool, build the tutorial's linear model (no hidden layers, no activations).
        **kwargs: `keras.Model` arguments (`name`, ...).

    Input shape: `(batch, *input_shape)`, float. Output shape: the same, in the model's compute dtype.

    Raises:
        ValueError: `input_shape` not a tuple of positive ints; `latent_dim` outside [1, features − 1]; a hidden
            width below 1; an unknown activation; inputs of another shape than `input_shape`.
        TypeError: `linear` not a bool.

    References:
        Baldi, P. & Hornik, K. (1989). Neural networks and principal component analysis: learning from
        examples without local minima. Neural Networks 2(1), 53–58. https://doi.org/10.1016/0893-6080(89)90014-2

        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

        Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with neural networks.
        Science 313(5786), 504–507. https://doi.org/10.1126/science.1127647

    Example:
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.models import Autoencoder
        >>> keras.utils.set_random_seed(0)
        >>> x = np.random.default_rng(0).random((64, 20), dtype=np.float32)
        >>> model = Autoencoder(input_shape=(20,), latent_dim=4, hidden_units=(16,))
        >>> model.compile(optimizer="adam", loss="mse")
        >>> history = model.fit(x, x, epochs=2, batch_size=32, verbose=0)
        >>> tuple(model.encode(x[:8]).shape), tuple(model(x[:8]).shape)
        ((8, 4), (8, 20))
    """

    def __init__(
        self,
        input_shape=(784,),
        latent_dim=32,
        hidden_units=(256,),
        activation="relu",
        output_activation="sigmoid",
        linear=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        if (
            not isinstance(input_shape, (tuple, list))
            or not input_shape
            or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in input_shape)
        ):
            raise invalid_value("input_shape", "a tuple of positive integers such as (784,)", input_shape)
        self.data_shape = tuple(int(d) for d in input_shape)
        self.features = math.prod(self.data_shape)
        self.latent_dim = check_int("latent_dim", latent_dim, 1, self.features - 1)
        self.linear = check_bool("linear", linear)
        self.hidden_units = () if self.linear else tuple(check_int("hidden_units", h, 1) for h in hidden_units)
        self.activation = None if self.linear else _activation("activation", activation)
        self.output_activation = None if self.linear else _activation("output_activation", output_activation)

        self.encoder_layers = [keras.layers.Flatten(name="flatten")]
        self.encoder_layers += [
            keras.layers.Dense(h, activation=self.activation, name=f"encoder_{i}")
            for i, h in enumerate(self.hidden_units)
        ]
        self.code = keras.layers.Dense(self.latent_dim, name="code")
        self.decoder_layers = [
            keras.layers.Dense(h, activation=self.activation, name=f"decoder_{i}")
            for i, h in enumerate(reversed(self.hidden_units))
        ]
        self.reconstruction = keras.layers.Dense(
            self.features, activation=self.output_activation, name="reconstruction"
        )
        self.unflatten = keras.layers.Reshape(self.data_shape, name="unflatten")

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        shape = (None, self.features)
        for layer in self.encoder_layers[1:]:
            layer.build(shape)
            shape = (None, layer.units)
        self.code.build(shape)
        shape = (None, self.latent_dim)
        for layer in self.decoder_layers:
            layer.build(shape)
            shape = (None, layer.units)
        self.reconstruction.build(shape)
        self.built = True

    def call(self, inputs):
        return self.decode(self.encode(inputs))

    def encode(self, inputs):
        """Maps inputs to codes.

        Args:
            inputs: float `(batch, *input_shape)`.

        Returns:
            The codes h, a tensor `(batch, latent_dim)` in the model's compute dtype.

        Raises:
            ValueError: `inputs` of another shape than `(batch, *input_shape)`.

        Example:
            >>> import numpy as np
            >>> from keras_mf.models import Autoencoder
            >>> model = Autoencoder(input_shape=(28, 28), latent_dim=8)
            >>> tuple(model.encode(np.zeros((2, 28, 28), np.float32)).shape)
            (2, 8)
        """
        self._check_input_shape(inputs.shape)
        x = inputs
        for layer in self.encoder_layers:
            x = layer(x)
        return self.code(x)

    def decode(self, codes):
        """Maps codes to reconstructions.

        Args:
            codes: float `(batch, latent_dim)`.

        Returns:
            The reconstructions x̂, a tensor `(batch, *input_shape)` in the model's compute dtype.

        Example:
            >>> import numpy as np
            >>> from keras_mf.models import Autoencoder
            >>> model = Autoencoder(input_shape=(28, 28), latent_dim=8)
            >>> tuple(model.decode(np.zeros((2, 8), np.float32)).shape)
            (2, 28, 28)
        """
        x = codes
        for layer in self.decoder_layers:
            x = layer(x)
        return self.unflatten(self.reconstruction(x))

    def init_from_pca(self, data=None, pca=None):
        """Starts the encoder from the truncated SVD of `data` (or from a fitted `TruncatedSVD` layer).

        Linear model: W₁ = Vₖ, b₁ = −Vₖᵀμ, W₂ = Vₖᵀ, b₂ = μ — the Eckart–Young optimum itself, so training
        starts at the loss it should reach.

        Nonlinear model with ReLU hidden layers, each at least 2·latent_dim wide: the encoder then
        computes the principal coordinates p = Vₖᵀ(x − μ) exactly. The first hidden layer's first 2k units
        hold relu(p) and relu(−p), later hidden layers pass them on through an identity block, and the code
        layer reads p = relu(p) − relu(−p). Those weights stay trainable; the other units keep their random
        initialisation, with zero weight into the code, to learn what PCA misses. The decoder is not
        touched.

        Args:
            data: array or batched dataset of inputs `(n, *input_shape)`; or
            pca: a `TruncatedSVD` already adapted with `rank=latent_dim` on flattened inputs.

        Returns:
            The fitted `TruncatedSVD` layer.

        Raises:
            ValueError: a nonlinear model whose hidden activation is not "relu" or whose hidden layers
                are narrower than 2·latent_dim, where the codes cannot start at the principal coordinates;
                neither `data` nor `pca`; a `pca` of another rank or width.

        Example:
            The linear model starts at PCA's reconstruction error, which no linear code of that size beats:

            >>> import numpy as np
            >>> from keras_mf.models import Autoencoder
            >>> x = np.random.default_rng(0).random((100, 6), dtype=np.float32)
            >>> model = Autoencoder(input_shape=(6,), latent_dim=2, linear=True)
            >>> pca = model.init_from_pca(x)
            >>> error = float(np.mean((np.asarray(model(x)) - x) ** 2))
            >>> centred = x - x.mean(0)
            >>> s = np.linalg.svd(centred, compute_uv=False)
            >>> bool(np.isclose(error, np.sum(s[2:] ** 2) / x.size, rtol=1e-3))   # the discarded σ², per entry
            True
        """
        if not self.linear:
            narrow = [h for h in self.hidden_units if h < 2 * self.latent_dim]
            if self.activation != "relu" or narrow:
                raise ValueError(
                    "Received an invalid model for `init_from_pca`, expected a linear model or ReLU hidden layers "
                    f"of at least 2 * latent_dim = {2 * self.latent_dim} units. Received: activation="
                    f"{self.activation!r}, hidden_units={self.hidden_units}"
                )
        if pca is None:
            if data is None:
                raise ValueError("init_from_pca needs `data` or a fitted `pca` layer.")
            pca = TruncatedSVD(rank=self.latent_dim)
            pca.adapt(_flat_batches(data, self.features))
        if pca.fitted_rank != self.latent_dim or pca.features != self.features:
            raise ValueError(
                f"Received an invalid value for `pca`, expected a TruncatedSVD of rank {self.latent_dim} "
                f"on {self.features} features. Received: rank {pca.fitted_rank} on {pca.features} features"
            )
        if not self.built:
            self.build((None,) + self.data_shape)
        components = ops.convert_to_numpy(pca.components)
        shift = ops.convert_to_numpy(pca.mean) @ components
        if self.linear:
            self.code.set_weights([components, -shift])
            self.reconstruction.set_weights([components.T, ops.convert_to_numpy(pca.mean)])
        else:
            self._encode_principal_coordinates(components, shift)
        return pca

    def _encode_principal_coordinates(self, components, shift):
        k = self.latent_dim
        signs = np.concatenate([np.eye(k), -np.eye(k)]).astype(components.dtype)  # (2k, k): [I; −I]
        if not self.hidden_units:
            self.code.set_weights([components, -shift])
            return
        first, *rest = self.encoder_layers[1:]
        kernel, bias = first.get_weights()
        kernel[:, : 2 * k] = components @ signs.T
        bias[: 2 * k] = -shift @ signs.T
        first.set_weights([kernel, bias])
        for layer in rest:
            kernel, bias = layer.get_weights()
            kernel[:, : 2 * k] = 0.0
            kernel[: 2 * k, : 2 * k] = np.eye(2 * k)
            bias[: 2 * k] = 0.0
            layer.set_weights([kernel, bias])
        kernel, bias = self.code.get_weights()
        kernel[:] = 0.0
        kernel[: 2 * k] = signs
        self.code.set_weights([kernel, np.zeros_like(bias)])

    def _check_input_shape(self, shape):
        shape = tuple(shape)
        if len(shape) != len(self.data_shape) + 1 or any(
            d is not None and d != e for d, e in zip(shape[1:], self.data_shape, strict=True)
        ):
            raise ValueError(
                f"Autoencoder '{self.name}' expects inputs of shape (batch, {', '.join(map(str, self.data_shape))}). "
                f"Received: inputs with shape {shape}"
            )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": self.data_shape,
                "latent_dim": self.latent_dim,
                "hidden_units": self.hidden_units,
                "activation": self.activation,
                "output_activation": self.output_activation,
                "linear": self.linear,
            }
        )
        return config


def _activation(name, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_value(name, "an activation name such as 'relu' or None", value)
    try:
        keras.activations.get(value)
    except (ValueError, TypeError):
        raise invalid_value(name, "an activation name known to keras.activations", value) from None
    return value


def _flat_batches(data, features):
    if is_sparse(data):
        # TruncatedSVD adapts to sparse rows without densifying them; they must already be flat.
        shape = tuple(data.shape)
        if len(shape) != 2 or shape[1] != features:
            raise invalid_value("data", f"a sparse matrix of shape (n, {features})", f"shape {shape}")
        return data
    tf = tf_if_dataset(data)
    if tf is not None:
        return data.map(lambda *e: tf.reshape(e[0], (-1, features)))
    return np.reshape(ops.convert_to_numpy(data), (-1, features))
