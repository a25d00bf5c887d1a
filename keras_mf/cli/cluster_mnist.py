"""Cluster MNIST with a deep SymNMF: autoencoder codes, a neighbour layout, SymNMF, fine-tuning toward SymNMF.

Pretrains the 784-500-500-2000-10 autoencoder, clusters the layout of its codes with SymNMF started from a
partition, then fine-tunes the encoder toward SymNMF's memberships and clusters again (see
`keras_mf.cli.experiments.deep_symnmf`). Labels are used only to report and log accuracy/NMI. Writes a Projector
embedding of the fine-tuned codes with each image's label and cluster.

    keras-mf-deep-cluster                    # the 10,000 bundled test images, about 3 minutes on 2 cores
    keras-mf-deep-cluster --logdir runs/x    # run again with the same --logdir to resume
    tensorboard --logdir runs/cluster_mnist
"""

import os
import sys

from keras_mf.training import args as cli_args


def build_parser():
    """The command's `argparse.ArgumentParser`: the shared options (`keras_mf.training.make_parser`, 20 epochs and
    batches of 256 by default, no `--resume`) and `--split`, `--clusters`, `--layout-steps`, `--layout-neighbors`,
    `--graph-neighbors`, `--init`, `--rounds`, `--finetune-epochs`, `--finetune-lr`, `--reconstruction-weight`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.cluster_mnist import build_parser
        >>> args = build_parser().parse_args(["--clusters", "4"])
        >>> args.clusters, args.init, args.rounds, args.epochs
        (4, 'balanced', 2, 20)
    """
    # No --resume or --distribute: a run resumes per phase when re-run with the same --logdir.
    parser = cli_args.make_parser("cluster_mnist", __doc__.splitlines()[0], resumable=False, epochs=20, batch_size=256)
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=cli_args.int_in(2), default=10, help="number of clusters k")
    parser.add_argument(
        "--layout-steps", type=cli_args.positive_int, default=10000, help="SGD steps of the neighbour layout"
    )
    parser.add_argument(
        "--layout-neighbors", type=cli_args.positive_int, default=20, help="neighbours of the fuzzy graph of the codes"
    )
    parser.add_argument(
        "--graph-neighbors", type=cli_args.positive_int, default=30, help="neighbours of SymNMF's graph"
    )
    parser.add_argument(
        "--init",
        choices=("balanced", "spectral", "kmeans"),
        default="balanced",
        help="partition SymNMF starts from on the layout's graph (balanced: SymNMF from both, the more balanced kept)",
    )
    parser.add_argument(
        "--rounds", type=cli_args.int_in(0), default=2, help="fine-tuning rounds, each followed by SymNMF"
    )
    parser.add_argument("--finetune-epochs", type=cli_args.positive_int, default=5, help="epochs per fine-tuning round")
    parser.add_argument(
        "--finetune-lr", type=cli_args.positive_float, default=1e-4, help="Adam's learning rate when fine-tuning"
    )
    parser.add_argument(
        "--reconstruction-weight",
        type=cli_args.positive_float,
        default=1.0,
        help="weight of the MSE when fine-tuning",
    )
    return parser


