"""
keras-mf-deep-cluster
=====================

Clusters MNIST without labels with a deep SymNMF (:class:`keras_mf.models.DeepSymNMF`). Three phases, each
logged and checkpointed under ``--logdir`` (running the command again with the same ``--logdir`` skips the
finished phases and resumes the interrupted one):

1. **pretraining**: a 784-500-500-2000-10 autoencoder learns 10-dimensional codes of the images, each batch
   randomly shifted (up to 7% of the side) and rotated (up to 10°), reconstructing the moved image
   (:class:`keras_mf.layers.RandomAffine`);
2. **clustering the codes** (:func:`keras_mf.cluster.cluster_codes`): ``--layouts`` neighbour layouts of the
   codes' fuzzy k-nearest-neighbour graph (as in UMAP, McInnes, Healy and Melville, 2018, and N2D, McConville
   et al., 2021), each partitioned by k-means, a Gaussian mixture and spectral clustering, each partition also
   refined by SymNMF started from it; of these candidates the one with the largest modularity on the codes'
   graph is kept (:func:`keras_mf.cluster.modularity`, computed without labels);
3. **self-training** (``--self-train``, on for images of 16×16 and up): a small CNN learns the clusters from
   the 80% of each cluster whose neighbours agree most with it, on augmented images, and labels every image.

Every setting that depends on the data's size adapts to it (widths, epochs, batch, neighbours, layout steps; see
:func:`keras_mf.cli.experiments.deep_symnmf.run_deep_symnmf`). Labels never steer it: they are only logged
(``monitor/``) and printed. It prints accuracy, NMI and the cumulative time of each stage, and writes a
Projector embedding of the codes with each image's label and cluster. The default run (10,000 images) takes
about 5 CPU-minutes on 2 cores and reaches an accuracy of about 0.96 (``benchmarks/deep_cluster.py``).
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.cluster_mnist
#    :func: build_parser
#    :prog: keras-mf-deep-cluster

# %%
# A short run
# -----------
#
# The full run is too long to repeat at every build of this site, so this page runs a reduced one that goes
# through every phase and writes every log: the first 2,000 images, 2 pretraining epochs, one layout of 300 steps.
# Two epochs do not train the autoencoder, so its scores stay low; the full run's scores are those of
# ``benchmarks/deep_cluster.py``, quoted above.
# ``keras-mf-deep-cluster --split "test[:2000]" --epochs 2 --layouts 1 --layout-steps 300``

import tempfile

import tensorboard_view  # docs/_ext/tensorboard_view.py: reads the run back with TensorBoard's reader

from keras_mf.cli import cluster_mnist

logdir = tempfile.mkdtemp(prefix="keras-mf-deep-cluster-")
arguments = ["--split", "test[:2000]", "--epochs", "2", "--layouts", "1", "--layout-steps", "300"]
arguments += ["--data", "bundled", "--logdir", logdir]
result = cluster_mnist.run(arguments)

# %%
# Resuming
# --------
#
# Run again with the same ``--logdir``: every phase finds its checkpoint and is skipped, so the command only
# reloads the models and partitions, and prints the same table.

again = cluster_mnist.run(arguments)
same = result["accuracy"] == again["accuracy"]
print(f"\nfirst run {result['seconds']:.1f} s, resumed run {again['seconds']:.1f} s; same accuracy: {same}")

# %%
# What its TensorBoard run holds
# ------------------------------
#
# One folder per training phase (``pretrain``, ``self_train``) and ``monitor`` for the label-based scores, which
# never feed back into training:

tensorboard_view.summarize(logdir)

# %%
# The Scalars dashboard: accuracy and NMI of the self-trained CNN's labels after each epoch.

tensorboard_view.scalar_curves(logdir, ["monitor/accuracy", "monitor/nmi"], "label scores (logged only)")
