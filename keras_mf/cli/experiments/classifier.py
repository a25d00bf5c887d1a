"""The MNIST classifier that `keras-mf-compress` and `benchmarks/svd.py` train and then compress."""

import keras


def mlp_classifier(hidden_units, input_dim=784, classes=10, learning_rate=1e-3):
    """A compiled `keras.Sequential` MLP: `hidden_units` ReLU Dense layers and a softmax Dense head.

    Args:
        hidden_units: widths of the hidden layers, e.g. `(512, 256)`.
        input_dim: features per example: inputs are `(batch, input_dim)` floats.
        classes: output size: outputs are `(batch, classes)` probabilities.
        learning_rate: Adam's learning rate; loss sparse categorical cross-entropy, metric accuracy.

    Example:

    >>> model = mlp_classifier((16,), input_dim=4, classes=3)
    >>> model.output_shape
    (None, 3)
    """
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden_units]
    layers.append(keras.layers.Dense(classes, activation="softmax"))
    model = keras.Sequential(layers, name="mlp")
    compile_classifier(model, learning_rate)
    return model


def compile_classifier(model, learning_rate):
    """Compiles `model` with Adam, sparse categorical cross-entropy and accuracy (also after compression)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
