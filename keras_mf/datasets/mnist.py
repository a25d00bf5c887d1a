"""MNIST and Fashion-MNIST as `tf.data.Dataset`s, from tfds, an IDX folder, or the bundled test split.

Sources, in the order `source="auto"` tries them:
  - "tfds": `tensorflow_datasets`, prepared locally or downloaded when the network answers within seconds.
  - "idx": a folder of the standard IDX files, gzipped or not: `data_dir`, else the environment variable
    `KERAS_MF_MNIST_DIR` (`KERAS_MF_FASHION_MNIST_DIR`), else for Fashion-MNIST the folder Debian's
    `dataset-fashion-mnist` package installs.
  - "bundled" (MNIST only): the real MNIST test split, 10,000 images, shipped inside this package and
    checked against its MD5SUMS on first read.
"""

import functools
import os
import sys

import numpy as np

from keras_mf._validation import check_choice
from keras_mf._validation import check_int
from keras_mf.datasets import SOURCES
from keras_mf.datasets.idx import read_idx
from keras_mf.datasets.idx import verify_md5sums
from keras_mf.datasets.sources import BUNDLED_DIR  # noqa: F401  (re-exported: where the bundled split lives)
from keras_mf.datasets.sources import FILES
from keras_mf.datasets.sources import find_file
from keras_mf.datasets.sources import resolve_source
from keras_mf.datasets.splits import parse_split
from keras_mf.datasets.splits import resolve_bounds

_SHAPES = {"flat": (784,), "image": (28, 28, 1), "sequence": (28, 28)}
_TARGETS = ("labels", "images", None)


def load_mnist(split=None, source="auto", data_dir=None, **kwargs):
    """Loads MNIST as a `tf.data.Dataset` of `(image, label)` with pixels in [0, 1].

    Args:
        split: tfds split string: "train", "test", "test[:8000]", "test[8000:]", "train[:80%]+test". None (the
            default) is "train" when the source holds MNIST's training split, else "test[:8000]", the part of
            the test split the commands train on offline (the source line says which).
        source: "auto", "tfds", "idx" or "bundled" (see the module docstring).
        data_dir: the IDX folder for source "idx" (or "auto"); for "tfds", its data directory.
        shape: "flat" gives images of shape `(784,)`, "image" `(28, 28, 1)`, "sequence" `(28, 28)`
            (28 time steps of 28 pixels, for recurrent models).
        batch_size: if given, the dataset is batched; `drop_remainder` as in `tf.data.Dataset.batch`.
        shuffle: shuffle the examples each epoch, reproducibly for a given `seed` (with `as_numpy`, the
            arrays come in one shuffled order).
        targets: "labels" gives `(image, label)`, "images" gives `(image, image)` for autoencoders,
            None gives images alone.
        as_numpy: return numpy arrays `(x, y)` (or `x` alone when `targets=None`) instead of a dataset;
            `batch_size` must then be None. TensorFlow is not loaded for numpy arrays from IDX files.
        verbose: print one line naming the source and split used.

    Returns:
        A `tf.data.Dataset`, or numpy arrays with `as_numpy=True`. Images are float32, labels int64.

    Raises:
        ValueError: an unknown argument value, a split the source does not hold (the message names the split to
            ask for), or a source that cannot be read (naming `source` or `data_dir`).

    Example:

    >>> train = load_mnist("test[:8000]", source="bundled", batch_size=128, shuffle=True, seed=0)
    >>> x, y = load_mnist("test[8000:]", source="bundled", as_numpy=True, verbose=False)
    >>> x.shape, y.shape
    ((2000, 784), (2000,))
    """
    return _load("mnist", split, source, data_dir, **kwargs)


def load_fashion_mnist(split=None, source="auto", data_dir=None, **kwargs):
    """Loads Fashion-MNIST the same way as `load_mnist` (there is no bundled copy)."""
    return _load("fashion_mnist", split, source, data_dir, **kwargs)


