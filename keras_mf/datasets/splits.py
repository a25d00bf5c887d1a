"""tfds-style split strings for every source: "train", "test[:80%]", "test[8000:]", "train+test[:10%]"."""

import re

_PART = re.compile(
    r"^(?P<name>[A-Za-z_]+)"
    r"(?:\[(?P<start>-?\d+%?)?:(?P<stop>-?\d+%?)?\])?$"
)


class SplitError(ValueError):
    """A split string that is malformed or names a split the source does not hold; a ValueError.

    `reason` says why without naming the argument, so that a command can name its flag instead.

    Args:
        reason: str, why the split is refused.
        split: the split received.

    Example:
        >>> from keras_mf.datasets.splits import SplitError
        >>> error = SplitError("expected a tfds split string", "test[")
        >>> isinstance(error, ValueError), error.reason
        (True, 'expected a tfds split string')
    """

    def __init__(self, reason, split):
        super().__init__(f"Received an invalid value for `split`: {reason}. Received: split={split!r}")
        self.reason = reason


def parse_split(split, available):
    """Parses a split string into its parts.

    Args:
        split: str, a tfds split string; parts joined by "+", each a split name with an optional slice of row
            numbers or percentages ("test[8000:]", "train[:80%]", "test[-2000:]"); spaces are ignored.
        available: the split names the source holds, e.g. `("train", "test")`.

    Returns:
        A list of `(name, start, stop)` tuples, `start` and `stop` the slice's bounds as written (str) or None;
        `resolve_bounds` turns them into row numbers.

    Raises:
        SplitError: (a ValueError) the string is malformed or names a split the source does not hold.

    Example:
        >>> from keras_mf.datasets.splits import parse_split
        >>> parse_split("train[:80%] + test", ("train", "test"))
        [('train', None, '80%'), ('test', None, None)]
    """
    malformed = "expected a tfds split string such as 'train', 'test[:80%]' or 'test[8000:]'"
    if not isinstance(split, str) or not split.strip():
        raise SplitError(malformed, split)
    parts = []
    for text in split.replace(" ", "").split("+"):
        match = _PART.match(text)
        if match is None:
            raise SplitError(malformed, split)
        name = match.group("name")
        if name not in available:
            hint = ""
            if tuple(available) == ("test",):
                # The bundled layout: the commands train on test[:8000] and evaluate on test[8000:].
                hint = "; ask for 'test[:8000]' to train and 'test[8000:]' to evaluate, as the commands do"
            raise SplitError(f"this source holds the splits {list(available)}, not {name!r}{hint}", split)
        parts.append((name, match.group("start"), match.group("stop")))
    return parts


def resolve_bounds(start, stop, size):
    """Turns slice specs like "8000", "80%", "-2000" or None into absolute [begin, end) for `size` rows.

    Percentages round to the closest row, as tfds does by default; negative values count from the end; the bounds
    are clipped to [0, size].

    Args:
        start: str or None (from the start), the slice's start as `parse_split` returns it.
        stop: str or None (to the end), the slice's stop.
        size: int, the number of rows of the split.

    Returns:
        A tuple `(begin, end)` of ints in [0, size].

    Raises:
        ValueError: a percentage outside [-100%, 100%].

    Example:
        >>> from keras_mf.datasets.splits import resolve_bounds
        >>> resolve_bounds(None, "80%", 10000), resolve_bounds("-2000", None, 10000)
        ((0, 8000), (8000, 10000))
    """
    return _bound(start, size, 0), _bound(stop, size, size)


def _bound(spec, size, default):
    if spec is None:
        return default
    if spec.endswith("%"):
        percent = int(spec[:-1])
        if not -100 <= percent <= 100:
            raise ValueError(
                f"Received an invalid value for `split`, expected percentages in [-100%, 100%]. Received: {spec!r}"
            )
        value = int(round(percent * size / 100.0))
    else:
        value = int(spec)
    if value < 0:
        value += size
    return min(max(value, 0), size)
