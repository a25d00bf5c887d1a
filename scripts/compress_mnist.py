"""Compress a trained MNIST classifier's Dense layers by truncated SVD and fine-tune it.

The same command as `keras-mf-compress` (installed by `pip install keras_mf`);
see `keras_mf/cli/compress_mnist.py`.
"""

from keras_mf.cli.compress_mnist import main

if __name__ == "__main__":
    main()