def _load(
    name,
    split,
    source,
    data_dir,
    shape="flat",
    batch_size=None,
    shuffle=False,
    seed=None,
    targets="labels",
    as_numpy=False,
    drop_remainder=False,
    verbose=True,
):
    check_choice("source", source, SOURCES)
    check_choice("shape", shape, tuple(_SHAPES))
    check_choice("targets", targets, _TARGETS)
    if batch_size is not None:
        check_int("batch_size", batch_size, 1)
        if as_numpy:
            raise ValueError(
                "Received an invalid value for `batch_size`, expected None with `as_numpy=True` (the arrays "
                f"hold every example; batch them in your loop or drop `as_numpy`). Received: batch_size={batch_size}"
            )
    images, labels, used, split = _read(name, split, source, data_dir)
    if verbose:
        print(f"keras_mf: {name} split {split} from {used} ({len(images)} examples)", file=sys.stderr)
    if as_numpy:
        if shuffle:
            order = np.random.default_rng(seed).permutation(len(images))
            images, labels = images[order], labels[order]
        x = (images.astype(np.float32) / 255.0).reshape((-1,) + _SHAPES[shape])
        if targets is None:
            return x
        return (x, x) if targets == "images" else (x, labels.astype(np.int64))
    return _to_dataset(images, labels, shape, batch_size, shuffle, seed, targets, drop_remainder)


def _to_dataset(images, labels, shape, batch_size, shuffle, seed, targets, drop_remainder):
    from keras_mf.training.quiet import quiet_tensorflow

    # Loaded here, quietly: numpy arrays from IDX files need no TensorFlow.
    tf = quiet_tensorflow(command=False)
    # The dataset holds uint8 pixels (a quarter of the float size) and scales them lazily.
    ds = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int64)))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    target_shape = _SHAPES[shape]

    def scale(image, label):
        x = tf.reshape(tf.cast(image, tf.float32) / 255.0, target_shape)
        if targets is None:
            return x
        return (x, x) if targets == "images" else (x, label)

    ds = ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    if batch_size is not None:
        ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def _read(name, split, source, data_dir):
    """Returns `(images uint8 (n, 28, 28), labels uint8 (n,), description of the source, of the split)`."""
    chosen = resolve_source(source, data_dir, name)
    if chosen.kind == "tfds":
        tfds_split = "train" if split is None else split
        result = _read_tfds(name, tfds_split, chosen.folder if source == "tfds" else None, source == "tfds")
        if result is not None:
            return (*result, repr(tfds_split))
        chosen = resolve_source(source, data_dir, name, skip_tfds=True)
    folder, verify = chosen.folder, chosen.kind == "bundled"
    described = None
    if split is None:
        split = chosen.default_splits()[0]
        if split != "train":
            described = f"{split!r} (the default: no 'train' split here, so the part of 'test' the commands train on)"
    images, labels = _slice(split, lambda part: _read_idx_pair(folder, part, verify), chosen.splits)
    return images, labels, chosen.description, described or repr(split)


def _slice(split, read_part, available):
    pieces = []
    for part, start, stop in parse_split(split, available):
        images, labels = read_part(part)
        begin, end = resolve_bounds(start, stop, len(images))
        pieces.append((images[begin:end], labels[begin:end]))
    images = np.concatenate([p[0] for p in pieces])
    labels = np.concatenate([p[1] for p in pieces])
    return images, labels


@functools.lru_cache(maxsize=8)
def _read_idx_pair(folder, part, verify):
    image_name, label_name = FILES[part]
    image_path = find_file(folder, image_name)
    label_path = find_file(folder, label_name)
    if verify:
        verify_md5sums(folder, [os.path.basename(image_path), os.path.basename(label_path)])
    images = read_idx(image_path, 3)
    labels = read_idx(label_path, 1)
    if len(images) != len(labels):
        raise ValueError(f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels")
    if images.shape[1:] != (28, 28):
        raise ValueError(f"{image_path}: expected 28x28 images, found {images.shape[1:]}")
    return images, labels


def _read_tfds(name, split, data_dir, required):
    """Reads through tfds (prepared, or downloaded now); returns None (for "auto") when that fails."""
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow(command=False)
    try:
        import tensorflow_datasets as tfds

        builder = tfds.builder(name, data_dir=data_dir)
        if not builder.is_prepared():
            builder.download_and_prepare()
        images, labels = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1, as_supervised=True))
    except Exception as e:  # tfds raises many kinds (network, registry, split); "auto" moves on.
        if required:
            raise ValueError(f"source='tfds' failed for {name} split {split!r}: {e}") from e
        return None
    return images.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.uint8), f"tfds ({builder.data_dir})"
