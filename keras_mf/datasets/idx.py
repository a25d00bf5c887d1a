"""Reading IDX files (the MNIST family's format), gzipped or not, with checks.

Every failure names the file and the problem; nothing half-read is returned.
"""

import gzip
import hashlib
import os
import zlib

import numpy as np

# The third byte of an IDX magic number is the element type, the fourth the number of dimensions.
_UNSIGNED_BYTE = 0x08


def read_idx(path, expected_ndim):
    """Reads one IDX file of unsigned bytes, the format MNIST and Fashion-MNIST ship in.

    An IDX file is a 4-byte magic number (two zero bytes, the element type, 0x08 for unsigned bytes, and the
    number of dimensions), one big-endian 4-byte size per dimension, then the elements in C order (as the MNIST
    database's page, http://yann.lecun.com/exdb/mnist/, describes it).

    Args:
        path: str or path, an IDX file, optionally gzipped (detected from its first bytes, not its name).
        expected_ndim: 3 for an image file `(count, rows, cols)`, 1 for a label file `(count,)`.

    Returns:
        A read-only `uint8` numpy array of shape `(count, rows, cols)` or `(count,)`.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: naming the file, for a wrong magic number (another element type, or not `expected_ndim`
            dimensions), a truncated header, data shorter or longer than the header promises, or corrupt gzip data.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.datasets import read_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
        >>> with open(path, "wb") as f:
        ...     _ = f.write(bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + bytes([7, 2, 1]))
        >>> read_idx(path, 1)
        array([7, 2, 1], dtype=uint8)
        >>> read_idx(path, 3)
        Traceback (most recent call last):
        ...
        ValueError: ...: wrong IDX magic number 0x00000801, expected 0x00000803 (unsigned bytes, 3 dimensions)
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"IDX file not found: {path}")
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: truncated IDX file ({len(raw)} bytes, no header)")
    zero, zero2, dtype, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero != 0 or zero2 != 0 or dtype != _UNSIGNED_BYTE or ndim != expected_ndim:
        magic = int.from_bytes(raw[:4], "big")
        expected = (_UNSIGNED_BYTE << 8) | expected_ndim
        raise ValueError(
            f"{path}: wrong IDX magic number {magic:#010x}, expected {expected:#010x} "
            f"(unsigned bytes, {expected_ndim} dimension{'s' if expected_ndim > 1 else ''})"
        )
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_size = int(np.prod(shape))
    body = len(raw) - header_end
    if body != expected_size:
        raise ValueError(
            f"{path}: truncated or oversized IDX data: header promises shape {shape} "
            f"({expected_size} bytes), file holds {body} bytes"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_end).reshape(shape)


def _read_bytes(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head != b"\x1f\x8b":
        with open(path, "rb") as f:
            return f.read()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, OSError, zlib.error) as e:
        raise ValueError(f"{path}: truncated or corrupt gzip data ({e})") from e


def md5sum(path):
    """The MD5 digest of a file, read in 1 MiB blocks.

    Args:
        path: str or path, the file.

    Returns:
        The digest as 32 lowercase hexadecimal characters (str).

    Raises:
        FileNotFoundError: the file does not exist.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.datasets.idx import md5sum
        >>> path = os.path.join(tempfile.mkdtemp(), "empty")
        >>> open(path, "wb").close()
        >>> md5sum(path)
        'd41d8cd98f00b204e9800998ecf8427e'
    """
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_md5sums(folder, names, sums_file="MD5SUMS"):
    """Checks files against an `md5sum`-style checksum file ("<digest>  <name>" per line).

    Args:
        folder: str, the folder holding the files and the checksum file.
        names: file names (in `folder`) to check; each must be listed.
        sums_file: str, the checksum file's name in `folder`.

    Raises:
        FileNotFoundError: the checksum file or one of the files is missing.
        ValueError: naming the file, when it is not listed or its digest differs.

    Example:
        >>> import os, tempfile
        >>> from keras_mf.datasets.idx import verify_md5sums
        >>> folder = tempfile.mkdtemp()
        >>> open(os.path.join(folder, "empty"), "wb").close()
        >>> with open(os.path.join(folder, "MD5SUMS"), "w") as f:
        ...     _ = f.write("d41d8cd98f00b204e9800998ecf8427e  empty\\n")
        >>> verify_md5sums(folder, ["empty"]) is None
        True
    """
    sums_path = os.path.join(folder, sums_file)
    if not os.path.isfile(sums_path):
        raise FileNotFoundError(f"checksum file not found: {sums_path}")
    expected = {}
    with open(sums_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                expected[parts[1].lstrip("*")] = parts[0].lower()
    for name in names:
        path = os.path.join(folder, name)
        if name not in expected:
            raise ValueError(f"{sums_path}: no checksum listed for {name}")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"IDX file not found: {path}")
        actual = md5sum(path)
        if actual != expected[name]:
            raise ValueError(f"{path}: checksum mismatch, MD5 {actual} but {sums_path} lists {expected[name]}")
