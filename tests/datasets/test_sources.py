"""keras_mf.datasets.sources and load_mnist's defaults: the source and its splits decided without TensorFlow, the
default split offline, and a plain Python session that prints only the source line."""

import os
import subprocess
import sys

import numpy as np
import pytest
from paths import ROOT  # noqa: E402

from keras_mf.datasets import load_mnist
from keras_mf.datasets import sources


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_MF_OFFLINE", "1")
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no_tfds"))
    monkeypatch.delenv("KERAS_MF_MNIST_DIR", raising=False)


def test_offline_auto_is_the_bundled_test_split(offline):
    source = sources.resolve_source("auto")
    assert (source.kind, source.sizes) == ("bundled", {"test": 10000})
    assert source.default_splits() == ("test[:8000]", "test[8000:]")
    assert sources.split_size(source, "test[8000:]") == 2000


def test_a_prepared_tfds_copy_is_found_without_tfds(offline, tmp_path):
    version = tmp_path / "no_tfds" / "mnist" / "3.0.1"
    version.mkdir(parents=True)
    assert sources.resolve_source("auto").kind == "bundled"  # a version folder without its dataset_info.json
    (version / "dataset_info.json").write_text("{}")
    source = sources.resolve_source("auto")
    assert (source.kind, source.default_splits()) == ("tfds", ("train", "test"))


def test_default_split_offline_is_what_the_commands_train_on(offline, capsys):
    """#25 item 4: `load_mnist()` offline gives test[:8000], the commands' training split, and says so."""
    x, y = load_mnist(as_numpy=True)
    x_ref, y_ref = load_mnist("test[:8000]", source="bundled", as_numpy=True, verbose=False)
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)
    line = capsys.readouterr().err.strip()
    assert line.startswith("keras_mf: mnist split 'test[:8000]' (the default: no 'train' split here")
    assert line.endswith("from the bundled MNIST test split (8000 examples)")


def test_asking_the_bundled_split_for_train_names_the_split_to_ask_for(offline):
    with pytest.raises(ValueError, match=r"not 'train'; ask for 'test\[:8000\]' to train and 'test\[8000:\]'"):
        load_mnist("train", as_numpy=True, verbose=False)


@pytest.mark.slow  # a fresh Python process
def test_load_mnist_in_a_plain_session_prints_only_its_source_line(tmp_path):
    """No TensorFlow/absl/CUDA start-up line, no tfds warning about a variant folder; numpy arrays load without
    TensorFlow, and a tf.data pipeline loads it quietly."""
    (tmp_path / "tfds" / "mnist" / "3.0.1").mkdir(parents=True)  # what made tfds warn "Variant folder ..."
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_MF_MNIST_DIR")}
    env.update(PYTHONPATH=ROOT, KERAS_MF_OFFLINE="1", TFDS_DATA_DIR=str(tmp_path / "tfds"))
    code = (
        "import sys\n"
        "from keras_mf.datasets import load_mnist\n"
        "x, y = load_mnist(as_numpy=True)\n"
        "print('tensorflow' in sys.modules)\n"
        "ds = load_mnist('test[:10]', source='bundled', batch_size=5)\n"
        "print(sum(1 for _ in ds))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "2"]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("keras_mf: mnist split ") for line in lines), lines
