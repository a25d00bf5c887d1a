"""The MNIST classifier that `keras-mf-compress` and `benchmarks/svd.py` train and then compress, and the small CNN
that deep SymNMF clustering trains on its own clusters."""

import keras


def mlp_classifier(hidden_units, input_dim=784, classes=10, learning_rate=1e-3):
    """A compiled `keras.Sequential` MLP: `hidden_units` ReLU Dense layers and a softmax Dense head.

    Args:
        hidden_units: widths of the hidden layers, e.g. `(512, 256)`.
        input_dim: int, features per example: inputs are `(batch, input_dim)` floats.
        classes: int, output size: outputs are `(batch, classes)` probabilities.
        learning_rate: float, Adam's learning rate; loss sparse categorical cross-entropy, metric accuracy.

    Returns:
        A built, compiled `keras.Sequential` named "mlp".

    References:
        Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. ICLR 2015. arXiv:1412.6980.
        https://arxiv.org/abs/1412.6980

    Example:
        >>> from keras_mf.cli.experiments.classifier import mlp_classifier
        >>> model = mlp_classifier((16,), input_dim=4, classes=3)
        >>> model.output_shape, model.count_params()      # 4·16 + 16 + 16·3 + 3
        ((None, 3), 131)
    """
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden_units]
    layers.append(keras.layers.Dense(classes, activation="softmax"))
    model = keras.Sequential(layers, name="mlp")
    compile_classifier(model, learning_rate)
    return model


def cnn_classifier(image_shape, classes=10, learning_rate=1e-3):
    """A compiled small CNN on flat images: conv 32 3×3 → max-pool 2 → conv 64 3×3 → max-pool 2 → Dense 128 →
    softmax over `classes` (ReLU throughout), the classic Keras MNIST convnet's shape.

    Args:
        image_shape: `(height, width, channels)`, each side at least 10 (two 3×3 convolutions and two poolings);
            inputs are `(batch, height·width·channels)` floats.
        classes: output size: outputs are `(batch, classes)` probabilities.
        learning_rate: Adam's learning rate; loss sparse categorical cross-entropy, metric accuracy.

    Example:

    >>> from keras_mf.cli.experiments.classifier import cnn_classifier
    >>> model = cnn_classifier((16, 16, 1), classes=3)
    >>> model.input_shape, model.output_shape
    ((None, 256), (None, 3))
    """
    height, width, channels = image_shape
    model = keras.Sequential(
        [
            keras.Input((height * width * channels,)),
            keras.layers.Reshape((height, width, channels)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(classes, activation="softmax"),
        ],
        name="cnn",
    )
    compile_classifier(model, learning_rate)
    return model


def compile_classifier(model, learning_rate):
    """Compiles `model` with Adam, sparse categorical cross-entropy and accuracy (also after compression).

    Args:
        model: a `keras.Model` with class probabilities as output.
        learning_rate: float, Adam's learning rate.

    Example:
        >>> import keras
        >>> from keras_mf.cli.experiments.classifier import compile_classifier
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        >>> compile_classifier(model, 1e-3)
        >>> type(model.optimizer).__name__, model.loss
        ('Adam', 'sparse_categorical_crossentropy')
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
