"""The default train/eval splits of a data source."""

from keras_mf.datasets.sources import resolve_source


def resolve_splits(args):
    """The train and evaluation splits a command reads.

    `--train-split`/`--eval-split` when given, else ("train", "test") when the source has MNIST's training split,
    else the bundled test split cut 8,000 / 2,000 (as `load_mnist` defaults).

    Args:
        args: the parsed namespace, with `train_split`, `eval_split`, `data` and `data_dir`.

    Returns:
        A tuple `(train_split, eval_split)` of tfds split strings.

    Raises:
        ValueError: the source cannot be used (`keras_mf.training.check_data` reports it first).

    Example:
        >>> import argparse
        >>> from keras_mf.training import resolve_splits
        >>> resolve_splits(argparse.Namespace(train_split=None, eval_split=None, data="bundled", data_dir=None))
        ('test[:8000]', 'test[8000:]')
    """
    if args.train_split and args.eval_split:
        return args.train_split, args.eval_split
    defaults = resolve_source(args.data, args.data_dir).default_splits()
    return args.train_split or defaults[0], args.eval_split or defaults[1]
