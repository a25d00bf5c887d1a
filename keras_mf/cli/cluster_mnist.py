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


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
    parser = build_parser()
    args = cli_args.parse_args(parser, argv)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    from keras_mf import training
    from keras_mf.cli.experiments.deep_symnmf import run_deep_symnmf
    from keras_mf.cluster import clustering_accuracy
    from keras_mf.cluster import kmeans
    from keras_mf.cluster import normalized_mutual_info
    from keras_mf.datasets import load_mnist
    from keras_mf.exceptions import ClusteringError

    training.set_seed(args.seed)
    logdir = args.logdir
    x, y = load_mnist(args.split, source=args.data, data_dir=args.data_dir, as_numpy=True)
    if args.clusters > len(x):
        parser.error(f"argument --clusters: split {args.split!r} holds {len(x)} images, fewer than {args.clusters}")
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
            logdir=logdir,
            y_monitor=y,
            verbose=2,
        )
    except ClusteringError as error:
        sys.exit(f"cluster_mnist: {error}\nThe last good checkpoint is in {logdir}")
    baseline, _, _ = kmeans(result["codes"], args.clusters, seed=args.seed)
    rows = [
        [
            "k-means on the pretrained codes",
            clustering_accuracy(y, baseline),
            normalized_mutual_info(y, baseline),
            float("nan"),
            "-",
        ]
    ]
    for name, labels, objective, seconds in result["stages"]:
        rows.append(
            [
                name,
                clustering_accuracy(y, labels),
                normalized_mutual_info(y, labels),
                float(objective),
                round(seconds, 1),
            ]
        )
    training.write_projector(logdir, result["finetuned_codes"], y, images=x, clusters=result["labels"])
    metrics = {"accuracy": rows[-1][1], "nmi": rows[-1][2]}
    training.log_hparams(logdir, args, metrics)
    print()
    print(training.format_table(["stage", "accuracy", "NMI", "SymNMF objective", "wall s (cumulative)"], rows))
    model = f"finetuned_{args.rounds}.keras" if args.rounds else "pretrained.keras"
    print(f"\nmodel: {os.path.join(logdir, model)}\nlogs:  {logdir}  (tensorboard --logdir {logdir})")
    return {**metrics, "seconds": result["seconds"], "logdir": logdir}


def main(argv=None):
    """The console entry point: runs the command, exit status 0 (argparse exits 2 on a bad argument)."""
    run(argv)
