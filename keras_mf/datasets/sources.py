"""Which source `load_mnist` reads and which splits it holds, decided without TensorFlow or tfds.

The commands ask this before TensorFlow loads, so that a missing IDX folder or an offline `--data tfds` is an
argument error naming the flag, and `load_mnist` asks it to choose where to read: the decision exists once.
"""

import functools
import glob
import gzip
import os
import socket
from dataclasses import dataclass

from keras_mf.datasets.splits import parse_split
from keras_mf.datasets.splits import resolve_bounds

BUNDLED_DIR = os.path.join(os.path.dirname(__file__), "data")
OFFLINE_ENV = "KERAS_MF_OFFLINE"
# tfds' own default when neither `data_dir` nor $TFDS_DATA_DIR says otherwise.
TFDS_DEFAULT_DIR = os.path.join("~", "tensorflow_datasets")
# tfds' download host; probing it bounds how long "auto" waits on a machine without network.
_PROBE_HOST = ("storage.googleapis.com", 443)
# tfds knows every split of the MNIST family; these are their sizes.
_TFDS_SPLITS = {"train": 60000, "test": 10000}

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DATASETS = {
    "mnist": {"env": "KERAS_MF_MNIST_DIR", "system_dir": None, "bundled": True},
    "fashion_mnist": {
        "env": "KERAS_MF_FASHION_MNIST_DIR",
        "system_dir": "/usr/share/datasets/fashion-mnist",
        "bundled": False,
    },
}
# What a source holding only the test split trains and evaluates on (the bundled copy's layout).
TEST_ONLY_SPLITS = ("test[:8000]", "test[8000:]")


@dataclass(frozen=True)
class Source:
    """Where a dataset will be read from.

    Attributes:
        kind: "tfds", "idx" or "bundled".
        folder: the IDX folder ("idx", "bundled") or tfds' data directory ("tfds").
        sizes: `{split name: examples}` of the splits the source holds.
        description: how the one source line names it.
        requested: the `source` argument it was resolved from ("auto", "tfds", "idx", "bundled").

    Example:
        >>> from keras_mf.datasets.sources import resolve_source
        >>> source = resolve_source("bundled")
        >>> source.kind, source.splits, source.requested
        ('bundled', ('test',), 'bundled')
    """

    kind: str
    folder: str
    sizes: dict
    description: str
    requested: str

    @property
    def splits(self):
        """The names of the splits the source holds, in `sizes`' order, e.g. `("train", "test")`."""
        return tuple(self.sizes)

    def default_splits(self):
        """The default `(train, eval)` splits: ("train", "test") when the source holds MNIST's training split, else
        the test split cut 8,000 / 2,000 as the commands train on it offline.

        Returns:
            A tuple of two split strings.
        """
        return ("train", "test") if "train" in self.sizes else TEST_ONLY_SPLITS


def resolve_source(source="auto", data_dir=None, name="mnist", skip_tfds=False):
    """The `Source` that `load_mnist(source=source, data_dir=data_dir)` reads (see `keras_mf.datasets.mnist`).

    "auto" tries tfds (prepared locally, or downloadable: not with $KERAS_MF_OFFLINE set or when the network does
    not answer within seconds), then an IDX folder (`data_dir`, the dataset's environment variable, a system
    folder), then the bundled MNIST test split. Only IDX headers are read (no TensorFlow, no tfds import).

    Args:
        source: "auto", "tfds", "idx" or "bundled".
        data_dir: str or None, the IDX folder (for "idx" and "auto") or tfds' data directory (for "tfds").
        name: "mnist" or "fashion_mnist".
        skip_tfds: bool, let "auto" skip tfds (after tfds failed to read).

    Returns:
        A `Source`.

    Raises:
        ValueError: the source cannot be used, naming the argument (`source`, `data_dir`) and what to pass.
        FileNotFoundError: the bundled copy's files are missing (a broken installation).

    Example:
        >>> from keras_mf.datasets.sources import resolve_source, split_size
        >>> source = resolve_source("bundled")
        >>> source.kind, source.sizes, source.default_splits()
        ('bundled', {'test': 10000}, ('test[:8000]', 'test[8000:]'))
        >>> split_size(source, "test[8000:]")
        2000
    """
    info = DATASETS[name]
    if source == "bundled" and not info["bundled"]:
        raise ValueError(
            f"Received an invalid value for `source`: only MNIST ships a bundled copy, not {name}. "
            "Received: source='bundled'"
        )
    if source == "tfds" or (source == "auto" and not skip_tfds):
        tfds_dir = os.path.expanduser((data_dir if source == "tfds" else None) or tfds_data_dir())
        if tfds_prepared(name, tfds_dir) or not offline():
            return Source("tfds", tfds_dir, dict(_TFDS_SPLITS), f"tfds ({tfds_dir})", source)
        if source == "tfds":
            raise ValueError(
                f"Received an invalid value for `source`: tfds has no prepared copy of {name} under {tfds_dir} "
                f"and {'$' + OFFLINE_ENV + ' is set' if _offline_env() else 'the network is unreachable'}; use "
                "source='bundled', or source='idx' with `data_dir`. Received: source='tfds'"
            )
    idx_dir = data_dir or os.environ.get(info["env"]) or _existing(info["system_dir"])
    if source == "idx" or (source == "auto" and idx_dir):
        return _idx_source(name, idx_dir, source)
    if not info["bundled"]:
        raise ValueError(
            f"No source for {name}: tfds has no prepared copy and no network, and no IDX folder is "
            f"configured (pass `data_dir` or set ${info['env']})."
        )
    sizes = {"test": idx_count(find_file(BUNDLED_DIR, FILES["test"][0]))}
    return Source("bundled", BUNDLED_DIR, sizes, "the bundled MNIST test split", source)


