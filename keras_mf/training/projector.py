"""TensorBoard Projector embeddings: latent codes with their labels (and clusters), drawn as the digits themselves,
coloured by label (or cluster), so the Projector opens on a coloured embedding without a click.

How TensorBoard 2.21's Projector picks what it shows (tensorboard/plugins/projector): it offers every run folder
whose `projector_config.pbtxt` names a tensor, and every run whose folder *or parent folder* holds a TensorFlow
checkpoint. The embedding is therefore a tensor file, not a checkpoint, so the run's sub-folders (`train`,
`validation`, ...) are not offered as embeddings without metadata. The Projector opens on the first tensor of the
first run with "No color map"; with a sprite it draws each point as its sprite tile in the tile's own colours,
which is why the tiles are the digits in their label's (cluster's) colour. "Color by: label" (or "cluster") in its
menu colours the same points by the metadata too.
"""

import math
import os

import numpy as np

from keras_mf._validation import invalid_value
from keras_mf.training.files import atomic_write_bytes
from keras_mf.training.files import atomic_write_text
from keras_mf.training.tables import tsv_cell

# The Projector loads sprites of at most 8192 x 8192 pixels.
_SPRITE_PIXELS = 8192
# d3's (and matplotlib's) ten categorical colours, the Projector's own palette for up to ten values.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
TENSOR_FILE = "embedding.tsv"
METADATA_FILE = "metadata.tsv"


# How each embedding's name ends. The Projector sorts a run's tensors by name and opens on the first: "label"
# sorts before "their cluster".
_COLOURED_BY = {"label": "coloured by label", "cluster": "coloured by their cluster"}


def write_projector(logdir, codes, labels, images=None, clusters=None, name="codes"):
    """Writes a Projector embedding of `codes` in `logdir`, so `tensorboard --logdir` shows the code space.

    Writes `embedding.tsv` (the codes, one row each), `metadata.tsv` (the column "label"; with `clusters`, a
    header and the columns "label" and "cluster"), with `images` one sprite per colouring (`sprite_label.png`,
    `sprite_cluster.png`: the digits, each in the colour of its label or cluster, on a transparent ground) and
    `projector_config.pbtxt` naming one embedding per colouring, the label's first. `logdir` must be a
    TensorBoard run (hold event files, e.g. the run's HParams), or the folder `tensorboard --logdir` is given.

    Args:
        logdir: the run folder TensorBoard reads.
        codes: `(samples, code_size)` latent codes, finite (written as float32).
        labels: `(samples,)` true labels (any values without tabs or line breaks).
        images: optional `(samples, 784)` or `(samples, 28, 28)` images in [0, 1], one sprite tile each.
        clusters: optional `(samples,)` cluster ids (e.g. from k-means on the codes).
        name: what the points are, for the Projector's tensor menu ("codes, coloured by label").

    Returns:
        The path of `projector_config.pbtxt`.

    Raises:
        ValueError: naming the argument, for arrays of the wrong shape, non-finite codes, or a label or cluster
            holding a tab or a line break (it would shift the metadata file's rows and columns).

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.training import write_projector
        >>> folder = tempfile.mkdtemp()
        >>> path = write_projector(folder, np.eye(3, 2), np.array([7, 1, 7]), clusters=np.array([0, 1, 0]))
        >>> sorted(os.listdir(folder))
        ['embedding.tsv', 'metadata.tsv', 'projector_config.pbtxt']
        >>> open(os.path.join(folder, "metadata.tsv")).read().splitlines()
        ['label\\tcluster', '7\\t0', '1\\t1', '7\\t0']
    """
    codes = np.asarray(codes, np.float32)
    if codes.ndim != 2 or not len(codes) or not np.all(np.isfinite(codes)):
        raise invalid_value("codes", "a non-empty finite array of shape (samples, code_size)", codes.shape)
    raw = {"label": labels} if clusters is None else {"label": labels, "cluster": clusters}
    columns = {column: _column(f"{column}s", values, len(codes)) for column, values in raw.items()}
    if images is not None:
        images = _check_images(images, len(codes))
    # The Projector reads a header only with several columns; a single column is named "label" without one.
    header = ["\t".join(columns)] if len(columns) > 1 else []
    rows = header + ["\t".join(row) for row in zip(*columns.values(), strict=True)]
    atomic_write_text(os.path.join(logdir, METADATA_FILE), "\n".join(rows) + "\n")
    atomic_write_text(os.path.join(logdir, TENSOR_FILE), _tsv_rows(codes))

    from tensorboard.plugins import projector

    config = projector.ProjectorConfig()
    for column, values in raw.items():
        embedding = config.embeddings.add()
        embedding.tensor_name = f"{name}, {_COLOURED_BY[column]}"
        embedding.tensor_path = TENSOR_FILE
        embedding.tensor_shape.extend(codes.shape)
        embedding.metadata_path = METADATA_FILE
        if images is not None:
            embedding.sprite.image_path = f"sprite_{column}.png"
            embedding.sprite.single_image_dim.extend([28, 28])
            atomic_write_bytes(os.path.join(logdir, embedding.sprite.image_path), _sprite_png(images, values))
    from google.protobuf import text_format

    path = os.path.join(logdir, "projector_config.pbtxt")
    atomic_write_text(path, text_format.MessageToString(config))
    return path


