"""Plain-text result tables, as scripts and benchmarks print them, and the error figure they report."""

import numpy as np


def format_table(headers, rows):
    """Formats rows as an aligned plain-text table; floats are printed with 5 significant digits.

    Args:
        headers: the column names.
        rows: a list of rows, each a sequence of one value per column (floats, ints, str, anything with `str`).

    Returns:
        str, the header, a line of dashes, then one line per row; columns two spaces apart, trailing spaces cut.

    Raises:
        ValueError: a row whose length differs from `headers`'.

    Example:
        >>> from keras_mf.training import format_table
        >>> print(format_table(["model", "mse"], [["pca", 0.0173841], ["autoencoder", 12]]))
        model        mse
        -----------  --------
        pca          0.017384
        autoencoder  12
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.5g}"
    return str(value)


def mse(x, x_hat):
    """Mean squared error, computed in float64.

    Args:
        x: array-like, the data (e.g. images `(n, 784)` in [0, 1]).
        x_hat: array-like of the same shape (or broadcastable), the reconstruction.

    Returns:
        A Python float, the mean of the squared differences over every entry (in the data's squared units).

    Example:
        >>> from keras_mf.training import mse
        >>> mse([[0.0, 1.0]], [[0.5, 1.0]])
        0.125
    """
    return float(np.mean((np.asarray(x, np.float64) - np.asarray(x_hat, np.float64)) ** 2))


def markdown_table(headers, rows):
    """Formats rows as a Markdown table (TensorBoard's Text dashboard and GitHub render it); floats as in
    `format_table`. A cell's "|" is escaped and its line breaks become `<br>`, so no value can break the table.

    Args:
        headers: the column names.
        rows: a list of rows, each a sequence of values.

    Returns:
        str, the Markdown table (header, separator, one line per row).

    Example:
        >>> from keras_mf.training import markdown_table
        >>> print(markdown_table(["model", "mse"], [["a|b", 0.017384]]))
        | model | mse |
        |---|---|
        | a\\|b | 0.017384 |
    """
    lines = ["| " + " | ".join(_markdown_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_markdown_cell(_cell(v)) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _markdown_cell(text):
    text = str(text).replace("|", "\\|")
    return "<br>".join(text.splitlines()) if text else text


def tsv_cell(name, value):
    """`value` as one cell of a tab-separated file (the Projector's metadata). A tab or a line break would shift
    every later cell or row, and the format has no escape; a blank value would make a blank row, which readers
    (the Projector's among them) skip. Such values are refused.

    Args:
        name: str, the argument the value came from, for the message.
        value: anything `str` takes.

    Returns:
        `str(value)`.

    Raises:
        ValueError: naming `name` and the value, when it is blank or holds a tab or a line break.

    Example:
        >>> from keras_mf.training.tables import tsv_cell
        >>> tsv_cell("labels", 7)
        '7'
    """
    text = str(value)
    if any(c in text for c in "\t\n\r") or not text.strip():
        raise ValueError(
            f"Received an invalid value for `{name}`, expected non-blank values without tabs or line breaks (each "
            f"is one cell of a tab-separated file). Received: {name} entry {text!r}"
        )
    return text