def _idx_source(name, idx_dir, requested):
    env = DATASETS[name]["env"]
    if not idx_dir:
        raise ValueError(
            f"Received an invalid value for `data_dir`: source='idx' needs a folder of IDX files; pass `data_dir` "
            f"or set ${env}. Received: data_dir=None"
        )
    sizes = {}
    for part, (images, _) in FILES.items():
        path = find_file(idx_dir, images, None) if os.path.isdir(idx_dir) else None
        if path:
            sizes[part] = idx_count(path)
    if not sizes:
        expected = ", ".join(sorted(n for pair in FILES.values() for n in pair))
        what = "a folder of MNIST IDX files" if os.path.isdir(idx_dir) else "an existing folder of MNIST IDX files"
        raise ValueError(
            f"Received an invalid value for `data_dir`, expected {what} ({expected}, gzipped or not). "
            f"Received: data_dir={idx_dir!r}"
        )
    return Source("idx", idx_dir, sizes, f"IDX folder {idx_dir}", requested)


def split_size(source, split):
    """How many examples `split` selects from `source`, decided from the IDX headers alone.

    Args:
        source: a `Source`.
        split: str, a tfds split string ("test[:80%]", "train+test").

    Returns:
        The number of examples (int ≥ 0).

    Raises:
        keras_mf.datasets.splits.SplitError: (a ValueError) as `load_mnist` raises it, for a malformed split or
            one the source does not hold.

    Example:
        >>> from keras_mf.datasets.sources import resolve_source, split_size
        >>> split_size(resolve_source("bundled"), "test[:25%]")
        2500
    """
    total = 0
    for part, start, stop in parse_split(split, source.splits):
        begin, end = resolve_bounds(start, stop, source.sizes[part])
        total += max(end - begin, 0)
    return total


def tfds_data_dir():
    """The folder tfds reads and prepares datasets in, $TFDS_DATA_DIR or else ~/tensorflow_datasets.

    Returns:
        The folder (str), with "~" not expanded.
    """
    return os.environ.get("TFDS_DATA_DIR") or TFDS_DEFAULT_DIR


def tfds_prepared(name, tfds_dir):
    """Whether tfds has prepared `name` under `tfds_dir` (a version folder holding its dataset_info.json).

    Args:
        name: str, the tfds dataset name ("mnist", "fashion_mnist").
        tfds_dir: str, tfds' data directory ("~" is expanded).

    Returns:
        bool.
    """
    return bool(glob.glob(os.path.join(os.path.expanduser(tfds_dir), name, "*", "dataset_info.json")))


def offline():
    """Whether tfds may not download: $KERAS_MF_OFFLINE is set (and not "0"), or its host does not answer.

    The host is asked once per process, with a 3-second timeout.

    Returns:
        bool.
    """
    return _offline_env() or not _network_answers()


def _offline_env():
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")


@functools.lru_cache(maxsize=1)
def _network_answers(timeout=3.0):
    """Whether tfds' download host answers within `timeout` seconds; asked once per process."""
    try:
        with socket.create_connection(_PROBE_HOST, timeout=timeout):
            return True
    except OSError:
        return False


def _existing(path):
    return path if path and os.path.isdir(path) else None


def find_file(folder, base, missing=FileNotFoundError):
    """The path of `base.gz` or `base` in `folder` (the gzipped one first).

    Args:
        folder: str, the folder to look in.
        base: str, the file name without ".gz".
        missing: the exception class raised when neither exists, or None to return None instead.

    Returns:
        The path (str), or None when neither exists and `missing` is None.

    Raises:
        FileNotFoundError: (the default `missing`) neither file exists.
    """
    for candidate in (base + ".gz", base):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    if missing is None:
        return None
    raise missing(f"IDX file not found: {os.path.join(folder, base)}[.gz]")


def idx_count(path):
    """The first dimension an IDX file's header promises (its number of images or labels), or 0 if unreadable;
    the full read (`keras_mf.datasets.idx.read_idx`) checks the rest.

    Args:
        path: str, an IDX file, gzipped or not.

    Returns:
        The count (int), 0 when the file cannot be read or its header is short.
    """
    try:
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        with (gzip.open if gzipped else open)(path, "rb") as f:
            header = f.read(8)
    except (OSError, EOFError):
        return 0
    return int.from_bytes(header[4:8], "big") if len(header) == 8 else 0
