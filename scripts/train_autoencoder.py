"""Train an autoencoder on MNIST and compare it with PCA at the same latent size.

The same command as `keras-mf-autoencoder` (installed by `pip install keras_mf`);
see `keras_mf/cli/train_autoencoder.py`.
"""

from keras_mf.cli.train_autoencoder import main

if __name__ == "__main__":
    main()
