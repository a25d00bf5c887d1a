"""
keras-mf-cluster
================

Clusters the 10,000 bundled MNIST test images (no training, no labels used) with SymNMF and with spectral
clustering on one graph: the self-tuning k-nearest-neighbour graph of the images, normalised as
:math:`D^{-1/2}WD^{-1/2}` (:func:`keras_mf.graph.pipeline.cluster`). SymNMF
(:class:`keras_mf.factorization.SymNMF`) keeps the lowest objective of several random restarts; spectral
clustering is Ng–Jordan–Weiss (:func:`keras_mf.graph.spectral_clustering`). Labels only score the result.

It prints accuracy (after Hungarian matching of clusters to digits), NMI, SymNMF's objective and the wall
time of each method, and logs SymNMF's objective per iteration, both methods' scores, the objective curve
and SymNMF's confusion matrix. :doc:`../auto_tutorials/tutorial_003_maths` runs the same comparison and
explains both methods.
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.snmf_mnist
#    :func: build_parser
#    :prog: keras-mf-cluster

# %%
# A run
# -----
#
# The defaults, on the bundled data: ``keras-mf-cluster --data bundled``.

import tempfile

import tensorboard_view  # docs/_ext/tensorboard_view.py: reads the run back with TensorBoard's reader

from keras_mf.cli import snmf_mnist

logdir = tempfile.mkdtemp(prefix="keras-mf-cluster-")
rows = snmf_mnist.run(["--data", "bundled", "--logdir", logdir])

# %%
# What its TensorBoard run holds
# ------------------------------

tensorboard_view.summarize(logdir)

# %%
# The Images dashboard: SymNMF's objective per iteration and its confusion matrix against the labels.

tensorboard_view.images(logdir)
