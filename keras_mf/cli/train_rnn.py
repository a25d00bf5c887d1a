"""Train the stateful RNN on MNIST: row-by-row classification, or truncated BPTT over chunks.

--mode rows    28 time steps of 28 pixels, one prediction per image (a plain fit).
--mode tbptt   each batch of images is fed in consecutive chunks of rows to a stateful model; the
               hidden state carries from chunk to chunk and is reset between batches of images.
               --reset-every-chunk resets it at every chunk instead, the control that shows the
               carried state is what the model uses.

  keras-mf-rnn --mode tbptt --chunks 4
"""

import os

from keras_mf.training import args as cli_args


def build_parser():
    parser = cli_args.make_parser("train_rnn", __doc__.splitlines()[0], epochs=10, batch_size=128)
    parser.add_argument("--mode", choices=("rows", "tbptt"), default="rows", help="training mode")
    parser.add_argument("--units", type=cli_args.positive_int, default=128, help="hidden state size")
    parser.add_argument(
        "--chunks", type=cli_args.int_in(1, 28), default=4, help="tbptt: chunks per image (must divide 28)"
    )
    parser.add_argument("--reset-every-chunk", action="store_true", help="tbptt control: forget state between chunks")
    parser.add_argument("--learning-rate", type=cli_args.positive_float, default=1e-3, help="Adam's learning rate")
    cli_args.add_split_arguments(parser)
    return parser


def check(args):
    if 28 % args.chunks:
        return f"argument --chunks: must divide 28, received {args.chunks}"
    if args.reset_every_chunk and args.mode != "tbptt":
        return "argument --reset-every-chunk: only applies to --mode tbptt"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks."""
    args = cli_args.parse_args(build_parser(), argv, check)
    from keras_mf.training.quiet import quiet_tensorflow

    quiet_tensorflow()
    # Imported once the arguments are known to be good: TensorFlow takes seconds to load.
    from keras_mf import training
    from keras_mf.datasets import load_mnist

    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, shape="sequence", as_numpy=True)
    x_train, y_train = load_mnist(train_split, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)
    model = build_model(args, strategy)
    callbacks = training.standard_callbacks(args.logdir)
    callbacks.append(training.RecurrentSpectrum(lambda: model.cell.recurrent_kernel, args.logdir))
    fit(args, model, (x_train, y_train), (x_eval, y_eval), callbacks)
    wall = training.run_seconds(callbacks)
    training.exit_if_stopped(callbacks)
    with training.phase("evaluating and writing the TensorBoard logs"):
        accuracy, files = evaluate_and_log(args, model, x_eval, y_eval, wall)
    mode = args.mode + (" (reset every chunk)" if args.reset_every_chunk else "")
    print()
    print(
        training.format_table(
            ["mode", "units", "epochs", "eval accuracy", "train samples/s", "wall s"],
            [[mode, args.units, args.epochs, accuracy, round(len(x_train) * args.epochs / wall), round(wall, 1)]],
        )
    )
    training.report_outputs(args.logdir, files)
    return {"accuracy": accuracy, "wall": wall, "logdir": args.logdir}


def build_model(args, strategy):
    """The compiled `StatefulRNN`: stateful, with a fixed batch of chunks, for --mode tbptt."""
    import keras

    from keras_mf import StatefulRNN

    stateful = args.mode == "tbptt"
    with strategy.scope():
        model = StatefulRNN(
            units=args.units,
            output_dim=10,
            stateful=stateful,
            batch_size=args.batch_size if stateful else None,
        )
        steps = 28 // args.chunks if stateful else 28
        model.build((args.batch_size if stateful else None, steps, 28))
        model.compile(
            optimizer=keras.optimizers.Adam(args.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    return model


def fit(args, model, train, evaluation, callbacks):
    """Trains on whole images (--mode rows) or on consecutive chunks with the state carried (--mode tbptt)."""
    from keras_mf import training

    verbose = training.fit_verbosity()
    if args.mode == "tbptt":
        period = 1 if args.reset_every_chunk else args.chunks
        callbacks.append(training.ResetStateEvery(period))
        data = training.chunked_dataset(*train, args.batch_size, args.chunks, args.seed)
        model.fit(data, epochs=args.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
    else:
        model.fit(
            *train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=evaluation,
            callbacks=callbacks,
            verbose=verbose,
        )


def evaluate_and_log(args, model, x_eval, y_eval, seconds):
    """The evaluation accuracy; saves the model, its op graph and the HParams row. Returns `(accuracy, files)`."""
    import tensorflow as tf

    from keras_mf import training
    from keras_mf.cli._experiment import log_run

    if args.mode == "tbptt":
        accuracy = training.evaluate_chunked(
            model, x_eval, y_eval, args.chunks, reset_every_chunk=args.reset_every_chunk
        )
    else:
        accuracy = float(model.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
    model.reset_state()
    model_path = training.atomic_save_model(model, os.path.join(args.logdir, "rnn.keras"))
    batch = args.batch_size if args.mode == "tbptt" else None
    steps = 28 // args.chunks if args.mode == "tbptt" else 28
    graph_input = tf.TensorSpec((batch, steps, 28), tf.float32)
    training.write_model_graph(os.path.join(args.logdir, "train"), model, graph_input)
    log_run(args.logdir, args, {"eval_accuracy": accuracy, "seconds": seconds})
    files = {
        model_path: "the trained model (keras.saving.load_model)",
        os.path.join(args.logdir, ""): "TensorBoard logs: loss and accuracy, the recurrent matrix's spectrum, HParams",
    }
    return accuracy, files


def main(argv=None):
    """The console entry point: runs the command; exit status 0, 2 for a bad argument, 130 after a Ctrl-C."""
    from keras_mf.training.progress import run_command

    run_command(run, argv)
