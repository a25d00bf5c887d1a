"""Train the stateful RNN on MNIST: row-by-row classification, or truncated BPTT over chunks.

--mode rows    28 time steps of 28 pixels, one prediction per image (a plain fit).
--mode tbptt   each batch of images is fed in consecutive chunks of rows to a stateful model; the
               hidden state carries from chunk to chunk and is reset between batches of images.
               --reset-every-chunk resets it at every chunk instead, the control that shows the
               carried state is what the model uses.

  keras-mf-rnn --mode tbptt --chunks 4

References:
    Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
    https://doi.org/10.1207/s15516709cog1402_1

    Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of recurrent
    network trajectories. Neural Computation 2(4), 490–501. https://doi.org/10.1162/neco.1990.2.4.490
"""

import os

from keras_mf.training import args as cli_args


def build_parser():
    """The command's `argparse.ArgumentParser`: the shared options (`keras_mf.training.make_parser`, 10 epochs by
    default) and `--mode`, `--units`, `--chunks`, `--reset-every-chunk`, `--learning-rate`, `--train-split`,
    `--eval-split`.

    Returns:
        An `argparse.ArgumentParser` (nothing is loaded: `--help` answers without TensorFlow).

    Example:
        >>> from keras_mf.cli.train_rnn import build_parser
        >>> args = build_parser().parse_args(["--mode", "tbptt"])
        >>> args.mode, args.chunks, args.units, args.batch_size
        ('tbptt', 4, 128, 128)
    """
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
    """Options that are wrong together: `--chunks` not dividing the 28 rows, `--reset-every-chunk` without
    `--mode tbptt`.

    Args:
        args: the parsed namespace (from `build_parser`).

    Returns:
        A message "argument --flag: ..." (str) for argparse's `error`, or None when the options agree.

    Example:
        >>> from keras_mf.cli.train_rnn import build_parser, check
        >>> print(check(build_parser().parse_args(["--mode", "tbptt", "--chunks", "5"])))
        argument --chunks: must divide 28, received 5
    """
    if 28 % args.chunks:
        return f"argument --chunks: must divide 28, received {args.chunks}"
    if args.reset_every_chunk and args.mode != "tbptt":
        return "argument --reset-every-chunk: only applies to --mode tbptt"
    return None


