"""
keras-mf-compress
=================

Trains an MLP classifier on MNIST (784-512-256-10 by default), then compresses it at several parameter
budgets with :func:`keras_mf.compression.compress`: each large Dense layer's kernel :math:`W` (:math:`m \\times n`) is
replaced by its truncated SVD, a :class:`keras_mf.layers.LowRankDense` of rank :math:`r` with
:math:`r(m + n)` weights, the largest :math:`r` within the budget. Each compressed copy is evaluated before
and after a short fine-tune. It also measures :class:`keras_mf.layers.TruncatedSVD`'s reconstruction error of
the images against rank.

It prints both tables, saves the trained ``mlp.keras``, and logs the compression results per budget, the
error against rank, and both as plots. The :doc:`../auto_tutorials/tutorial_004_svd` page runs the same
compression at full length.
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.compress_mnist
#    :func: build_parser
#    :prog: keras-mf-compress

# %%
# A short run
# -----------
#
# Three training epochs and one epoch of fine-tuning (the defaults are 10 and 3):
# ``keras-mf-compress --epochs 3 --fine-tune-epochs 1 --data bundled``.

import tempfile

import tensorboard_view  # docs/_ext/tensorboard_view.py: reads the run back with TensorBoard's reader

from keras_mf.cli import compress_mnist

logdir = tempfile.mkdtemp(prefix="keras-mf-compress-")
result = compress_mnist.run(["--epochs", "3", "--fine-tune-epochs", "1", "--data", "bundled", "--logdir", logdir])

# %%
# What its TensorBoard run holds
# ------------------------------

tensorboard_view.summarize(logdir)

# %%
# The Scalars dashboard: the MLP's loss and accuracy per epoch. The results per budget and per rank are not
# steps: they are the Text dashboard's tables and the plots below.

tensorboard_view.scalar_curves(logdir, ["epoch_loss", "epoch_accuracy"], "training, per epoch")

# %%
# The Images dashboard: accuracy against parameters, and the SVD error against rank.

tensorboard_view.images(logdir)
