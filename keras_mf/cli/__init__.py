"""The console commands (`keras-mf-autoencoder`, `keras-mf-rnn`, `keras-mf-compress`, `keras-mf-cluster`,
`keras-mf-tutorials`), one module each with `main(argv=None)`; `scripts/*.py` call the same functions.

Each module parses and checks its arguments before it loads TensorFlow, so `--help`, `--version` and
a bad argument answer at once.
"""
