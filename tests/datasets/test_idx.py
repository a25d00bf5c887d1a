"""read_idx: IDX files, gzipped or not, and their corruptions."""

import os

import pytest

from keras_mf.datasets import mnist as mnist_module
from keras_mf.datasets import read_idx

BUNDLED = mnist_module.BUNDLED_DIR


def test_wrong_magic_number(tmp_path):
    path = tmp_path / "bad-idx"
    path.write_bytes(b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + b"\x01\x02\x03")
    with pytest.raises(ValueError, match="wrong IDX magic number"):
        read_idx(str(path), 3)


@pytest.mark.parametrize("cut", [100, 1000])
def test_truncated_gzip(tmp_path, cut):
    path = tmp_path / "t.gz"
    path.write_bytes(open(os.path.join(BUNDLED, "t10k-labels-idx1-ubyte.gz"), "rb").read()[:cut])
    with pytest.raises(ValueError, match="truncated or corrupt gzip"):
        read_idx(str(path), 1)


def test_truncated_body(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(b"\x00\x00\x08\x01" + (10).to_bytes(4, "big") + b"\x01" * 5)
    with pytest.raises(ValueError, match="truncated or oversized"):
        read_idx(str(path), 1)
