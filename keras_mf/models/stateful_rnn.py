"""StatefulRNN: a recurrent Keras Model whose hidden state can persist across batches."""

import contextlib
import re
import sys

import keras
import numpy as np
from keras import ops

from keras_mf._inputs import tf_if_dataset
from keras_mf._validation import check_bool
from keras_mf._validation import check_int
from keras_mf._validation import check_optional_int
from keras_mf.layers.recurrent_cell import RecurrentCell

# Keras' batch size for arrays given to fit/evaluate/predict without one.
_KERAS_DEFAULT_BATCH = 32


@keras.saving.register_keras_serializable(package="keras_mf")
class StatefulRNN(keras.Model):
    """An Elman RNN, h_t = f(W x_t + U h_{t-1} + b), with an output y = g(W' h + b').

    With `stateful=True` the hidden state lives in a non-trainable variable of shape
    `(batch_size, units)`: each call starts from the state the previous call ended in, across the
    batches of `fit`, `predict` and `train_on_batch`, until `reset_state()` zeroes it. That is what
    truncated backpropagation through time needs: feed a long sequence in consecutive chunks and the
    state carries over, while gradients stop at the chunk boundary.

    Saving: the state variable is saved with the weights, so a loaded stateful model continues from
    the saved state; call `reset_state()` for a fresh start.

    A stateful model takes batches of exactly `batch_size` rows. `fit`, `evaluate` and `predict` check arrays
    before anything runs (their `batch_size`, default 32 as in Keras, must equal the model's, and the rows
    divide into it); a dataset's batches are checked as they come, and a wrong one raises the same ValueError
    before the recurrence sees it.

    Args:
        units: int ≥ 1, the size of the hidden state.
        output_dim: int ≥ 1, the size of y.
        activation: f, default "tanh".
        output_activation: g, default "softmax" (class probabilities).
        return_sequences: bool, return y_t for every step `(batch, time, output_dim)` instead of the last
            `(batch, output_dim)`.
        stateful: bool, keep the state across calls.
        batch_size: int ≥ 1, the fixed batch size a stateful model's state has; required when `stateful`.
        unroll: bool, unroll the time loop (faster for short sequences, more memory).
        **kwargs: `keras.Model` arguments (`name`, ...).

    Input shape: `(batch, time, features)`, float. Output shape: `(batch, output_dim)`, or
    `(batch, time, output_dim)` with `return_sequences`.

    Raises:
        ValueError: `units`, `output_dim` or `batch_size` not a positive integer; `stateful` without
            `batch_size`; inputs that are not `(batch, time, features)`; for a stateful model, batches of another
            size than `batch_size` (also arrays whose rows do not divide into it, checked before `fit`,
            `evaluate` or `predict` runs).
        TypeError: a bool option that is not a bool.

    References:
        Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
        https://doi.org/10.1207/s15516709cog1402_1

        Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of
        recurrent network trajectories. Neural Computation 2(4), 490–501. https://doi.org/10.1162/neco.1990.2.4.490

    Example:
        Truncated backpropagation through time: each image's 28 rows in 4 chunks of 7, the state carried
        from chunk to chunk and zeroed before the next images.

        >>> import keras
        >>> import numpy as np
        >>> from keras_mf.models import StatefulRNN
        >>> keras.utils.set_random_seed(0)
        >>> images = np.random.default_rng(0).random((8, 28, 28), dtype=np.float32)   # (batch, time, features)
        >>> labels = np.arange(8) % 10
        >>> model = StatefulRNN(units=16, output_dim=10, stateful=True, batch_size=8)
        >>> model.compile("adam", "sparse_categorical_crossentropy")
        >>> for chunk in np.split(images, 4, axis=1):     # (8, 7, 28) each
        ...     loss = model.train_on_batch(chunk, labels)
        >>> bool(np.any(np.asarray(model.state) != 0))   # the state the last chunk ended in
        True
        >>> model.reset_state()                            # before the next batch of images
        >>> float(np.abs(np.asarray(model.state)).max())
        0.0
    """

    def __init__(
        self,
        units,
        output_dim,
        activation="tanh",
        output_activation="softmax",
        return_sequences=False,
        stateful=False,
        batch_size=None,
        unroll=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_int("units", units, 1)
        self.output_dim = check_int("output_dim", output_dim, 1)
        self.return_sequences = check_bool("return_sequences", return_sequences)
        self.stateful = check_bool("stateful", stateful)
        self.batch_size = check_optional_int("batch_size", batch_size, 1)
        self.unroll = check_bool("unroll", unroll)
        if self.stateful and self.batch_size is None:
            raise ValueError(
                "Received an invalid value for `batch_size`, expected a positive integer when "
                "`stateful=True` (the state has one row per example). Received: batch_size=None"
            )
        self.cell = RecurrentCell(units, activation=activation, name="cell")
        self.recurrence = keras.layers.RNN(
            self.cell, return_sequences=self.return_sequences, return_state=True, unroll=self.unroll, name="rnn"
        )
        self.head = keras.layers.Dense(output_dim, activation=output_activation, name="head")
        self.activation = keras.activations.serialize(self.cell.activation)
        self.output_activation = keras.activations.serialize(self.head.activation)

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        self.recurrence.build(input_shape)
        self.head.build((None, self.units))
        if self.stateful:
            self.state = self.add_weight(
                name="state", shape=(self.batch_size, self.units), initializer="zeros", trainable=False
            )
        self.built = True

    def call(self, inputs, training=None):
        self._check_input_shape(inputs.shape)
        if self.stateful:
            # A copy: under PyTorch the variable's tensor itself would be saved for the backward pass, and the
            # `assign` below changes it in place, which autograd refuses.
            initial = [ops.copy(self.state)]
            if inputs.shape[0] is None:
                inputs = self._assert_batch_rows(inputs)
        else:
            initial = None
        outputs, final = self.recurrence(inputs, initial_state=initial, training=training)
        if self.stateful:
            self.state.assign(final)
        return self.head(outputs)

    def reset_state(self, rows=None):
        """Zeroes the hidden state: all rows, or the rows (examples) listed in `rows`.

        Does nothing for a model that is not stateful or not built yet (its state is zero then).

        Args:
            rows: None for every row, or an int or ints in [0, batch_size − 1]: the examples whose sequence
                ended (an empty list zeroes none).

        Raises:
            ValueError: `rows` not integers in [0, batch_size − 1].

        Example:
            >>> import numpy as np
            >>> from keras_mf.models import StatefulRNN
            >>> model = StatefulRNN(units=3, output_dim=2, stateful=True, batch_size=2)
            >>> _ = model(np.ones((2, 4, 5), np.float32))
            >>> model.reset_state(rows=[0])
            >>> [bool(np.any(row != 0)) for row in np.asarray(model.state)]
            [False, True]
        """
        if not self.stateful:
            return
        if not self.built:
            return
        if rows is None:
            self.state.assign(ops.zeros(self.state.shape, self.state.dtype))
            return
        rows = np.atleast_1d(np.asarray(rows))
        if rows.size == 0:
            return  # no sequence ended in this batch
        if rows.dtype.kind not in "iu" or rows.min() < 0 or rows.max() >= self.batch_size:
            raise ValueError(
                f"Received an invalid value for `rows`, expected indices in [0, {self.batch_size - 1}]. "
                f"Received: rows={rows.tolist()}"
            )
        keep = np.ones((self.batch_size, 1), dtype=self.state.dtype)
        keep[rows] = 0
        self.state.assign(self.state * keep)

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """`keras.Model.fit`, with a stateful model's batches checked first.

        Args:
            x: inputs `(n, time, features)` (array or tensor) or a batched `tf.data.Dataset` of `(x, y)`.
            y: targets `(n,)` or `(n, time)`; None for a dataset.
            batch_size: int; for a stateful model, the model's `batch_size` (None means Keras' 32 for arrays).
            **kwargs: the other arguments of `keras.Model.fit` (`epochs`, `callbacks`, `shuffle`, ...).

        Returns:
            Keras' `History`.

        Raises:
            ValueError: for a stateful model, `batch_size` other than the model's, arrays whose rows do not divide
                into batches of `batch_size` rows, or a dataset batch of another size (checked before it runs).

        Example:
            >>> import numpy as np
            >>> from keras_mf.models import StatefulRNN
            >>> model = StatefulRNN(units=4, output_dim=2, stateful=True, batch_size=4)
            >>> model.compile("adam", "sparse_categorical_crossentropy")
            >>> model.fit(np.zeros((6, 3, 5), np.float32), np.zeros(6), batch_size=4)     # 6 rows: 4, then 2
            Traceback (most recent call last):
            ...
            ValueError: StatefulRNN 'stateful_rnn...' is stateful with batch_size=4; every batch must have exactly ...
        """
        self._check_data_rows(x, batch_size)
        with self._batch_errors():
            return super().fit(x, y, batch_size=batch_size, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, **kwargs):
        """`keras.Model.evaluate`, with a stateful model's batches checked first.

        Args:
            x: inputs `(n, time, features)` or a batched `tf.data.Dataset` of `(x, y)`.
            y: targets; None for a dataset.
            batch_size: int; for a stateful model, the model's `batch_size`.
            **kwargs: the other arguments of `keras.Model.evaluate`.

        Returns:
            The loss and metrics, as Keras returns them.

        Raises:
            ValueError: for a stateful model, `batch_size` other than the model's, arrays whose rows do not divide
                into batches of `batch_size` rows, or a dataset batch of another size (checked before it runs).
        """
        self._check_data_rows(x, batch_size)
        with self._batch_errors():
            return super().evaluate(x, y, batch_size=batch_size, **kwargs)

    def predict(self, x, batch_size=None, **kwargs):
        """`keras.Model.predict`, with a stateful model's batches checked first.

        Args:
            x: inputs `(n, time, features)` or a batched `tf.data.Dataset`.
            batch_size: int; for a stateful model, the model's `batch_size`.
            **kwargs: the other arguments of `keras.Model.predict`.

        Returns:
            A numpy array `(n, output_dim)`, or `(n, time, output_dim)` with `return_sequences`.

        Raises:
            ValueError: for a stateful model, `batch_size` other than the model's, arrays whose rows do not divide
                into batches of `batch_size` rows, or a dataset batch of another size (checked before it runs).

        Example:
            >>> import numpy as np
            >>> from keras_mf.models import StatefulRNN
            >>> model = StatefulRNN(units=4, output_dim=2, stateful=True, batch_size=4)
            >>> model.predict(np.zeros((8, 3, 5), np.float32), batch_size=4, verbose=0).shape
            (8, 2)
        """
        self._check_data_rows(x, batch_size)
        with self._batch_errors():
            return super().predict(x, batch_size=batch_size, **kwargs)

    def train_on_batch(self, x, *args, **kwargs):
        """`keras.Model.train_on_batch`, with a stateful model's batch size checked first.

        Args:
            x: one batch of inputs `(batch_size, time, features)`.
            *args: the other arguments of Keras' method (`y`, `sample_weight`, ...).
            **kwargs: its keyword arguments.

        Returns:
            What Keras' method returns.

        Raises:
            ValueError: for a stateful model, a batch of another size than `batch_size`.
        """
        self._check_data_rows(x, None, whole=True)
        with self._batch_errors():
            return super().train_on_batch(x, *args, **kwargs)

    def test_on_batch(self, x, *args, **kwargs):
        """`keras.Model.test_on_batch`, with a stateful model's batch size checked first.

        Args:
            x: one batch of inputs `(batch_size, time, features)`.
            *args: the other arguments of Keras' method (`y`, `sample_weight`, ...).
            **kwargs: its keyword arguments.

        Returns:
            What Keras' method returns.

        Raises:
            ValueError: for a stateful model, a batch of another size than `batch_size`.
        """
        self._check_data_rows(x, None, whole=True)
        with self._batch_errors():
            return super().test_on_batch(x, *args, **kwargs)

    def predict_on_batch(self, x):
        """`keras.Model.predict_on_batch`, with a stateful model's batch size checked first.

        Args:
            x: one batch of inputs `(batch_size, time, features)`.

        Returns:
            A numpy array `(batch_size, output_dim)`, or `(batch_size, time, output_dim)` with `return_sequences`.

        Raises:
            ValueError: for a stateful model, a batch of another size than `batch_size`.
        """
        self._check_data_rows(x, None, whole=True)
        with self._batch_errors():
            return super().predict_on_batch(x)

    def _batch_message(self):
        return (
            f"StatefulRNN '{self.name}' is stateful with batch_size={self.batch_size}; every batch must have "
            "exactly that many rows (batch with drop_remainder=True)"
        )

    def _check_data_rows(self, x, batch_size, whole=False):
        """Refuses, before any compiled step, arrays whose batches would not all have `self.batch_size` rows,
        and datasets whose batch size is known and different (unknown ones are checked by `_assert_batch_rows`)."""
        if not self.stateful or x is None:
            return
        dataset = tf_if_dataset(x)
        if dataset is not None:
            spec = x.element_spec[0] if isinstance(x.element_spec, tuple) else x.element_spec
            rows = getattr(spec, "shape", None)
            rows = None if rows is None or rows.rank is None else rows[0]
            if rows is not None and rows != self.batch_size:
                raise ValueError(f"{self._batch_message()}. Received: x, a dataset of batches of {rows} rows")
            return
        shape = getattr(x, "shape", None)
        if shape is None or len(shape) == 0:
            return
        rows = int(shape[0])
        size = rows if whole else batch_size or _KERAS_DEFAULT_BATCH
        if size != self.batch_size or rows % size:
            last = rows % size or size
            raise ValueError(
                f"{self._batch_message()}. Received: x with {rows} rows in batches of batch_size={size} "
                f"(the last of {last} rows)"
            )

    @contextlib.contextmanager
    def _batch_errors(self):
        """Turns the runtime assertion of `_assert_batch_rows` (a TensorFlow error) into our ValueError."""
        tf = sys.modules.get("tensorflow") if keras.backend.backend() == "tensorflow" else None
        if tf is None:
            yield
            return
        try:
            yield
        except tf.errors.InvalidArgumentError as error:
            # The graph quotes the message with its quotes escaped: match the part without them.
            if self._batch_message().split("; ", 1)[1] not in str(error.message):
                raise
            rows = re.search(r"= \] \[(\d+)\] \[y", str(error.message))
            received = f"a batch of {rows.group(1)} rows" if rows else "a batch of another size"
            raise ValueError(f"{self._batch_message()}. Received: x with {received}") from None

    def _assert_batch_rows(self, inputs):
        """`inputs`, made to depend on a runtime check of their row count: only TensorFlow traces with an
        unknown batch size (JAX and PyTorch see concrete shapes, which `_check_input_shape` checks), and an
        assertion that nothing depends on may run after the recurrence has already failed on the shapes."""
        import tensorflow as tf

        check = tf.debugging.assert_equal(tf.shape(inputs)[0], self.batch_size, message=self._batch_message())
        with tf.control_dependencies([check] if check is not None else []):
            return tf.identity(inputs)

    def _check_input_shape(self, shape):
        shape = tuple(shape)
        if len(shape) != 3:
            raise ValueError(
                f"StatefulRNN '{self.name}' expects inputs of shape (batch, time, features). "
                f"Received: inputs with shape {shape}"
            )
        if self.stateful and shape[0] is not None and shape[0] != self.batch_size:
            raise ValueError(
                f"StatefulRNN '{self.name}' is stateful with batch_size={self.batch_size}; every batch "
                f"must have that many rows. Received: inputs with shape {shape}"
            )

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_dim)
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_dim": self.output_dim,
                "activation": self.activation,
                "output_activation": self.output_activation,
                "return_sequences": self.return_sequences,
                "stateful": self.stateful,
                "batch_size": self.batch_size,
                "unroll": self.unroll,
            }
        )
        return config
