"""Train the stateful RNN on MNIST: row-by-row classification, or truncated BPTT over chunks.

  --mode rows    28 time steps of 28 pixels, one prediction per image (a plain fit).
  --mode tbptt   each batch of images is fed in consecutive chunks of rows to a stateful model; the
                 hidden state carries from chunk to chunk and is reset between batches of images.
                 --reset-every-chunk resets it at every chunk instead, the control that shows the
                 carried state is what the model uses.

    python scripts/train_rnn.py --mode tbptt --chunks 4
"""

import os
import time

import keras
import numpy as np
import tensorflow as tf

from keras_mf import StatefulRNN
from keras_mf import training
from keras_mf.datasets import load_mnist


def parse_args(argv=None):
    parser = training.make_parser("train_rnn", __doc__.splitlines()[0], epochs=10, batch_size=128)
    parser.add_argument("--mode", choices=("rows", "tbptt"), default="rows", help="training mode")
    parser.add_argument("--units", type=int, default=128, help="hidden state size")
    parser.add_argument("--chunks", type=int, default=4, help="tbptt: chunks per image (must divide 28)")
    parser.add_argument("--reset-every-chunk", action="store_true", help="tbptt control: forget state between chunks")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's learning rate")
    training.add_split_arguments(parser)
    args = parser.parse_args(argv)
    if 28 % args.chunks:
        parser.error(f"--chunks must divide 28, received {args.chunks}")
    return args


def main(argv=None):
    args = parse_args(argv)
    training.set_seed(args.seed)
    logdir = training.resolve_logdir(args)
    train_split, eval_split = training.resolve_splits(args)
    load = dict(source=args.data, data_dir=args.data_dir, shape="sequence", as_numpy=True)
    x_train, y_train = load_mnist(train_split, **load)
    x_eval, y_eval = load_mnist(eval_split, **load)

    stateful = args.mode == "tbptt"
    strategy = training.get_strategy(args.distribute)
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
        data = chunked_dataset(x_train, y_train, args.batch_size, args.chunks, args.seed)
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
        accuracy = evaluate_chunked(model, x_eval, y_eval, args.chunks, reset_every_chunk=args.reset_every_chunk)
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
    print(f"\nmodel: {model_path}\nlogs:  {logdir}")
    return {"accuracy": accuracy, "wall": wall, "logdir": logdir}


def chunked_dataset(x, y, batch_size, chunks, seed):
    """Batches of images, each split into `chunks` consecutive row groups, yielded in order.

    Element i·chunks + c is chunk c of image batch i: `((batch, 28 / chunks, 28), (batch,))`. A stateful
    model needs full batches, so the last partial batch is dropped.
    """
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    ds = ds.batch(batch_size, drop_remainder=True)

    def split(images, labels):
        pieces = tf.stack(tf.split(images, chunks, axis=1))
        return tf.data.Dataset.from_tensor_slices((pieces, tf.repeat(labels[None], chunks, axis=0)))

    # flat_map hides the length; stating it lets Keras count steps instead of warning at each epoch's end.
    ds = ds.flat_map(split).apply(tf.data.experimental.assert_cardinality((len(x) // batch_size) * chunks))
    return ds.prefetch(tf.data.AUTOTUNE)


def evaluate_chunked(model, x, y, chunks, reset_every_chunk=False):
    """Accuracy of the prediction after the last chunk, feeding each batch chunk by chunk."""
    batch = model.batch_size
    usable = len(x) - len(x) % batch
    correct = 0
    for start in range(0, usable, batch):
        model.reset_state()
        for piece in np.split(x[start : start + batch], chunks, axis=1):
            if reset_every_chunk:
                model.reset_state()
            probabilities = model.predict_on_batch(piece)
        correct += int(np.sum(np.argmax(probabilities, axis=1) == y[start : start + batch]))
    return correct / usable


if __name__ == "__main__":
    main()
