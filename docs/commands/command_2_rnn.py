"""
keras-mf-rnn
============

Trains :class:`keras_mf.models.StatefulRNN` (an Elman network, :math:`h_t = \\tanh(Wx_t + Uh_{t-1} + b)`, with
a softmax head) on MNIST read as sequences of 28 rows of 28 pixels.

``--mode rows`` is plain classification: one prediction per image after its 28 rows. ``--mode tbptt`` is
truncated backpropagation through time: each batch of images is fed in ``--chunks`` consecutive chunks of
rows to a stateful model, whose hidden state carries from chunk to chunk and is reset between batches of
images; gradients stop at each chunk's boundary. ``--reset-every-chunk`` resets the state at every chunk
instead, the control that shows the model relies on the carried state (see
:doc:`../auto_tutorials/tutorial_000_autoencoders_rnns`, where both run for 10 epochs).

It prints the evaluation accuracy and training throughput, saves ``rnn.keras``, and logs the loss and
accuracy per epoch and the singular values of the recurrent matrix :math:`U` at every epoch (their
largest value governs whether the state's influence grows or fades over time).
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.train_rnn
#    :func: build_parser
#    :prog: keras-mf-rnn

# %%
# A short run
# -----------
#
# Truncated BPTT, four chunks of 7 rows, two epochs (the default is 10):
# ``keras-mf-rnn --mode tbptt --chunks 4 --epochs 2 --data bundled``.

import tempfile

import tensorboard_view  # docs/_ext/tensorboard_view.py: reads the run back with TensorBoard's reader

from keras_mf.cli import train_rnn

logdir = tempfile.mkdtemp(prefix="keras-mf-rnn-")
result = train_rnn.run(["--mode", "tbptt", "--chunks", "4", "--epochs", "2", "--data", "bundled", "--logdir", logdir])

# %%
# What its TensorBoard run holds
# ------------------------------

tensorboard_view.summarize(logdir)

# %%
# The Scalars dashboard: loss and accuracy per epoch (per chunk: the accuracy counts a prediction after every
# chunk, including the early ones that have seen few rows), and the largest singular value of :math:`U`.

tensorboard_view.scalar_curves(
    logdir, ["epoch_loss", "epoch_accuracy", "recurrent_kernel/max_singular_value"], "training, per epoch"
)

# %%
# The Images dashboard: the singular values of :math:`U` at every epoch.

tensorboard_view.images(logdir)
