"""Cluster MNIST with a deep SymNMF: autoencoder codes, neighbour layouts, SymNMF, modularity, a self-trained CNN.

Pretrains the autoencoder 784-500-500-2000-10 on randomly shifted and rotated images, clusters neighbour layouts of
its codes (k-means, Gaussian mixture, spectral, each refined by SymNMF; the partition of largest modularity is kept,
no labels used), then trains a small CNN on the surest points of each cluster and labels every image by it (see
`keras_mf.cli.experiments.deep_symnmf`). Labels are used only to report and log accuracy/NMI. Writes a Projector
embedding of the codes with each image's label and cluster.

    keras-mf-deep-cluster                    # the 10,000 bundled test images, about 5 minutes on 2 cores
    keras-mf-deep-cluster --logdir runs/x    # run again with the same --logdir to resume
    tensorboard --logdir runs/cluster_mnist
"""

import os
import sys

from keras_mf.training import args as cli_args


def build_parser():
    # No --resume or --distribute: a run resumes per phase when re-run with the same --logdir.
    # --epochs and --batch-size default to None: the size rules of `run_deep_symnmf` (pretrain_schedule).
    parser = cli_args.make_parser(
        "cluster_mnist", __doc__.splitlines()[0], resumable=False, epochs=None, batch_size=None
    )
    parser.add_argument("--split", default="test", help="which images to cluster")
    parser.add_argument("--clusters", type=cli_args.int_in(2), default=10, help="number of clusters k")
    parser.add_argument(
        "--layouts",
        type=cli_args.positive_int,
        default=3,
        help="neighbour layouts of the codes, each with 6 partitions",
    )
    parser.add_argument(
        "--layout-steps",
        type=cli_args.positive_int,
        default=None,
        help="SGD steps of each neighbour layout (default: about 90 passes over the graph's edges)",
    )
    parser.add_argument(
        "--layout-neighbors",
        type=cli_args.int_in(2),
        default=None,
        help="neighbours of the fuzzy graph of the codes (default: min(20, n - 1))",
    )
    parser.add_argument(
        "--graph-neighbors",
        type=cli_args.positive_int,
        default=None,
        help="neighbours of each layout's graph, for spectral clustering and SymNMF (default: min(30, n - 1))",
    )
    parser.add_argument(
        "--augment",
        choices=("auto", "on", "off"),
        default="auto",
        help="pretrain on randomly shifted (7%% of the side) and rotated (10 degrees) images",
    )
    parser.add_argument(
        "--self-train",
        choices=("auto", "on", "off"),
        default="auto",
        help="train a CNN on the surest 80%% of each cluster and label every image by it (auto: images of 16x16 up)",
    )
    return parser


def check(args):
    images = cli_args.split_examples(args, args.split)
    if args.clusters > images:
        return f"argument --clusters: --split {args.split} holds {images} images, fewer than {args.clusters}"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
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
            x.reshape(-1, 28, 28),
            args.clusters,
            pretrain_epochs=args.epochs,
            batch_size=args.batch_size,
            layouts=args.layouts,
            layout_steps=args.layout_steps,
            layout_neighbors=args.layout_neighbors,
            graph_neighbors=args.graph_neighbors,
            augment=args.augment,
            self_train=args.self_train,
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


HEADERS = ["stage", "accuracy", "NMI", "wall s (cumulative)"]


def result_rows(args, result, y):
    """The table's rows: k-means on the pretrained codes (the baseline), then each stage of the pipeline."""
    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import kmeans
    from keras_mf.cluster import normalized_mutual_info

    baseline, _, _ = kmeans(result["codes"], args.clusters, seed=args.seed)
    stages = [("k-means on the pretrained codes", baseline, "-")]
    stages += [(name, labels, round(seconds, 1)) for name, labels, seconds in result["stages"]]
    return [
        [name, clustering_accuracy(y, labels), normalized_mutual_info(y, labels), seconds]
        for name, labels, seconds in stages
    ]


def write_logs(args, rows, result, x, y):
    """The result table as text, a Projector embedding of the pretrained codes coloured by digit and by cluster,
    and the HParams row. Returns `{file: what it is}`."""
    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    logdir = args.logdir
    training.write_text(os.path.join(logdir, "monitor"), "clustering/results", training.markdown_table(HEADERS, rows))
    config = training.write_projector(logdir, result["codes"], y, images=x, clusters=result["labels"], name="codes")
    metrics = {"cluster_accuracy": rows[-1][1], "cluster_nmi": rows[-1][2], "seconds": result["seconds"]}
    log_run(logdir, args, metrics)
    if result["classifier"] is not None:
        model = ("self_trained.keras", "the self-trained CNN (keras.saving.load_model; argmax of predict: clusters)")
    else:
        model = ("pretrained.keras", "the model (keras.saving.load_model; predict_labels gives clusters)")
    return {
        os.path.join(logdir, model[0]): model[1],
        config: "Projector: the autoencoder's codes, coloured by digit and by cluster",
        os.path.join(logdir, ""): "TensorBoard logs and checkpoints of every phase (re-run to resume), HParams",
    }


def main(argv=None):
    """The console entry point: runs the command; exit status 0, 2 for a bad argument, 130 after a Ctrl-C."""
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.cluster_mnist
    main()
