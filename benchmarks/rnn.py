"""StatefulRNN against keras.layers.SimpleRNN, row by row, and truncated BPTT with carried/reset state.

python benchmarks/rnn.py      # bundled split, 8000/2000, 128 units, 10 epochs
"""

import time

import _common  # noqa: F401
import keras
import numpy as np

from keras_mf import StatefulRNN
from keras_mf import training
from keras_mf.cli import train_rnn
from keras_mf.datasets import load_mnist

EPOCHS = 10
SEEDS = (0, 1, 2)  # one seed's accuracy varies by about ±0.5 point; compare means


def train(model, x, y, x_eval, y_eval):
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:256], y[:256], epochs=1, batch_size=128, verbose=0)  # trace once, excluded from timing
    start = time.perf_counter()
    model.fit(x, y, epochs=EPOCHS, batch_size=128, verbose=0)
    speed = len(x) * EPOCHS / (time.perf_counter() - start)
    return float(model.evaluate(x_eval, y_eval, verbose=0)[1]), speed


def main():
    load = dict(source="bundled", shape="sequence", as_numpy=True, verbose=False)
    (x, y), (x_eval, y_eval) = load_mnist("test[:8000]", **load), load_mnist("test[8000:]", **load)
    runs = {"simple": [], "ours": [], "ours_own_init": []}
    for seed in SEEDS:  # interleaved, so both see the same machine load
        training.set_seed(seed)
        simple = keras.Sequential(
            [keras.Input((28, 28)), keras.layers.SimpleRNN(128), keras.layers.Dense(10, activation="softmax")]
        )
        ours = StatefulRNN(128, 10)
        ours.build((None, 28, 28))
        training.set_seed(seed + 100)
        own_init = StatefulRNN(128, 10)
        # Controlled comparison: the same initial weights and the same shuffling, so that only the
        # implementation differs; `own_init` draws its own weights, as a user's model would.
        ours.cell.set_weights(simple.layers[0].get_weights())
        ours.head.set_weights(simple.layers[1].get_weights())
        for name, model in (("simple", simple), ("ours", ours), ("ours_own_init", own_init)):
            training.set_seed(seed)
            runs[name].append(train(model, x, y, x_eval, y_eval))
    # Speed: each model's fastest seed, as timeit advises (other processes can only slow a run down).
    simple_acc, simple_speed = np.mean([r[0] for r in runs["simple"]]), max(r[1] for r in runs["simple"])
    ours_acc, ours_speed = np.mean([r[0] for r in runs["ours"]]), max(r[1] for r in runs["ours"])
    own_acc = np.mean([r[0] for r in runs["ours_own_init"]])
    common = ["--data", "bundled", "--mode", "tbptt", "--chunks", "4", "--batch-size", "100", "--epochs", str(EPOCHS)]
    carried = train_rnn.run(common + ["--logdir", "/tmp/keras_mf_bench_rnn_carried"])
    reset = train_rnn.run(common + ["--logdir", "/tmp/keras_mf_bench_rnn_reset", "--reset-every-chunk"])
    print()
    print(
        training.format_table(
            ["model", "eval accuracy", "train samples/s (fastest seed)"],
            [
                ["keras SimpleRNN(128) + Dense, mean of 3 seeds", simple_acc, round(simple_speed)],
                ["ours StatefulRNN(128), same initial weights", ours_acc, round(ours_speed)],
                ["ours StatefulRNN(128), its own initial weights", own_acc, "-"],
                ["ours, truncated BPTT 4x7 rows, state carried", carried["accuracy"], "-"],
                ["ours, truncated BPTT, state reset every chunk", reset["accuracy"], "-"],
            ],
        )
    )
    print(
        "per seed (accuracy): SimpleRNN",
        [round(r[0], 4) for r in runs["simple"]],
        "ours (same init)",
        [round(r[0], 4) for r in runs["ours"]],
        "ours (own init)",
        [round(r[0], 4) for r in runs["ours_own_init"]],
    )
    print(
        f"RESULT acc={ours_acc:.4f} simplernn_acc={simple_acc:.4f} throughput_ratio={ours_speed / simple_speed:.3f} "
        f"tbptt_acc={carried['accuracy']:.4f} reset_acc={reset['accuracy']:.4f}"
    )


if __name__ == "__main__":
    main()
