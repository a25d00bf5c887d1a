"""tfds split strings on the bundled test split."""

import pytest

from keras_mf.datasets import load_mnist


@pytest.mark.parametrize(
    "split, size, first",
    [
        ("test[:8000]", 8000, 0),
        ("test[8000:]", 2000, 8000),
        ("test[:80%]", 8000, 0),
        ("test[-10:]", 10, 9990),
        ("test[10%:20%]", 1000, 1000),
        ("test[:5]+test[-5:]", 10, 0),
    ],
)
def test_split_slicing_follows_tfds_syntax(split, size, first):
    _, y_all = load_mnist("test", source="bundled", as_numpy=True, verbose=False)
    _, y = load_mnist(split, source="bundled", as_numpy=True, verbose=False)
    assert len(y) == size
    assert y[0] == y_all[first]


@pytest.mark.parametrize("split", ["validation", "test[abc]", "", "train"])
def test_unknown_split(split):
    with pytest.raises(ValueError, match="split"):
        load_mnist(split, source="bundled", verbose=False)
