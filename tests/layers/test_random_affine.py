"""keras_mf.layers.RandomAffine and affine_images: the transform against scipy.ndimage, the drawn moves within their
bounds (read off the centroid of a single lit pixel, which bilinear interpolation moves exactly), identity outside
training, serialization and bad arguments."""

import keras
import numpy as np
import pytest
import scipy.ndimage
from roundtrip import assert_roundtrip

from keras_mf.layers import RandomAffine
from keras_mf.layers.random_affine import affine_images


# The batches' shapes are those the layer's tests below transform (under JAX each new shape compiles the transform).
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("batch, shape", [(3, (9, 7, 2)), (256, (21, 21, 1))])
def test_affine_images_match_scipy(seed, batch, shape):
    rng = np.random.default_rng(seed)
    images = rng.random((batch,) + shape).astype(np.float32)
    angles = rng.uniform(-0.6, 0.6, batch).astype(np.float32)
    shifts = rng.uniform(-2.5, 2.5, (batch, 2)).astype(np.float32)
    got = np.asarray(affine_images(images, angles, shifts))
    centre = np.array([(shape[0] - 1) / 2, (shape[1] - 1) / 2])  # (row, column) = (y, x)
    for b in range(batch):
        cos, sin = np.cos(angles[b]), np.sin(angles[b])
        # input (y, x) = c + R(θ)(output − c) − s, R acting on (x, y): in (row, column) order [[cos, sin], [−sin, cos]].
        matrix = np.array([[cos, sin], [-sin, cos]])
        offset = centre - matrix @ centre - shifts[b, ::-1]
        for channel in range(shape[2]):
            expected = scipy.ndimage.affine_transform(
                images[b, :, :, channel].astype(np.float64), matrix, offset=offset, order=1, mode="grid-constant"
            )
            np.testing.assert_allclose(got[b, :, :, channel], expected, atol=1e-5)  # float32 against float64


def _centroids(images):
    rows, columns = np.indices(images.shape[1:3])
    mass = images.sum(axis=(1, 2))
    return np.stack([(images * columns).sum(axis=(1, 2)) / mass, (images * rows).sum(axis=(1, 2)) / mass], 1)


def test_shifts_stay_within_max_shift_and_fill_it():
    # A lit pixel at the centre of a 21×21 image, no rotation: its centroid moves by the shift.
    images = np.zeros((256, 21 * 21), np.float32)
    images[:, 10 * 21 + 10] = 1.0
    moved = np.asarray(RandomAffine((21, 21), max_shift=0.1, max_rotation=0.0, seed=0)(images, training=True))
    shifts = _centroids(moved.reshape(-1, 21, 21)) - 10.0
    assert np.abs(shifts).max() <= 2.1 + 1e-4
    assert np.abs(shifts).max(axis=0).min() > 0.9 * 2.1  # both axes reach near the bound: uniform draws
    np.testing.assert_allclose(moved.sum(1), 1.0, atol=1e-5)  # bilinear weights sum to 1 inside the image


def test_rotations_stay_within_max_rotation():
    # A lit pixel 6 to the right of the centre, no shift: its centroid turns about the centre by the angle drawn.
    images = np.zeros((256, 21, 21, 1), np.float32)
    images[:, 10, 16, 0] = 1.0
    moved = np.asarray(RandomAffine((21, 21, 1), max_shift=0.0, max_rotation=10.0, seed=1)(images, training=True))
    offsets = _centroids(moved[..., 0]) - 10.0
    degrees = np.degrees(np.arctan2(offsets[:, 1], offsets[:, 0]))
    # The centroid of a bilinear resampling is exact for shifts; for a turn it is off by a small fraction of a degree.
    assert np.abs(degrees).max() <= 10.5
    assert np.abs(degrees).max() > 9.0


def test_identity_outside_training_and_with_zero_ranges():
    x = np.random.default_rng(0).random((3, 9 * 7 * 2)).astype(np.float32)
    layer = RandomAffine((9, 7, 2), seed=0)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    still = RandomAffine((9, 7, 2), max_shift=0.0, max_rotation=0.0, seed=0)
    np.testing.assert_allclose(np.asarray(still(x, training=True)), x, atol=1e-6)


def test_flat_and_image_inputs_agree_and_seed_repeats():
    x = np.random.default_rng(1).random((3, 9, 7, 2)).astype(np.float32)
    flat = np.asarray(RandomAffine((9, 7, 2), seed=7)(x.reshape(3, -1), training=True))
    image = np.asarray(RandomAffine((9, 7, 2), seed=7)(x, training=True))
    np.testing.assert_array_equal(flat, image.reshape(3, -1))
    assert not np.allclose(flat, x.reshape(3, -1))


def test_roundtrip(tmp_path):
    layer = RandomAffine((8, 8), max_shift=0.1, max_rotation=5.0, seed=3)
    x = np.random.default_rng(0).random((4, 64)).astype(np.float32)
    assert_roundtrip(layer, x, tmp_path)  # saved and loaded models run in inference mode: identical outputs
    assert keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer)).image_shape == (8, 8, 1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_shape": (8,)}, "`image_shape`"),
        ({"image_shape": (8, 0)}, "`image_shape`"),
        ({"image_shape": 64}, "`image_shape`"),
        ({"image_shape": (8, 8), "max_shift": 1.0}, "`max_shift`"),
        ({"image_shape": (8, 8), "max_shift": -0.1}, "`max_shift`"),
        ({"image_shape": (8, 8), "max_rotation": 200.0}, "`max_rotation`"),
        ({"image_shape": (8, 8), "max_rotation": "10"}, "`max_rotation`"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Received an invalid value for {match}"):
        RandomAffine(**kwargs)


def test_inputs_of_another_size_are_refused():
    with pytest.raises(ValueError, match="Received an invalid value for `inputs`.*\\(batch, 64\\)"):
        RandomAffine((8, 8))(np.zeros((2, 63), np.float32), training=True)
