"""Plain-text result tables, as scripts and benchmarks print them, and the error figure they report."""

import numpy as np


def format_table(headers, rows):
    """Formats rows as an aligned table; floats are printed with 5 significant digits.

    Example:

    >>> print(format_table(["model", "mse"], [["pca", 0.017384]]))
    model  mse
    -----  --------
    pca    0.017384
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
    """Mean squared error in float64."""
    return float(np.mean((np.asarray(x, np.float64) - np.asarray(x_hat, np.float64)) ** 2))
