"""MNIST and Fashion-MNIST as `tf.data.Dataset` objects, from tfds, an IDX folder, or the bundled test split.

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

    MNIST holds 28 × 28 grey-level images of handwritten digits, 60,000 for training and 10,000 for testing,
    labels 0 to 9. Pixels are stored as bytes 0 to 255 and scaled to float32 in [0, 1] (divided by 255).

    Args:
        split: str, a tfds split string: "train", "test", "test[:8000]", "test[8000:]", "train[:80%]+test".
            None (the default) is "train" when the source holds MNIST's training split, else "test[:8000]", the
            part of the test split the commands train on offline (the source line says which).
        source: "auto", "tfds", "idx" or "bundled" (see the module docstring; `keras_mf.datasets.SOURCES`).
        data_dir: str or None, the IDX folder for source "idx" (or "auto"); for "tfds", its data directory.
        **kwargs: the keyword options below.
        shape: "flat" gives images of shape `(784,)`, "image" `(28, 28, 1)`, "sequence" `(28, 28)` (28 time
            steps of 28 pixels, for recurrent models).
        batch_size: int ≥ 1 or None. If given, the dataset is batched: elements `(batch, *shape)`.
        drop_remainder: bool, as in `tf.data.Dataset.batch`.
        shuffle: bool, shuffle the examples each epoch, reproducibly for a given `seed` (with `as_numpy`, the
            arrays come in one shuffled order).
        seed: int or None, the shuffle's seed.
        targets: "labels" gives `(image, label)`, "images" gives `(image, image)` for autoencoders, None gives
            images alone.
        as_numpy: bool, return numpy arrays `(x, y)` (or `x` alone when `targets=None`) instead of a dataset;
            `batch_size` must then be None. TensorFlow is not loaded for numpy arrays from IDX files.
        verbose: bool, print one line on standard error naming the source and split used.

    Returns:
        A `tf.data.Dataset` (prefetched), or with `as_numpy=True` numpy arrays: images float32 `(n, *shape)` in
        [0, 1], labels int64 `(n,)` in [0, 9].

    Raises:
        ValueError: an unknown option value, `batch_size` with `as_numpy=True`, a malformed split or one the source
            does not hold (the message names the split to ask for), or a source that cannot be read (naming
            `source` or `data_dir`: no prepared tfds copy offline, no IDX files, a failed checksum, truncated or
            corrupt IDX data).
        FileNotFoundError: an IDX file the folder should hold is missing.

    References:
        LeCun, Y., Bottou, L., Bengio, Y. & Haffner, P. (1998). Gradient-based learning applied to document
        recognition. Proceedings of the IEEE 86(11), 2278–2324. https://doi.org/10.1109/5.726791

    Example:
        >>> from keras_mf.datasets import load_mnist
        >>> x, y = load_mnist("test[8000:]", source="bundled", as_numpy=True, verbose=False)
        >>> x.shape, x.dtype, float(x.min()), float(x.max()), y.shape, y.dtype
        ((2000, 784), dtype('float32'), 0.0, 1.0, (2000,), dtype('int64'))
        >>> train = load_mnist("test[:8000]", source="bundled", batch_size=128, shuffle=True, seed=0, verbose=False)
        >>> images, labels = next(iter(train))
        >>> tuple(images.shape), tuple(labels.shape)
        ((128, 784), (128,))
    """
    return _load("mnist", split, source, data_dir, **kwargs)


def load_fashion_mnist(split=None, source="auto", data_dir=None, **kwargs):
    """Loads Fashion-MNIST the same way as `load_mnist` (there is no bundled copy).

    Fashion-MNIST has MNIST's layout (28 × 28 grey-level images, 60,000 for training and 10,000 for testing,
    IDX files of the same names) with ten classes of clothing: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress,
    4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot. "auto" reads tfds' prepared copy, else an IDX
    folder: `data_dir`, `$KERAS_MF_FASHION_MNIST_DIR`, or `/usr/share/datasets/fashion-mnist` (Debian's
    `dataset-fashion-mnist` package).

    Args:
        split: str or None, a tfds split string, as for `load_mnist` (None: "train" when the source holds it,
            else "test[:8000]").
        source: "auto", "tfds" or "idx" ("bundled" is refused).
        data_dir: str or None, the IDX folder for source "idx" (or "auto"); for "tfds", its data directory.
        **kwargs: `shape`, `batch_size`, `drop_remainder`, `shuffle`, `seed`, `targets`, `as_numpy`, `verbose`,
            as for `load_mnist`.

    Returns:
        A `tf.data.Dataset`, or with `as_numpy=True` numpy arrays: images float32 `(n, *shape)` in [0, 1],
        labels int64 `(n,)` in [0, 9].

    Raises:
        ValueError: as for `load_mnist`; also `source="bundled"`, and "auto" finding neither tfds nor an IDX
            folder.
        FileNotFoundError: an IDX file the folder should hold is missing.

    References:
        Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for benchmarking machine
        learning algorithms. arXiv:1708.07747. https://arxiv.org/abs/1708.07747

    Example:
        A folder of IDX files, here three made-up images, read as Fashion-MNIST's test split:

        >>> import gzip, os, tempfile
        >>> import numpy as np
        >>> from keras_mf.datasets import load_fashion_mnist
        >>> folder = tempfile.mkdtemp()
        >>> def write_idx(name, array):  # header: 0, 0, type 0x08 (unsigned byte), dimensions; sizes; bytes
        ...     header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        ...     with gzip.open(os.path.join(folder, name + ".gz"), "wb") as f:
        ...         f.write(header + array.astype(np.uint8).tobytes())
        >>> write_idx("t10k-images-idx3-ubyte", np.full((3, 28, 28), 255))
        >>> write_idx("t10k-labels-idx1-ubyte", np.array([9, 0, 4]))
        >>> x, y = load_fashion_mnist("test", source="idx", data_dir=folder, as_numpy=True, verbose=False)
        >>> x.shape, float(x.max()), y.tolist()
        ((3, 784), 1.0, [9, 0, 4])
    """
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
