"""LowRankDense: a Dense layer whose kernel is held as two factors."""

import keras
import numpy as np
from keras import ops

from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf.linalg.rank import choose_rank


@keras.saving.register_keras_serializable(package="keras_mf")
class LowRankDense(keras.layers.Layer):
    """`activation(x @ U @ V + bias)`: a Dense layer with a rank-r kernel W = U V.

    Holds r·(m + n) kernel parameters instead of m·n for m inputs and n units, and costs as much fewer
    multiply-adds. `from_dense` initialises it from the truncated SVD of a trained `keras.layers.Dense`
    kernel W = A Σ Bᵀ as U = A_r Σ_r^½, V = Σ_r^½ B_rᵀ, the best rank-r approximation (Eckart–Young).

    Args:
        units: int ≥ 1, the output size n.
        rank: int, the inner size r, in [1, min(m, n)] (checked against m when the layer is built).
        activation: as in `keras.layers.Dense` (a name, a callable or None for the identity).
        use_bias: bool, whether to add a bias vector `(units,)`.
        kernel_initializer: initializer of both factors U `(m, rank)` and V `(rank, units)`.
        bias_initializer: initializer of the bias.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape: `(batch, ..., m)`, any real dtype (cast to the layer's compute dtype, float32 by default).
    Output shape: `(batch, ..., units)`.

    Raises:
        ValueError: `units` or `rank` not a positive integer; at build, `rank` above min(m, units).
        TypeError: `use_bias` not a bool.

    References:
        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

        Xue, J., Li, J. & Gong, Y. (2013). Restructuring of deep neural network acoustic models with singular
        value decomposition. Proc. Interspeech 2013, 2365–2369. https://doi.org/10.21437/Interspeech.2013-552

    Example:
        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.layers import LowRankDense
        >>> dense = keras.layers.Dense(256)
        >>> dense.build((None, 784))
        >>> low_rank = LowRankDense.from_dense(dense, rank=32)
        >>> low_rank.count_params(), dense.count_params()     # 32·(784 + 256) + 256 against 784·256 + 256
        (33536, 200960)
        >>> x = np.random.default_rng(0).random((2, 784), dtype=np.float32)
        >>> tuple(low_rank(x).shape)
        (2, 256)
        >>> full = LowRankDense.from_dense(dense, rank=256)   # full rank: the same outputs as the Dense layer
        >>> bool(np.allclose(full(x), dense(x), atol=1e-4))
        True
    """

    def __init__(
        self,
        units,
        rank,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_int("units", units, 1)
        self.rank = check_int("rank", rank, 1)
        self.activation = keras.activations.get(activation)
        self.use_bias = check_bool("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        in_features = int(input_shape[-1])
        check_int("rank", self.rank, 1, min(in_features, self.units))
        self.u = self.add_weight(name="u", shape=(in_features, self.rank), initializer=self.kernel_initializer)
        self.v = self.add_weight(name="v", shape=(self.rank, self.units), initializer=self.kernel_initializer)
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def call(self, inputs):
        x = ops.matmul(ops.matmul(ops.cast(inputs, self.compute_dtype), self.u), self.v)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    @classmethod
    def from_dense(cls, dense, rank=None, energy=None, name=None):
        """Builds a LowRankDense equal to the best rank-r approximation of a built `Dense` layer.

        Give exactly one of `rank` and `energy`.

        Args:
            dense: a built `keras.layers.Dense` with an `(m, n)` kernel.
            rank: int r in [1, min(m, n)]; or
            energy: float in (0, 1]: keep the smallest r whose squared singular values reach this fraction of
                the kernel's squared Frobenius norm.
            name: the new layer's name; by default "<dense name>_rank<r>".

        Returns:
            A built `LowRankDense` with `dense`'s activation, bias and dtype policy; `dense` is not changed.

        Raises:
            TypeError: `dense` is not a built `keras.layers.Dense`.
            ValueError: both or neither of `rank` and `energy`; `rank` outside [1, min(m, n)]; `energy`
                outside (0, 1].

        Example:
            >>> import keras
            >>> from keras_mf.layers import LowRankDense
            >>> dense = keras.layers.Dense(8)
            >>> dense.build((None, 16))
            >>> LowRankDense.from_dense(dense, energy=1.0).rank    # all the energy needs the full rank
            8
        """
        if not isinstance(dense, keras.layers.Dense) or not dense.built:
            raise TypeError(
                f"Received an invalid value for `dense`, expected a built keras.layers.Dense. Received: {dense!r}"
            )
        kernel = ops.convert_to_numpy(dense.kernel).astype(np.float64)
        m, n = kernel.shape
        # A one-off float64 SVD of one kernel: numpy, on the host, whatever the backend.
        a, s, bt = np.linalg.svd(kernel, full_matrices=False)
        rank = choose_rank(s, rank, energy, min(m, n))
        root = np.sqrt(s[:rank])
        layer = cls(
            units=n,
            rank=rank,
            activation=dense.activation,
            use_bias=dense.use_bias,
            name=name or f"{dense.name}_rank{rank}",
            dtype=dense.dtype_policy,
        )
        layer.build((None, m))
        layer.u.assign((a[:, :rank] * root).astype(layer.u.dtype))
        layer.v.assign((root[:, None] * bt[:rank]).astype(layer.v.dtype))
        if dense.use_bias:
            layer.bias.assign(dense.bias)
        return layer

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "rank": self.rank,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
