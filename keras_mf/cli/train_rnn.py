"""Train the stateful RNN on MNIST: row-by-row classification, or truncated BPTT over chunks.

--mode rows    28 time steps of 28 pixels, one prediction per image (a plain fit).
--mode tbptt   each batch of images is fed in consecutive chunks of rows to a stateful model; the
               hidden state carries from chunk to chunk and is reset between batches of images.
               --reset-every-chunk resets it at every chunk instead, the control that shows the
               carried state is what the model uses.

  keras-mf-rnn --mode tbptt --chunks 4
"""

import os
import time

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
    import keras

    from keras_mf import StatefulRNN
    from keras_mf import training
    from keras_mf.datasets import load_mnist

    # A multi-worker strategy must exist before TensorFlow runs its first op.
    strategy = training.get_strategy(args.distribute)
    training.set_seed(args.seed)
    logdir = args.logdir
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, shape="sequence", as_numpy=True)
    x_train, y_train = load_mnist(train_split, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)

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
    callbacks = training.standard_callbacks(logdir)
    callbacks.append(training.RecurrentSpectrum(lambda: model.cell.recurrent_kernel, logdir))
    start = time.perf_counter()
    if stateful:
        period = 1 if args.reset_every_chunk else args.chunks
        callbacks.append(training.ResetStateEvery(period))
        data = training.chunked_dataset(x_train, y_train, args.batch_size, args.chunks, args.seed)
        model.fit(data, epochs=args.epochs, callbacks=callbacks, verbose=2, shuffle=False)
    else:
        model.fit(
            x_train,
            y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=(x_eval, y_eval),
            callbacks=callbacks,
            verbose=2,
        )
    wall = time.perf_counter() - start
    training.exit_if_stopped(callbacks)
    if stateful:
        accuracy = training.evaluate_chunked(
            model, x_eval, y_eval, args.chunks, reset_every_chunk=args.reset_every_chunk
        )
    else:
        accuracy = float(model.evaluate(x_eval, y_eval, batch_size=1000, verbose=0)[1])
    model.reset_state()
    model_path = training.atomic_save_model(model, os.path.join(logdir, "rnn.keras"))
    mode = args.mode + (" (reset every chunk)" if args.reset_every_chunk else "")
    print()
    print(
        training.format_table(
            ["mode", "units", "epochs", "eval accuracy", "train samples/s", "wall s"],
            [[mode, args.units, args.epochs, accuracy, round(len(x_train) * args.epochs / wall), round(wall, 1)]],
        )
    )
    training.log_hparams(logdir, args, {"eval_accuracy": accuracy})
    print(f"\nmodel: {model_path}\nlogs:  {logdir}")
    return {"accuracy": accuracy, "wall": wall, "logdir": logdir}


def main(argv=None):
    """The console entry point: runs the command, exit status 0 (argparse exits 2 on a bad argument)."""
    run(argv)
