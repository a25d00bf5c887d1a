"""Cluster MNIST with SymNMF and with spectral clustering on the same k-NN graph.

The same command as `keras-mf-cluster` (installed by `pip install keras_mf`);
see `keras_mf/cli/snmf_mnist.py`.
"""

from keras_mf.cli.snmf_mnist import main

if __name__ == "__main__":
    main()
