"""load_mnist and load_fashion_mnist: the bundled split, IDX folders, datasets, shuffling, errors."""

import gzip
import os
import shutil

import numpy as np
import pytest

from keras_mf.datasets import load_fashion_mnist
from keras_mf.datasets import load_mnist
from keras_mf.datasets import mnist as mnist_module
from keras_mf.datasets import sources

BUNDLED = mnist_module.BUNDLED_DIR


def test_bundled_split_shapes_dtypes_and_label_counts():
    x, y = load_mnist("test", source="bundled", as_numpy=True, verbose=False)
    assert x.shape == (10000, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0
    counts = np.bincount(y, minlength=10)
    assert counts[1] == 1135 and counts[5] == 892 and counts.sum() == 10000


@pytest.mark.parametrize("shape, expected", [("flat", (784,)), ("image", (28, 28, 1)), ("sequence", (28, 28))])
def test_dataset_shapes_batching_and_targets(shape, expected):
    ds = load_mnist("test[:100]", source="bundled", shape=shape, batch_size=32, verbose=False)
    x, y = next(iter(ds))
    assert tuple(x.shape) == (32,) + expected and y.dtype.name == "int64"
    images_only = load_mnist("test[:10]", source="bundled", shape=shape, targets=None, verbose=False)
    assert tuple(next(iter(images_only)).shape) == expected
    pairs = load_mnist("test[:10]", source="bundled", targets="images", batch_size=5, verbose=False)
    a, b = next(iter(pairs))
    np.testing.assert_array_equal(a, b)


def test_shuffle_is_reproducible_with_seed():
    def labels(seed):
        ds = load_mnist("test[:200]", source="bundled", shuffle=True, seed=seed, batch_size=200, verbose=False)
        return next(iter(ds))[1].numpy()

    np.testing.assert_array_equal(labels(3), labels(3))
    assert not np.array_equal(labels(3), labels(4))


def test_auto_falls_back_to_bundled_and_says_so(capsys, monkeypatch):
    monkeypatch.delenv("KERAS_MF_MNIST_DIR", raising=False)
    load_mnist("test[:10]", as_numpy=True)
    assert "bundled" in capsys.readouterr().err


def _idx_copy(tmp_path, gz=True):
    folder = tmp_path / "idx"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        source = os.path.join(BUNDLED, name + ".gz")
        if gz:
            shutil.copy(source, folder / (name + ".gz"))
        else:
            with gzip.open(source) as f:
                (folder / name).write_bytes(f.read())
    return folder


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_gzipped_or_not_and_env_variable(tmp_path, monkeypatch, gz):
    folder = _idx_copy(tmp_path, gz)
    x, y = load_mnist("test[:50]", source="idx", data_dir=str(folder), as_numpy=True, verbose=False)
    _, y_ref = load_mnist("test[:50]", source="bundled", as_numpy=True, verbose=False)
    np.testing.assert_array_equal(y, y_ref)
    monkeypatch.setenv("KERAS_MF_MNIST_DIR", str(folder))
    _, y_env = load_mnist("test[:50]", source="idx", as_numpy=True, verbose=False)
    np.testing.assert_array_equal(y_env, y_ref)


def test_missing_file(tmp_path):
    folder = _idx_copy(tmp_path)
    os.remove(folder / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist("test", source="idx", data_dir=str(folder), verbose=False)


def test_count_mismatch(tmp_path):
    folder = _idx_copy(tmp_path)
    os.remove(folder / "t10k-labels-idx1-ubyte.gz")
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + (9).to_bytes(4, "big") + b"\x01" * 9)
    with pytest.raises(ValueError, match="10000 images but .* 9 labels"):
        load_mnist("test", source="idx", data_dir=str(folder), verbose=False)


def test_checksum_mismatch(tmp_path, monkeypatch):
    folder = _idx_copy(tmp_path)
    shutil.copy(os.path.join(BUNDLED, "MD5SUMS"), folder / "MD5SUMS")
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(b"\x00\x00\x08\x01" + (1).to_bytes(4, "big") + b"\x01")
    monkeypatch.setattr(sources, "BUNDLED_DIR", str(folder))
    mnist_module._read_idx_pair.cache_clear()
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_mnist("test", source="bundled", verbose=False)
    mnist_module._read_idx_pair.cache_clear()


@pytest.mark.parametrize("kwargs", [{"source": "web"}, {"shape": "cube"}, {"targets": "both"}, {"batch_size": 0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=list(kwargs)[0]):
        load_mnist("test[:10]", **{"source": "bundled", **kwargs})


def test_fashion_mnist_has_no_bundled_copy():
    with pytest.raises(ValueError, match="only MNIST ships a bundled copy"):
        load_fashion_mnist("test", source="bundled")


@pytest.mark.skipif(
    not os.path.isdir("/usr/share/datasets/fashion-mnist"), reason="dataset-fashion-mnist not installed"
)
def test_fashion_mnist_from_debian_package():
    x, y = load_fashion_mnist("test[:100]", source="idx", as_numpy=True, verbose=False)
    assert x.shape == (100, 784) and set(np.unique(y)) <= set(range(10))


def test_idx_folder_with_only_the_test_split(tmp_path):
    """The bundled layout (t10k files only) in an IDX folder: asking for "train" is a clear split error,
    and the scripts' default splits fall back to test[:8000] / test[8000:] as for the bundled source."""
    import argparse

    from keras_mf.training import resolve_splits

    folder = str(_idx_copy(tmp_path))
    with pytest.raises(ValueError, match=r"holds the splits \['test'\], not 'train'"):
        load_mnist("train[:1]", source="idx", data_dir=folder, verbose=False)
    args = argparse.Namespace(train_split=None, eval_split=None, data="idx", data_dir=folder)
    assert resolve_splits(args) == ("test[:8000]", "test[8000:]")


def test_idx_folder_without_mnist_files(tmp_path):
    with pytest.raises(ValueError, match="`data_dir`"):
        load_mnist("test", source="idx", data_dir=str(tmp_path), verbose=False)


def test_as_numpy_honours_shuffle_and_refuses_batch_size():
    x, y = load_mnist("test[:100]", source="bundled", as_numpy=True, verbose=False)
    xs, ys = load_mnist("test[:100]", source="bundled", as_numpy=True, shuffle=True, seed=3, verbose=False)
    order = np.random.default_rng(3).permutation(100)
    np.testing.assert_array_equal(ys, y[order])
    np.testing.assert_array_equal(xs, x[order])
    assert not np.array_equal(ys, y)
    with pytest.raises(ValueError, match="`batch_size`.*as_numpy"):
        load_mnist("test[:100]", source="bundled", as_numpy=True, batch_size=10, verbose=False)
