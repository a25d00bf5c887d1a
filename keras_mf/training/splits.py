"""The default train/eval splits of a data source."""

from keras_mf.datasets import load_mnist


def resolve_splits(args):
    """`(train_split, eval_split)`: `--train-split`/`--eval-split` when given, else ("train", "test")
    when the source has MNIST's training split, else the bundled test split cut 8,000 / 2,000."""
    if args.train_split and args.eval_split:
        return args.train_split, args.eval_split
    try:
        load_mnist("train[:1]", source=args.data, data_dir=args.data_dir, as_numpy=True, verbose=False)
        defaults = ("train", "test")
    except ValueError:
        defaults = ("test[:8000]", "test[8000:]")
    return args.train_split or defaults[0], args.eval_split or defaults[1]
