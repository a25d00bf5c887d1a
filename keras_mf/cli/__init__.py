"""The console commands (`keras-mf-autoencoder`, `keras-mf-rnn`, `keras-mf-compress`, `keras-mf-cluster`,
`keras-mf-deep-cluster`, `keras-mf-tutorials`), one module each with `main(argv=None)`; `scripts/*.py` call the
same functions.

Each module parses and checks its arguments, the data source included, before it loads TensorFlow, so `--help`,
`--version` and a bad argument answer at once (exit status 2, the flag named, nothing written). Every command
declares the same HParams experiment (`_experiment`), so runs of all commands share one TensorBoard table.
"""
