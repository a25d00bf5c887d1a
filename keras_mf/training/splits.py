"""The default train/eval splits of a data source."""

from keras_mf.datasets.sources import resolve_source


def resolve_splits(args):
    """`(train_split, eval_split)`: `--train-split`/`--eval-split` when given, else ("train", "test") when the
    source has MNIST's training split, else the bundled test split cut 8,000 / 2,000 (as `load_mnist` defaults)."""
    if args.train_split and args.eval_split:
        return args.train_split, args.eval_split
    defaults = resolve_source(args.data, args.data_dir).default_splits()
    return args.train_split or defaults[0], args.eval_split or defaults[1]
