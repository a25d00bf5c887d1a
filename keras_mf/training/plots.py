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
    """Whether matplotlib is installed; without it, prints one line (once per `what`) naming the skipped figure.

    Args:
        what: str, the figure, for the line ("the SymNMF plots").

    Returns:
        bool.

    Example:
        >>> from keras_mf.training.plots import can_plot
        >>> can_plot("a demo figure")     # matplotlib is installed with the `plots` extra
        True
    """
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
    """A matplotlib `Figure` at 100 dpi with constrained layout, not attached to pyplot (no display needed).

    Args:
        width: float, inches (`LINE_SIZE`'s by default).
        height: float, inches.

    Returns:
        A `matplotlib.figure.Figure`.

    Example:
        >>> from keras_mf.training.plots import new_figure
        >>> new_figure(2.0, 1.0).get_size_inches().tolist()
        [2.0, 1.0]
    """
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def figure_to_png(figure):
    """The figure as PNG bytes.

    Args:
        figure: a `matplotlib.figure.Figure`.

    Returns:
        bytes, a PNG of `figure`'s size in inches times its dpi in pixels.

    Example:
        >>> from keras_mf.training.plots import figure_to_png, new_figure
        >>> figure_to_png(new_figure(1.0, 1.0))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def figure_to_image(figure):
    """The figure as a `(1, height, width, 4)` uint8 RGBA batch for `tf.summary.image` (the TensorFlow
    docs' figure-to-image recipe, with the PNG decoded by matplotlib instead of `tf.image`).

    Args:
        figure: a `matplotlib.figure.Figure`.

    Returns:
        A uint8 numpy array `(1, height, width, 4)`, height and width in pixels.

    Example:
        >>> from keras_mf.training.plots import figure_to_image, new_figure
        >>> image = figure_to_image(new_figure(2.0, 1.0))
        >>> image.shape, image.dtype
        ((1, 100, 200, 4), dtype('uint8'))
    """
    from matplotlib.image import imread

    rgba = imread(io.BytesIO(figure_to_png(figure)), format="png")
    return np.round(rgba * 255).astype(np.uint8)[None]


def line_figure(series, xlabel, ylabel, title=None, logx=False, logy=False, points=None):
    """A line plot of `series`, with `points` drawn as large markers (`LINE_SIZE`, sized for TensorBoard).

    Args:
        series: `{label: (xs, ys)}`, one line each (small round markers).
        xlabel: str, the x axis' label.
        ylabel: str, the y axis' label.
        title: str or None.
        logx: bool, a base-2 logarithmic x axis.
        logy: bool, a logarithmic y axis.
        points: `{label: (xs, ys)}` or None, drawn as stars without lines.

    Returns:
        A `matplotlib.figure.Figure` (with a legend when more than one label is drawn).

    Example:
        >>> from keras_mf.training.plots import line_figure
        >>> figure = line_figure({"PCA": ([1, 2, 4], [0.5, 0.3, 0.2])}, "rank", "MSE", logx=True)
        >>> figure.axes[0].get_xscale(), figure.axes[0].get_xlabel()
        ('log', 'rank')
    """
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
    """A heat map of a contingency table with the counts written in each cell (`CONFUSION_SIZE`).

    Args:
        table: `(classes, clusters)` integer counts, e.g. `keras_mf.cluster.contingency_table(y_true, y_pred)`.
        title: str.

    Returns:
        A `matplotlib.figure.Figure`: clusters along x, true labels along y.

    Example:
        >>> from keras_mf.training.plots import confusion_figure
        >>> figure = confusion_figure([[5, 0], [1, 4]])
        >>> [text.get_text() for text in figure.axes[0].texts]
        ['5', '0', '1', '4']
    """
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
