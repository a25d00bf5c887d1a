"""
keras-mf-autoencoder
====================

Trains an autoencoder on MNIST and compares it with PCA at the same code size. By default the model is
784-256-32 with ReLU and a sigmoid output (:class:`keras_mf.models.Autoencoder`), trained with the mean
squared error and Adam on a cosine-decaying learning rate; ``--linear`` trains the tutorial's linear model,
whose optimum is PCA (see :doc:`../auto_tutorials/tutorial_000_autoencoders_rnns`), and ``--pca-init``
starts from the truncated SVD of the data. PCA is fitted on the same training images with
:class:`keras_mf.layers.TruncatedSVD`.

It prints a table (train and eval MSE of the autoencoder and of PCA), saves ``autoencoder.keras`` and
writes a TensorBoard run: loss curves, PCA's error as constant reference lines, a grid of originals above
reconstructions at every epoch, the autoencoder's error beside PCA's Eckart–Young curve, a Projector
embedding of the evaluation codes coloured by digit, and the run's hyperparameters. A killed run resumes from
its last epoch when started again with the same ``--logdir``.
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.train_autoencoder
#    :func: build_parser
#    :prog: keras-mf-autoencoder

# %%
# A short run
# -----------
#
# Two epochs on the bundled data (the default is 30): ``keras-mf-autoencoder --epochs 2 --data bundled``.
# The command's ``run`` function takes the same arguments and returns what the table shows.

import tempfile

import tensorboard_view  # docs/_ext/tensorboard_view.py: reads the run back with TensorBoard's reader

from keras_mf.cli import train_autoencoder

logdir = tempfile.mkdtemp(prefix="keras-mf-autoencoder-")
result = train_autoencoder.run(["--epochs", "2", "--data", "bundled", "--logdir", logdir])

# %%
# What its TensorBoard run holds
# ------------------------------
#
# ``tensorboard --logdir`` on the run folder shows these dashboards and tags:

tensorboard_view.summarize(logdir)

# %%
# The Custom Scalars dashboard: the reconstruction MSE per epoch on both splits, with PCA's as reference lines.

tensorboard_view.scalar_curves(
    logdir, ["reconstruction_mse/model", "reconstruction_mse/pca"], "reconstruction MSE per epoch"
)

# %%
# The Images dashboard: the reconstruction grid of the last epoch (originals above reconstructions) and
# the error against code size.

tensorboard_view.images(logdir)

# %%
# The HParams dashboard: the arguments of the run and its final metrics, one row per run.

tensorboard_view.hparams(logdir)
