"""Train the stateful RNN on MNIST: row-by-row classification, or truncated BPTT over chunks.

The same command as `keras-mf-rnn` (installed by `pip install keras_mf`);
see `keras_mf/cli/train_rnn.py`.
"""

from keras_mf.cli.train_rnn import main

if __name__ == "__main__":
    main()
