"""Figures for TensorBoard and the README, drawn with matplotlib (the `plots` extra).

Without matplotlib every command still runs: `can_plot(what)` says once, in one line, which figure it
skips. Figures use matplotlib's object-oriented `Figure` (no pyplot state, no display needed).
"""

import importlib.util
import io
import sys

import numpy as np

_SKIPPED = set()


def can_plot(what):
    """True when matplotlib is installed; else prints one line naming the skipped figure and returns False."""
    if importlib.util.find_spec("matplotlib") is not None:
        return True
    if what not in _SKIPPED:
        _SKIPPED.add(what)
        print(
            f"keras_mf: matplotlib is not installed (pip install 'keras_mf[plots]'): skipping {what}", file=sys.stderr
        )
    return False


# Figure sizes in inches at 100 dpi. TensorBoard draws an image card about 190 pixels high at first: a figure
# this small keeps its 10-point text about 10 pixels high there, and the confusion matrix's counts readable.
LINE_SIZE = (3.6, 2.6)
# Axis values from which ticks are written as 10k, 200k (plain numbers that long overlap on LINE_SIZE's axis).
_LARGE = 10_000
CONFUSION_SIZE = (4.0, 3.4)


def new_figure(width=LINE_SIZE[0], height=LINE_SIZE[1]):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def figure_to_png(figure):
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def figure_to_image(figure):
    """The figure as a `(1, height, width, 4)` uint8 RGBA batch for `tf.summary.image` (the TensorFlow
    docs' figure-to-image recipe, with the PNG decoded by matplotlib instead of `tf.image`)."""
    from matplotlib.image import imread

    rgba = imread(io.BytesIO(figure_to_png(figure)), format="png")
    return np.round(rgba * 255).astype(np.uint8)[None]


def line_figure(series, xlabel, ylabel, title=None, logx=False, logy=False, points=None):
    """A line plot of `series`: `{label: (xs, ys)}`, with `points` (same form) drawn as large markers."""
    figure = new_figure()
    axes = figure.add_subplot()
    for label, (xs, ys) in series.items():
        axes.plot(xs, ys, marker="o", markersize=3, label=label)
    for label, (xs, ys) in (points or {}).items():
        axes.plot(xs, ys, linestyle="none", marker="*", markersize=12, label=label)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if logx:
        axes.set_xscale("log", base=2)
    if logy:
        axes.set_yscale("log")
    if not logx and max(abs(x) for xs, _ in series.values() for x in xs) >= _LARGE:
        # Parameter counts: "100k" ticks, four of them, fit the small figure's axis without overlapping.
        from matplotlib.ticker import EngFormatter
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_formatter(EngFormatter(sep=""))
        axes.xaxis.set_major_locator(MaxNLocator(4))
    if title:
        axes.set_title(title)
    if len(series) + len(points or {}) > 1:
        axes.legend()
    axes.grid(alpha=0.3)
    return figure


def confusion_figure(table, title="clusters against labels"):
    """A heat map of a contingency table `(classes, clusters)` with the counts written in."""
    table = np.asarray(table)
    figure = new_figure(*CONFUSION_SIZE)
    axes = figure.add_subplot()
    # The counts are written in each cell, so the colours need no colour bar (its room goes to the cells).
    axes.imshow(table, cmap="Blues")
    for (i, j), count in np.ndenumerate(table):
        axes.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            fontsize=8,
            color="white" if count > table.max() / 2 else "black",
        )
    axes.set_xticks(range(table.shape[1]))
    axes.set_yticks(range(table.shape[0]))
    axes.set_xlabel("cluster")
    axes.set_ylabel("true label")
    axes.set_title(title, fontsize=10)
    return figure