def _column(name, values, count):
    values = np.asarray(values)
    if values.shape != (count,):
        raise invalid_value(name, f"an array of shape ({count},), one entry per row of `codes`", values.shape)
    return [tsv_cell(name, v) for v in values.tolist()]


def _tsv_rows(codes):
    # Nine significant digits give float32 back exactly.
    return "".join("\t".join(f"{v:.9g}" for v in row) + "\n" for row in codes.tolist())


def _check_images(images, count):
    images = np.asarray(images, np.float32)
    if len(images) != count or images[0].size != 784:
        raise invalid_value("images", f"an array of {count} images of 784 pixels (28 x 28)", images.shape)
    if math.ceil(math.sqrt(count)) * 28 > _SPRITE_PIXELS:
        raise invalid_value("images", f"at most {(_SPRITE_PIXELS // 28) ** 2} images for one sprite", images.shape)
    return np.clip(images.reshape(count, 28, 28), 0.0, 1.0)


def sprite_colours(values):
    """Each value's colour: `PALETTE`'s colour of the value's rank among the distinct values (cycling after ten).

    Args:
        values: `(samples,)` labels or cluster ids, any sortable dtype.

    Returns:
        A float numpy array `(samples, 3)` of RGB in [0, 1].

    Example:
        >>> from keras_mf.training.projector import sprite_colours
        >>> sprite_colours([7, 3, 7]).round(3).tolist()     # 3 is the first distinct value: PALETTE[0]
        [[1.0, 0.498, 0.055], [0.122, 0.467, 0.706], [1.0, 0.498, 0.055]]
    """
    _, ranks = np.unique(np.asarray(values), return_inverse=True)
    rgb = np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in PALETTE])
    return rgb[ranks.reshape(-1) % len(PALETTE)]


def _sprite_png(images, values):
    """The digits tiled into a square RGBA PNG: ink in the colour of each one's value, the ground transparent
    (the Projector discards transparent pixels, so neighbouring digits do not hide each other)."""
    import tensorflow as tf

    count = len(images)
    side = math.ceil(math.sqrt(count))
    tiles = np.zeros((side * side, 28, 28, 4), np.float32)
    tiles[:count, :, :, :3] = sprite_colours(values)[:, None, None, :]
    tiles[:count, :, :, 3] = images
    grid = tiles.reshape(side, side, 28, 28, 4).transpose(0, 2, 1, 3, 4).reshape(side * 28, side * 28, 4)
    return tf.io.encode_png(np.round(grid * 255).astype(np.uint8)).numpy()