def run(argv=None):
    """Runs the command on `argv` and returns its results (what the table shows), for tests and notebooks.

    Trains a `keras_mf.StatefulRNN` (Adam, sparse categorical cross-entropy) on MNIST read row by row, either on
    whole images (`--mode rows`) or by truncated BPTT over chunks of rows with the state carried (`--mode
    tbptt`); writes the TensorBoard logs (the recurrent matrix's singular values per epoch among them), the
    model `<logdir>/rnn.keras` and a resumable backup; prints the result table and the files written.

    Args:
        argv: list of str (the command line without the program name), or None for `sys.argv[1:]`.

    Returns:
        A dict: "accuracy" (the evaluation split's, in [0, 1]), "wall" (the training time in seconds) and
        "logdir".

    Raises:
        SystemExit: status 2 for a bad option (the flag named, before TensorFlow loads); status 1 when the loss
            became NaN/inf.

    Example:
        One short epoch on 128 bundled images (a few seconds: the example is in the slow test suite):

        >>> import contextlib, io, tempfile
        >>> from keras_mf.cli import train_rnn
        >>> argv = ["--data", "bundled", "--train-split", "test[:128]", "--eval-split", "test[8000:8064]",
        ...         "--mode", "tbptt", "--epochs", "1", "--units", "8", "--batch-size", "32",
        ...         "--logdir", tempfile.mkdtemp()]
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     result = train_rnn.run(argv)
        >>> sorted(result), 0.0 <= result["accuracy"] <= 1.0
        (['accuracy', 'logdir', 'wall'], True)
    """
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
    """The compiled `StatefulRNN`: stateful, with a fixed batch of chunks, for --mode tbptt.

    Args:
        args: the parsed namespace (mode, units, chunks, batch size, learning rate).
        strategy: the `tf.distribute.Strategy` to build it under.

    Returns:
        A built `keras_mf.StatefulRNN` compiled with Adam, sparse categorical cross-entropy and accuracy: inputs
        `(batch, 28, 28)` (`--mode rows`) or `(batch_size, 28 / chunks, 28)` (`--mode tbptt`), outputs
        `(batch, 10)` class probabilities.

    Example:
        >>> from keras_mf.cli.train_rnn import build_model, build_parser
        >>> from keras_mf.training import get_strategy
        >>> args = build_parser().parse_args(["--mode", "tbptt", "--units", "8", "--batch-size", "16"])
        >>> model = build_model(args, get_strategy("none"))
        >>> model.stateful, model.batch_size
        (True, 16)
    """
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
    """Trains on whole images (--mode rows) or on consecutive chunks with the state carried (--mode tbptt).

    With --mode tbptt, `keras_mf.training.ResetStateEvery` zeroes the state before each batch of images (or
    before every chunk with `--reset-every-chunk`) and is appended to `callbacks`.

    Args:
        args: the parsed namespace.
        model: the compiled model of `build_model`.
        train: a tuple `(x, y)`, images `(n, 28, 28)` float32 in [0, 1] and labels `(n,)`.
        evaluation: a tuple `(x, y)` for the validation curves (--mode rows).
        callbacks: the list of callbacks (`keras_mf.training.standard_callbacks` and others).

    Example:
        >>> import contextlib, io
        >>> import numpy as np
        >>> from keras_mf.cli.train_rnn import build_model, build_parser, fit
        >>> from keras_mf.training import get_strategy
        >>> args = build_parser().parse_args(["--mode", "tbptt", "--units", "8", "--batch-size", "16", "--epochs", "1"])
        >>> model = build_model(args, get_strategy("none"))
        >>> x, y = np.zeros((32, 28, 28), np.float32), np.arange(32) % 10
        >>> callbacks = []
        >>> with contextlib.redirect_stdout(io.StringIO()):     # Keras' progress lines
        ...     fit(args, model, (x, y), (x, y), callbacks)
        >>> [type(callback).__name__ for callback in callbacks]
        ['ResetStateEvery']
    """
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
    """The evaluation accuracy; saves the model, its op graph and the HParams row.

    With --mode tbptt the accuracy is the prediction after each image's last chunk
    (`keras_mf.training.evaluate_chunked`); the state is zeroed before the model is saved.

    Args:
        args: the parsed namespace (with `logdir`).
        model: the trained model.
        x_eval: float32 images `(n, 28, 28)`.
        y_eval: int labels `(n,)`.
        seconds: float, the run's training time.

    Returns:
        A tuple `(accuracy, files)`: the accuracy in [0, 1] and `{path: what it is}`.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from keras_mf.cli.train_rnn import build_model, build_parser, evaluate_and_log
        >>> from keras_mf.training import get_strategy
        >>> args = build_parser().parse_args(["--units", "8", "--logdir", tempfile.mkdtemp()])
        >>> model = build_model(args, get_strategy("none"))
        >>> accuracy, files = evaluate_and_log(args, model, np.zeros((16, 28, 28), np.float32), np.zeros(16), 1.0)
        >>> 0.0 <= accuracy <= 1.0, sorted(os.path.basename(path) for path in files)
        (True, ['', 'rnn.keras'])
    """
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
    """The console entry point `keras-mf-rnn`: runs the command (see `run`).

    Args:
        argv: list of str, or None for `sys.argv[1:]`.

    Raises:
        SystemExit: exit status 2 for a bad argument (before TensorFlow loads), 1 when the loss became NaN/inf,
            130 after a Ctrl-C (with the line saying where it stopped and how to resume).

    Example:
        >>> from keras_mf.cli.train_rnn import main
        >>> try:
        ...     main(["--chunks", "5"])          # argparse prints the error on standard error
        ... except SystemExit as exit:
        ...     print("exit status", exit.code)
        exit status 2
    """
    from keras_mf.training.progress import run_command

    run_command(run, argv)


if __name__ == "__main__":  # python -m keras_mf.cli.train_rnn
    main()
