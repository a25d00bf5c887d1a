"""RecurrentCell: the recurrence the tutorial meant, h_t = f(W x_t + U h_{t-1} + b)."""

import keras
from keras import ops

from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int


@keras.saving.register_keras_serializable(package="keras_mf")
class RecurrentCell(keras.layers.Layer):
    """One step of an Elman RNN with an optional output map.

    h_t = activation(W x_t + U h_{t-1} + b) and y_t = output_activation(W' h_t + b'); without
    `output_dim`, y_t = h_t. The tutorial writes h_t = f(W x_t + b + h_{t-1}), which has no recurrent
    matrix U: the previous state is only added, so the network cannot learn how past and present
    combine. Weights use `keras.layers.SimpleRNNCell`'s names and layout (`kernel`, `recurrent_kernel`,
    `bias`), so its weights load into this cell.

    Args:
        units: int ≥ 1, the size of the hidden state h.
        output_dim: int ≥ 1, the size of y; None makes y = h.
        activation: f, default "tanh".
        output_activation: g, default None (linear).
        use_bias: bool, whether b (and b') are used.
        kernel_initializer: initializer of W `(features, units)` and W' `(units, output_dim)`.
        recurrent_initializer: initializer of U `(units, units)` ("orthogonal", as in `SimpleRNNCell`).
        bias_initializer: initializer of b and b'.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: x_t, float `(batch, features)`.
        states: `[h_{t-1}]`, float `(batch, units)` (or the tensor itself).

    Returns:
        `(y_t (batch, output_dim or units), [h_t (batch, units)])`, in the layer's compute dtype.

    Raises:
        ValueError: `units` or `output_dim` not a positive integer.
        TypeError: `use_bias` not a bool.

    References:
        Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
        https://doi.org/10.1207/s15516709cog1402_1

    Example:
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.layers import RecurrentCell
        >>> layer = keras.layers.RNN(RecurrentCell(16, output_dim=10), return_sequences=True)
        >>> x = np.zeros((4, 28, 8), np.float32)           # (batch, time, features)
        >>> tuple(layer(x).shape)                          # y_t at every step: (batch, time, output_dim)
        (4, 28, 10)
        >>> cell = RecurrentCell(3, use_bias=False)       # U h_{t-1} carries the state: h_0 = 0 gives h_1 = tanh(W x_1)
        >>> y, [h] = cell(np.ones((1, 2), np.float32), [np.zeros((1, 3), np.float32)])
        >>> bool(np.allclose(h, np.tanh(np.ones((1, 2)) @ cell.kernel.numpy()), atol=1e-6))
        True
    """

    def __init__(
        self,
        units,
        output_dim=None,
        activation="tanh",
        output_activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_int("units", units, 1)
        self.output_dim = check_optional_int("output_dim", output_dim, 1)
        self.activation = keras.activations.get(activation)
        self.output_activation = keras.activations.get(output_activation)
        self.use_bias = check_bool("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = self.units
        self.output_size = self.output_dim or self.units

    def build(self, input_shape):
        features = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units), initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, self.units), initializer=self.recurrent_initializer
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )
        if self.output_dim is not None:
            self.output_kernel = self.add_weight(
                name="output_kernel", shape=(self.units, self.output_dim), initializer=self.kernel_initializer
            )
            self.output_bias = (
                self.add_weight(name="output_bias", shape=(self.output_dim,), initializer=self.bias_initializer)
                if self.use_bias
                else None
            )

    def call(self, inputs, states, training=None):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        z = ops.matmul(inputs, self.kernel) + ops.matmul(previous, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        hidden = self.activation(z)
        output = hidden
        if self.output_dim is not None:
            output = ops.matmul(hidden, self.output_kernel)
            if self.output_bias is not None:
                output = output + self.output_bias
            output = self.output_activation(output)
        new_states = [hidden] if isinstance(states, (list, tuple)) else hidden
        return output, new_states

    def get_initial_state(self, batch_size=None):
        """The state before the first step, as `keras.layers.RNN` asks for it: h_0 = 0.

        Args:
            batch_size: int, the batch size.

        Returns:
            `[zeros (batch_size, units)]` in the layer's compute dtype.

        Example:
            >>> from keras_mf.layers import RecurrentCell
            >>> [tuple(state.shape) for state in RecurrentCell(5).get_initial_state(batch_size=2)]
            [(2, 5)]
        """
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_dim": self.output_dim,
                "activation": keras.activations.serialize(self.activation),
                "output_activation": keras.activations.serialize(self.output_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
