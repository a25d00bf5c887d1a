"""The README's figures: what each one draws, read back from the matplotlib figure and checked against numpy, scipy
and scikit-learn; the command end to end; the committed PNGs' size."""

import os

import numpy as np
import pytest
import scipy.optimize
from paths import ROOT
from sklearn.metrics.cluster import contingency_matrix

from keras_mf.cli import make_figures
from keras_mf.cli import train_autoencoder
from keras_mf.cli.experiments.compression import eckart_young_curve
from keras_mf.datasets import load_mnist

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def images():
    return load_mnist("test[:200]", source="bundled", as_numpy=True, verbose=False)


def _pixels(axes):
    return np.asarray(axes.images[0].get_array(), np.float64)


def test_image_grid_draws_each_image_clipped(images):
    x, _ = images
    rows = {"first": x[:3], "second": 1.5 * x[3:6] - 0.2}  # out of [0, 1]: drawn clipped
    figure = make_figures.image_grid_figure(rows)
    assert len(figure.axes) == 6
    expected = [image for block in rows.values() for image in block]
    for axes, image in zip(figure.axes, expected, strict=True):
        np.testing.assert_array_equal(_pixels(axes), image.reshape(28, 28).clip(0, 1))
    assert [figure.axes[i].get_ylabel() for i in (0, 3)] == ["first", "second"]


def test_principal_components_are_numpys(images):
    """The mean image, then the leading eigenvectors of the scatter matrix (numpy's eigh, sign free), each titled
    with its share of the variance."""
    x = images[0].astype(np.float64)
    figure = make_figures.principal_components_figure(images[0], count=4)
    mean = x.mean(0)
    values, vectors = np.linalg.eigh((x - mean).T @ (x - mean))
    values, vectors = values[::-1], vectors[:, ::-1]
    np.testing.assert_allclose(_pixels(figure.axes[0]), mean.reshape(28, 28), atol=1e-6)
    for i in range(4):
        drawn = _pixels(figure.axes[i + 1]).ravel()
        sign = np.sign(drawn @ vectors[:, i])
        np.testing.assert_allclose(sign * drawn, vectors[:, i], atol=2e-4)  # float32 subspace solve
        assert figure.axes[i + 1].get_title() == f"PC {i + 1}: {values[i] / values.sum():.0%}"
        low, high = figure.axes[i + 1].images[0].get_clim()
        assert low == -high == pytest.approx(-np.abs(drawn).max())  # a symmetric scale: white is zero


def test_error_curve_is_eckart_young_with_the_autoencoders_as_points(images):
    x = images[0]
    curve = eckart_young_curve(x)
    figure = train_autoencoder.error_curve_figure(curve, {"autoencoder, latent 8": (8, 0.03)})
    (line, point) = figure.axes[0].get_lines()
    centred = x.astype(np.float64) - x.astype(np.float64).mean(0)
    errors = np.concatenate([np.cumsum(np.linalg.eigvalsh(centred.T @ centred))[::-1], [0.0]]) / x.size
    ranks = np.arange(len(errors))
    shown = (ranks >= 1) & (errors >= errors[0] / 100)  # ranks whose error is above 1% of the data's variance
    np.testing.assert_array_equal(line.get_xdata(), ranks[shown])
    np.testing.assert_allclose(line.get_ydata(), errors[shown], rtol=1e-4)
    assert (list(point.get_xdata()), list(point.get_ydata())) == ([8], [0.03])


@pytest.mark.slow  # SymNMF with the figure's 5 restarts and 3,000 iterations
def test_symnmf_confusion_is_the_contingency_table_in_matched_order(images, monkeypatch):
    from keras_mf.graph import pipeline

    made = []
    cluster = pipeline.cluster
    monkeypatch.setattr(pipeline, "cluster", lambda *a, **k: made.append(cluster(*a, **k)) or made[-1])
    figure = make_figures.symnmf_confusion_figure(100, seed=0)
    (result,) = made
    y = images[1][:100]
    table = contingency_matrix(y, result["symnmf_labels"])
    rows, cols = scipy.optimize.linear_sum_assignment(table, maximize=True)
    order = cols[np.argsort(rows)]  # the cluster matched to digit 0, then to digit 1, ...
    np.testing.assert_array_equal(_pixels(figure.axes[0]), table[:, order])
    accuracy = table[rows, cols].sum() / len(y)
    assert figure.axes[0].get_title() == f"SymNMF on 100 MNIST digits: accuracy {accuracy:.1%}"


@pytest.mark.slow
def test_make_figures_end_to_end(tmp_path, monkeypatch):
    """`python scripts/make_figures.py` writes the four PNGs (their content: the tests above), here from the first
    1,000 of its 8,000 training images and 500 of its 2,000 evaluation images (every digit is among them)."""
    from matplotlib.image import imread

    import keras_mf.datasets

    fewer = {"test[:8000]": "test[:1000]", "test[8000:]": "test[8000:8500]"}
    load = keras_mf.datasets.load_mnist
    monkeypatch.setattr(keras_mf.datasets, "load_mnist", lambda split, **kw: load(fewer.get(split, split), **kw))
    paths = make_figures.run(["--out", str(tmp_path), "--epochs", "1", "--latent-dims", "4", "--cluster-images", "100"])
    assert [os.path.basename(p) for p in paths] == list(make_figures.FIGURES)
    for path in paths:
        height, width, channels = imread(path).shape
        assert channels == 4 and min(height, width) >= 50  # one row of digits is 0.7 inch, 70 pixels, high


@pytest.mark.parametrize("name", make_figures.FIGURES)
def test_committed_figures_stay_small(name):
    assert os.path.getsize(os.path.join(ROOT, "docs", name)) < 150 * 1024
