"""StatefulRNN against keras.layers.SimpleRNN, row by row, and truncated BPTT with carried/reset state.

    python benchmarks/rnn.py      # bundled split, 8000/2000, 128 units, 10 epochs
"""

import _common  # noqa: F401

import time

import keras
import numpy as np

import train_rnn
from keras_mf import StatefulRNN
from keras_mf import training
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
    runs = {"simple": [], "ours": []}
    for seed in SEEDS:  # interleaved, so both see the same machine load
        training.set_seed(seed)
        simple = keras.Sequential(
            [keras.Input((28, 28)), keras.layers.SimpleRNN(128), keras.layers.Dense(10, activation="softmax")]
        )
        runs["simple"].append(train(simple, x, y, x_eval, y_eval))
        training.set_seed(seed)
        runs["ours"].append(train(StatefulRNN(128, 10), x, y, x_eval, y_eval))
    simple_acc, simple_speed = np.mean([r[0] for r in runs["simple"]]), np.median([r[1] for r in runs["simple"]])
    ours_acc, ours_speed = np.mean([r[0] for r in runs["ours"]]), np.median([r[1] for r in runs["ours"]])
    common = ["--data", "bundled", "--mode", "tbptt", "--chunks", "4", "--batch-size", "100", "--epochs", str(EPOCHS)]
    carried = train_rnn.main(common + ["--logdir", "/tmp/keras_mf_bench_rnn_carried"])
    reset = train_rnn.main(common + ["--logdir", "/tmp/keras_mf_bench_rnn_reset", "--reset-every-chunk"])
    print()
    print(training.format_table(
        ["model", "eval accuracy", "train samples/s"],
        [["keras SimpleRNN(128) + Dense, mean of 3 seeds", simple_acc, round(simple_speed)],
         ["ours StatefulRNN(128), rows, mean of 3 seeds", ours_acc, round(ours_speed)],
         ["ours, truncated BPTT 4x7 rows, state carried", carried["accuracy"], "-"],
         ["ours, truncated BPTT, state reset every chunk", reset["accuracy"], "-"]]))
    print("per seed (accuracy): SimpleRNN", [round(r[0], 4) for r in runs["simple"]],
          "ours", [round(r[0], 4) for r in runs["ours"]])
    print(f"RESULT acc={ours_acc:.4f} simplernn_acc={simple_acc:.4f} throughput_ratio={ours_speed / simple_speed:.3f} "
          f"tbptt_acc={carried['accuracy']:.4f} reset_acc={reset['accuracy']:.4f}")


if __name__ == "__main__":
    main()
