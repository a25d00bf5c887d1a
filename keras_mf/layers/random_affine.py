"""RandomAffine: a random shift and rotation of each image, for training on images that may sit a little off
centre or tilted (deep clustering's augmentation). Computes in `keras.ops` (any Keras backend)."""

import math

import keras
from keras import ops

from keras_mf._validation import check_int
from keras_mf._validation import invalid_value


def affine_images(images, angles, shifts):
    """Rotates each image of `images (batch, height, width, channels)` by `angles (batch,)` radians about its centre
    and shifts it by `shifts (batch, 2)` pixels (x to the right, y down), with bilinear interpolation and 0 outside
    the image. One resampling for both moves, so the image is blurred once, not twice.

    As the transform `keras.ops.image.affine_transform` takes (output point → input point): the output pixel p
    reads the input at c + R(θ)(p − c) − s, with c the centre ((width − 1)/2, (height − 1)/2), R(θ) =
    [[cos θ, −sin θ], [sin θ, cos θ]] and s the shift; so a positive θ turns the image counter-clockwise as
    displayed (y pointing down).

    Returns:
        Images of the same shape and dtype.

    Example:

    >>> from keras_mf.layers.random_affine import affine_images
    >>> import numpy as np
    >>> image = np.zeros((1, 5, 5, 1), "float32")
    >>> image[0, 2, 1, 0] = 1.0                                  # one lit pixel at x = 1, y = 2
    >>> moved = affine_images(image, np.zeros(1, "float32"), np.array([[2.0, 0.0]], "float32"))
    >>> [int(i) for i in np.argwhere(np.asarray(moved)[0, :, :, 0] > 0.5)[0]]   # (y, x): moved 2 to the right
    [2, 3]
    """
    shape = ops.shape(images)
    cx, cy = (shape[2] - 1) / 2.0, (shape[1] - 1) / 2.0
    cos, sin = ops.cos(angles), ops.sin(angles)
    shift_x, shift_y = shifts[:, 0], shifts[:, 1]
    zeros = ops.zeros_like(angles)
    transform = ops.stack(
        [
            cos,
            -sin,
            cx - cos * cx + sin * cy - shift_x,
            sin,
            cos,
            cy - sin * cx - cos * cy - shift_y,
            zeros,
            zeros,
        ],
        axis=1,
    )
    return ops.image.affine_transform(
        images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0, data_format="channels_last"
    )


@keras.saving.register_keras_serializable(package="keras_mf")
class RandomAffine(keras.layers.Layer):
    """Shifts each image by up to `max_shift` of its side in x and in y and rotates it by up to `max_rotation`
    degrees about its centre (each drawn uniformly, independently per image and per call), in one bilinear
    resampling with 0 outside the image (see `affine_images`). Only when called with `training=True`, like
    Keras' augmentation layers; otherwise the input passes unchanged.

    Flat inputs `(batch, height·width·channels)` (an MLP autoencoder's) are reshaped to `image_shape` for the
    transform and back.

    Args:
        image_shape: `(height, width)` or `(height, width, channels)` of one image.
        max_shift: largest shift as a fraction of the image's side, in [0, 1).
        max_rotation: largest rotation in degrees, in [0, 180].
        seed: seed of the draws (a `keras.random.SeedGenerator` is made from it).

    Input shape: `(batch, height·width·channels)` or `(batch, height, width, channels)`. Output: the same.

    Example:

    >>> from keras_mf.layers.random_affine import RandomAffine
    >>> import numpy as np
    >>> layer = RandomAffine((8, 8), seed=0)
    >>> x = np.random.default_rng(0).random((4, 64), dtype=np.float32)
    >>> tuple(layer(x, training=True).shape)
    (4, 64)
    >>> bool(np.array_equal(np.asarray(layer(x)), x))           # inference: unchanged
    True

    References:
        Simard, P. Y., Steinkraus, D. & Platt, J. C. (2003). Best Practices for Convolutional Neural Networks
        Applied to Visual Document Analysis. ICDAR 2003. https://doi.org/10.1109/ICDAR.2003.1227801
    """

    def __init__(self, image_shape, max_shift=0.07, max_rotation=10.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape("image_shape", image_shape)
        self.max_shift = _check_range("max_shift", max_shift, 0.0, 1.0, "[0, 1)", closed=False)
        self.max_rotation = _check_range("max_rotation", max_rotation, 0.0, 180.0, "[0, 180]")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        size = math.prod(self.image_shape)
        trailing = tuple(input_shape[1:])
        if trailing not in ((size,), self.image_shape):
            expected = f"batches of shape (batch, {size}) or (batch, {', '.join(map(str, self.image_shape))})"
            raise invalid_value("inputs", expected, f"shape {tuple(input_shape)}")
        self.built = True

    def call(self, inputs, training=None):
        if not training:
            return inputs
        shape = ops.shape(inputs)
        images = ops.reshape(inputs, (-1,) + self.image_shape)
        batch = ops.shape(images)[0]
        radians = self.max_rotation * math.pi / 180.0
        angles = keras.random.uniform((batch,), -radians, radians, seed=self.seed_generator)
        side = ops.convert_to_tensor([self.image_shape[1], self.image_shape[0]], dtype=angles.dtype)
        limit = self.max_shift * side
        shifts = keras.random.uniform((batch, 2), -1.0, 1.0, seed=self.seed_generator) * limit
        return ops.reshape(affine_images(images, angles, shifts), shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_shape": self.image_shape,
                "max_shift": self.max_shift,
                "max_rotation": self.max_rotation,
                "seed": self.seed,
            }
        )
        return config


def check_image_shape(name, image_shape):
    """`(height, width, channels)` from `(height, width)` or `(height, width, channels)` of positive integers."""
    shape = tuple(image_shape) if isinstance(image_shape, (tuple, list)) else None
    if shape is None or len(shape) not in (2, 3):
        raise invalid_value(name, "(height, width) or (height, width, channels)", image_shape)
    shape = tuple(check_int(name, side, 1) for side in shape)
    return shape if len(shape) == 3 else shape + (1,)


def _check_range(name, value, low, high, expected, closed=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_value(name, f"a number in {expected}", value)
    if not (low <= value <= high) or (not closed and value == high):
        raise invalid_value(name, f"a number in {expected}", value)
    return float(value)
