"""Cluster MNIST with a deep SymNMF: autoencoder codes, a neighbour layout, SymNMF, fine-tuning toward SymNMF.

The same command as `keras-mf-deep-cluster` (installed by `pip install keras_mf`);
see `keras_mf/cli/cluster_mnist.py`.
"""

from keras_mf.cli.cluster_mnist import main

if __name__ == "__main__":
    main()