def check(args):
    """Options that are wrong together: more clusters than images in `--split`.

    Args:
        args: the parsed namespace (from `build_parser`), after `keras_mf.training.check_data` accepted the split.

    Returns:
        A message "argument --clusters: ..." (str) for argparse's `error`, or None.

    Example:
        >>> from keras_mf.cli.cluster_mnist import build_parser, check
        >>> print(check(build_parser().parse_args(["--data", "bundled", "--split", "test[:5]", "--clusters", "6"])))
        argument --clusters: --split test[:5] holds 5 images, fewer than 6
    """
    images = cli_args.split_examples(args, args.split)
    if args.clusters > images:
        return f"argument --clusters: --split {args.split} holds {images} images, fewer than {args.clusters}"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks.

    Loads the images of `--split`, runs `keras_mf.cli.experiments.deep_symnmf.run_deep_symnmf` (pretraining,
    the neighbour layout, SymNMF from a partition, `--rounds` rounds of fine-tuning each followed by SymNMF),
    then prints the table (k-means on the pretrained codes first, then each SymNMF stage) and the files written.

    Args:
        argv: list of str (the command line without the program name), or None for `sys.argv[1:]`.

    Returns:
        A dict: "accuracy" and "nmi" (floats in [0, 1], of the last stage, labels used only to score),
        "seconds" (float, the pipeline's time) and "logdir" (str).

    Raises:
        SystemExit: status 2 for a bad option (the flag named, before TensorFlow loads); status 1 with the
            message of a `keras_mf.exceptions.ClusteringError` (a degenerate clustering).

    Example:
        A run is minutes long; the options it takes are checked first, without loading TensorFlow:

        >>> import contextlib, io
        >>> from keras_mf.cli import cluster_mnist
        >>> with contextlib.redirect_stderr(io.StringIO()) as err:
        ...     try:
        ...         cluster_mnist.run(["--data", "bundled", "--split", "test[:5]", "--clusters", "6"])
        ...     except SystemExit as exit:
        ...         print("exit status", exit.code)
        exit status 2
        >>> print(err.getvalue().splitlines()[-1].split(": ", 1)[1])       # after the program's name
        error: argument --clusters: --split test[:5] holds 5 images, fewer than 6
    """
    args = cli_args.parse_args(build_parser(), argv, check)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    from keras_mf import training
    from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
    from keras_mf.datasets import load_mnist
    from keras_mf.exceptions import ClusteringError

    training.set_seed(args.seed)
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    try:
        result = run_deep_symnmf(
            x,
            args.clusters,
            pretrain_epochs=args.epochs,
            batch_size=args.batch_size,
            layout_steps=args.layout_steps,
            layout_neighbors=args.layout_neighbors,
            graph_neighbors=args.graph_neighbors,
            init=args.init,
            rounds=args.rounds,
            finetune_epochs=args.finetune_epochs,
            finetune_learning_rate=args.finetune_lr,
            reconstruction_weight=args.reconstruction_weight,
            seed=args.seed,
            logdir=args.logdir,
            y_monitor=y,
            verbose=training.fit_verbosity(),
        )
    except ClusteringError as error:
        sys.exit(f"cluster_mnist: {error}\nThe last good checkpoint is in {args.logdir}")
    rows = result_rows(args, result, y)
    with training.phase("writing the TensorBoard logs"):
        files = write_logs(args, rows, result, x, y)
    print()
    print(training.format_table(HEADERS, rows))
    training.report_outputs(args.logdir, files)
    return {"accuracy": rows[-1][1], "nmi": rows[-1][2], "seconds": result["seconds"], "logdir": args.logdir}


HEADERS = ["stage", "accuracy", "NMI", "SymNMF objective", "wall s (cumulative)"]


def result_rows(args, result, y):
    """The table's rows: k-means on the pretrained codes (the baseline), then each SymNMF stage.

    Args:
        args: the parsed namespace (`clusters`, `seed`).
        result: the dict of `run_deep_symnmf`: "codes" `(n, code size)` and "stages", a list of
            `(name, labels (n,), SymNMF objective, cumulative seconds)`.
        y: int `(n,)` true labels, for scoring only.

    Returns:
        A list of rows `[stage, accuracy, NMI, SymNMF objective (NaN for k-means), wall seconds or "-"]`,
        accuracy and NMI in [0, 1].

    Example:
        >>> import numpy as np
        >>> from keras_mf.cli.cluster_mnist import build_parser, result_rows
        >>> y = np.array([0, 0, 1, 1])
        >>> codes = np.array([[0.0, 0.0], [0.0, 1.0], [9.0, 0.0], [9.0, 1.0]])
        >>> result = {"codes": codes, "stages": [("SymNMF", np.array([1, 1, 0, 0]), 0.5, 2.04)]}
        >>> for row in result_rows(build_parser().parse_args(["--clusters", "2"]), result, y):
        ...     print(row)
        ['k-means on the pretrained codes', 1.0, 1.0, nan, '-']
        ['SymNMF', 1.0, 1.0, 0.5, 2.0]
    """
    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import kmeans
    from keras_mf.cluster import normalized_mutual_info

    baseline, _, _ = kmeans(result["codes"], args.clusters, seed=args.seed)
    stages = [("k-means on the pretrained codes", baseline, float("nan"), "-")]
    stages += [(name, labels, float(objective), round(s, 1)) for name, labels, objective, s in result["stages"]]
    return [
        [name, clustering_accuracy(y, labels), normalized_mutual_info(y, labels), objective, seconds]
        for name, labels, objective, seconds in stages
    ]


def write_logs(args, rows, result, x, y):
    """The result table as text, a Projector embedding of the fine-tuned codes coloured by digit and by cluster,
    and the HParams row.

    Args:
        args: the parsed namespace (`logdir`, `rounds`).
        rows: the rows of `result_rows`.
        result: the dict of `run_deep_symnmf` ("finetuned_codes" `(n, code size)`, "labels" `(n,)`, "seconds").
        x: the images `(n, 784)` float32 in [0, 1] (the Projector's sprites).
        y: int `(n,)` true labels.

    Returns:
        `{path: what it is}` for `keras_mf.training.report_outputs`.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.cluster_mnist import build_parser, write_logs
        >>> args = build_parser().parse_args(["--logdir", tempfile.mkdtemp(), "--rounds", "0"])
        >>> rows = [["k-means on the pretrained codes", 0.5, 0.0, float("nan"), "-"], ["SymNMF", 1.0, 1.0, 0.5, 2.0]]
        >>> result = {"finetuned_codes": np.eye(4, 2), "labels": np.array([0, 0, 1, 1]), "seconds": 2.0}
        >>> x, y = np.zeros((4, 784), np.float32), np.array([0, 0, 1, 1])
        >>> files = write_logs(args, rows, result, x, y)
        >>> sorted(os.path.relpath(path, args.logdir) for path in files)
        ['.', 'pretrained.keras', 'projector_config.pbtxt']
    """
    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    logdir = args.logdir
    training.write_text(os.path.join(logdir, "monitor"), "clustering/results", training.markdown_table(HEADERS, rows))
    codes = result["finetuned_codes"]
    config = training.write_projector(logdir, codes, y, images=x, clusters=result["labels"], name="fine-tuned codes")
    metrics = {"cluster_accuracy": rows[-1][1], "cluster_nmi": rows[-1][2], "seconds": result["seconds"]}
    log_run(logdir, args, metrics)
    model = f"finetuned_{args.rounds}.keras" if args.rounds else "pretrained.keras"
    return {
        os.path.join(logdir, model): "the model (keras.saving.load_model; predict_labels gives clusters)",
        config: "Projector: the fine-tuned codes, coloured by digit and by cluster",
        os.path.join(logdir, ""): "TensorBoard logs and checkpoints of every phase (re-run to resume), HParams",
    }


def main(argv=None):
    """The console entry point `keras-mf-deep-cluster`: runs the command (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 1 for a degenerate clustering,
            130 after a Ctrl-C (with the line saying where it stopped; re-run with the same `--logdir` to resume).

    Example:
        >>> from keras_mf.cli.cluster_mnist import main
        >>> try:
        ...     main(["--clusters", "1"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)
