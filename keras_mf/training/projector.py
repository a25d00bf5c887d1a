"""TensorBoard Projector embeddings: latent codes with their labels (and clusters) and a sprite of the digits."""

import math
import os

import numpy as np
import tensorflow as tf
from tensorboard.plugins import projector

from keras_mf._validation import invalid_value

# The Projector loads sprites of at most 8192 x 8192 pixels.
_SPRITE_PIXELS = 8192


def write_projector(logdir, codes, labels, images=None, clusters=None):
    """Writes a Projector embedding of `codes` under `logdir`, so `tensorboard --logdir` shows the code space.

    Writes `embedding.ckpt-1.*` (the codes as a checkpointed variable), `metadata.tsv` (the true label
    of each row; with `clusters`, a header and a second column "cluster"), `sprite.png` (with `images`:
    the digits, dark on white, in a square grid) and `projector_config.pbtxt` tying them together.

    Args:
        logdir: the run folder TensorBoard reads.
        codes: `(samples, code_size)` latent codes.
        labels: `(samples,)` true labels.
        images: optional `(samples, 784)` or `(samples, 28, 28)` images in [0, 1], one sprite tile each.
        clusters: optional `(samples,)` cluster ids (e.g. from k-means on the codes).

    Returns:
        The path of `projector_config.pbtxt`.

    Example:

    >>> write_projector("runs/ae", model.encode(x_eval), y_eval, images=x_eval)
    """
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2 or not len(codes) or not np.all(np.isfinite(codes)):
        raise invalid_value("codes", "a non-empty finite array of shape (samples, code_size)", codes.shape)
    columns = {"label": _column("labels", labels, len(codes))}
    if clusters is not None:
        columns["cluster"] = _column("clusters", clusters, len(codes))
    os.makedirs(logdir, exist_ok=True)
    rows = zip(*columns.values(), strict=True)
    # The Projector reads a one-column file without a header, and a header when there are several columns.
    lines = (["\t".join(columns)] if len(columns) > 1 else []) + ["\t".join(map(str, row)) for row in rows]
    with open(os.path.join(logdir, "metadata.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    checkpoint = tf.train.Checkpoint(embedding=tf.Variable(codes, name="embedding"))
    checkpoint.save(os.path.join(logdir, "embedding.ckpt"))
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    embedding.metadata_path = "metadata.tsv"
    if images is not None:
        embedding.sprite.image_path = "sprite.png"
        embedding.sprite.single_image_dim.extend(_write_sprite(os.path.join(logdir, "sprite.png"), images, len(codes)))
    projector.visualize_embeddings(logdir, config)
    return os.path.join(logdir, "projector_config.pbtxt")


def _column(name, values, count):
    values = np.asarray(values)
    if values.shape != (count,):
        raise invalid_value(name, f"an array of shape ({count},), one entry per row of `codes`", values.shape)
    return [str(v) for v in values.tolist()]


def _write_sprite(path, images, count):
    """Tiles the images into a square PNG and returns the tile size `[height, width]`."""
    images = np.asarray(images, np.float32)
    if len(images) != count or images[0].size != 784:
        raise invalid_value("images", f"an array of {count} images of 784 pixels (28 x 28)", images.shape)
    side = math.ceil(math.sqrt(count))
    if side * 28 > _SPRITE_PIXELS:
        raise invalid_value("images", f"at most {(_SPRITE_PIXELS // 28) ** 2} images for one sprite", images.shape)
    tiles = np.ones((side * side, 28, 28), np.float32)
    tiles[:count] = 1.0 - np.clip(images.reshape(count, 28, 28), 0.0, 1.0)
    grid = tiles.reshape(side, side, 28, 28).transpose(0, 2, 1, 3).reshape(side * 28, side * 28)
    png = tf.io.encode_png(np.round(grid * 255).astype(np.uint8)[:, :, None])
    tf.io.write_file(path, png)
    return [28, 28]
