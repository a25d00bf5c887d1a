"""The README's figures."""

import os

import pytest
from paths import ROOT

from keras_mf.cli import make_figures


@pytest.mark.slow
def test_make_figures(tmp_path):
    """The README's figures are drawn by `python scripts/make_figures.py`; the committed ones stay small."""
    from matplotlib.image import imread

    paths = make_figures.run(["--out", str(tmp_path), "--epochs", "1", "--latent-dims", "4", "--cluster-images", "300"])
    assert [os.path.basename(p) for p in paths] == list(make_figures.FIGURES)
    for path in paths:
        assert imread(path).shape[2] == 4
    for name in make_figures.FIGURES:
        assert os.path.getsize(os.path.join(ROOT, "docs", name)) < 150 * 1024, name
