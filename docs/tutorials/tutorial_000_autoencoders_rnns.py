"""
000 · Matrix factorization in autoencoders and recurrent networks
=================================================================

Tutorial 000 presents matrix factorization as the thread that ties autoencoders and recurrent networks
together: it introduces the three ideas, writes the mathematical model of each network and its training
loop, gives a TensorFlow program for each, and ends with an outlook and questions.

The link it points to is real and can be measured: a *linear* autoencoder trained with the squared error
learns the same subspace as PCA, whose error is the smallest any rank-:math:`k` factorization can reach
(Eckart and Young, 1936; Baldi and Hornik, 1989). Its programs, though, do not show it. The autoencoder
trains on uniform noise, which has no structure to factorize, and the "recurrent network" never uses its
hidden state, so nothing recurs. This page measures the link on MNIST with :class:`keras_mf.models.Autoencoder`
and trains a truly stateful :class:`keras_mf.models.StatefulRNN`, whose state carries across batches.

The numbers come from the same code and settings as ``benchmarks/autoencoder.py`` and
``benchmarks/rnn.py``: the 8,000 / 2,000 split of the bundled MNIST test images, seed 0.
"""

# %%
# Matrix factorization
# --------------------
#
# A data matrix :math:`X` (:math:`n` examples by :math:`d` features) is written as a product of smaller
# factors, :math:`X \approx CB` with :math:`C` of shape :math:`n \times k` and :math:`B` of shape
# :math:`k \times d`. The tutorial names non-negative matrix factorization (NMF, both factors
# :math:`\ge 0`) and the singular value decomposition (SVD). The third name it gives, "matrix convex
# decomposition (MCD)", is not an established method; the closest is convex NMF (Ding, Li and Jordan,
# 2010), where the basis rows are convex combinations of the data.
#
# With the SVD the best rank-:math:`k` factorization in squared error is known in closed form: keep the
# :math:`k` largest singular values (Eckart and Young, 1936). For centred data that is PCA, and
# :class:`keras_mf.layers.TruncatedSVD` fits it like Keras' ``Normalization`` layer, with ``adapt``.

import os
import tempfile

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from keras_mf import Autoencoder
from keras_mf import StatefulRNN
from keras_mf import TruncatedSVD
from keras_mf import linalg
from keras_mf import training
from keras_mf.cli.experiments.compression import eckart_young_curve
from keras_mf.datasets import load_mnist

load = dict(source="bundled", as_numpy=True, verbose=False)
x_train, y_train = load_mnist("test[:8000]", **load)  # (8000, 784) pixels in [0, 1]
x_eval, y_eval = load_mnist("test[8000:]", **load)  # (2000, 784)

pca = TruncatedSVD(rank=32)
pca.adapt(x_train)
pca_train = training.mse(x_train, pca.reconstruct(x_train))
pca_eval = training.mse(x_eval, pca.reconstruct(x_eval))
ratio = float(keras.ops.sum(pca.explained_variance_ratio))
print(f"PCA rank 32: train MSE {pca_train:.5f}, eval MSE {pca_eval:.5f}, {ratio:.1%} of the variance kept")

# PCA's training error at every rank k from one fit: error(k) = Σ_{i>k} σᵢ² / (n d).
ranks, errors = eckart_young_curve(x_train)

# %%
# Autoencoders and recurrent networks
# -----------------------------------
#
# An autoencoder maps an input through a narrow code and back, :math:`x \to h \to \hat x`, and is trained
# to make :math:`\hat x \approx x`; the code is a compressed representation. (The tutorial's "NLCA" and
# "RCA" are not names in use; common variants are denoising, sparse, contractive and variational
# autoencoders.) A recurrent network reads a sequence one step at a time and carries a hidden state from
# each step to the next.
#
# The autoencoder's model
# -----------------------
#
# The tutorial's model is linear:
#
# .. math::
#
#    h = W_1 x + b_1, \qquad \hat x = W_2 h + b_2 .
#
# Over all examples, :math:`\hat X = (X W_1^T + b_1) W_2^T + b_2` has rank at most :math:`k` (the code
# size), so the best this model can do is the best rank-:math:`k` approximation of the centred data, which
# is PCA's. Baldi and Hornik (1989) showed that gradient training reaches it: the squared-error surface of
# a linear autoencoder has no local minima other than the global one, where :math:`W_2` spans the top
# :math:`k` principal directions. It does not recover the principal components themselves: any invertible
# :math:`k \times k` mix of them does as well.
#
# Train :class:`keras_mf.models.Autoencoder` with ``linear=True`` (the tutorial's model) from a random start,
# exactly as ``benchmarks/autoencoder.py`` does, and compare its error with the Eckart–Young bound:

training.set_seed(0)
linear = Autoencoder(latent_dim=32, linear=True)
linear.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, 30 * 63)), "mse")
linear.fit(x_train, x_train, epochs=30, batch_size=128, verbose=0)
linear_train = training.mse(x_train, linear.predict(x_train, verbose=0))
linear_eval = training.mse(x_eval, linear.predict(x_eval, verbose=0))
print(f"linear AE, latent 32: train MSE {linear_train:.5f}, eval MSE {linear_eval:.5f}")
print(f"PCA (the optimum):    train MSE {pca_train:.5f}, eval MSE {pca_eval:.5f}")
print(f"gap to the optimum on the training data: {linear_train / pca_train - 1:+.2%}")

decoder = linear.reconstruction.kernel.numpy().T  # (784, 32): the columns x̂ is built from
angles = np.degrees(linalg.principal_angles(decoder, pca.components.numpy()).numpy())
print("principal angles between the decoder's span and PCA's (degrees):", [round(float(t), 1) for t in angles])
gram = decoder.T @ decoder
print(f"the decoder's columns are not the components: max |W₂ᵀW₂ − I| = {np.abs(gram - np.eye(32)).max():.2f}")
variance = -np.diff(errors)  # the error each principal direction removes, σᵢ² / (n d)
print(f"error removed by PCA's 32nd and 33rd directions: {variance[31]:.3e} and {variance[32]:.3e}")
tilt = np.sin(np.radians(angles.max())) ** 2 * (variance[31] - variance[32])
print(
    f"cost of tilting the last direction by {angles.max():.1f}° from the 32nd toward the 33rd: {tilt / pca_train:.3%}"
)

# %%
# The two subspaces agree to within a degree in all but their last few directions. Those are poorly
# determined: PCA's 32nd and 33rd directions remove nearly the same error, so turning one toward the other
# costs little (the last line above), and gradient descent moves slowly along such flat directions. The
# rest of the gap is what 30 epochs of Adam leave.

# %%
# The same at code size 8, and the whole Eckart–Young curve: PCA's training error for every rank, from one
# fit (:math:`\mathrm{error}(k) = \sum_{i>k}\sigma_i^2 / (n d)`). The nonlinear autoencoder is the one
# ``keras-mf-autoencoder`` trains by default (784-256-32 with ReLU, sigmoid output), run here through the
# command's own ``run`` function, as the benchmark runs it.

training.set_seed(0)
linear8 = Autoencoder(latent_dim=8, linear=True)
linear8.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, 30 * 63)), "mse")
linear8.fit(x_train, x_train, epochs=30, batch_size=128, verbose=0)
linear8_train = training.mse(x_train, linear8.predict(x_train, verbose=0))

from keras_mf.cli import train_autoencoder  # noqa: E402

run_dir = tempfile.mkdtemp(prefix="keras_mf_docs_ae_")
default = train_autoencoder.run(["--data", "bundled", "--logdir", run_dir, "--seed", "0"])
nonlinear = keras.saving.load_model(os.path.join(run_dir, "autoencoder.keras"))

shown = (ranks >= 1) & (errors >= errors[0] / 100)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(ranks[shown], errors[shown], label="PCA, every rank (Eckart–Young)")
ax.plot([8, 32], [linear8_train, linear_train], "o", markersize=9, label="linear autoencoder (tutorial's model)")
ax.plot([32], [default["train_mse"]], "*", markersize=14, label="autoencoder 784-256-32, ReLU")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("code size k / rank")
ax.set_ylabel("training reconstruction MSE")
ax.set_title("MNIST: a linear autoencoder sits on PCA's curve")
ax.legend()
ax.grid(alpha=0.3)
print(f"rank 8:  linear AE {linear8_train:.5f}, Eckart–Young {errors[8]:.5f}")
print(f"rank 32: linear AE {linear_train:.5f}, Eckart–Young {errors[32]:.5f}")
print(f"784-256-32 autoencoder: train MSE {default['train_mse']:.5f}, eval MSE {default['eval_mse']:.5f}")
print(f"PCA, rank 32:           train MSE {pca_train:.5f}, eval MSE {default['pca_eval_mse']:.5f}")

# %%
# The linear points land on the curve: the tutorial's model *is* PCA, reached by gradient descent. Only a
# nonlinear autoencoder gets below the curve at the same code size. Reconstructions of one test digit of
# each class:

examples = x_eval[[int(np.flatnonzero(y_eval == digit)[0]) for digit in range(10)]]
rows = {
    "original": examples,
    "PCA, rank 32": keras.ops.convert_to_numpy(pca.reconstruct(examples)),
    "linear AE, 32": linear.predict(examples, verbose=0),
    "AE 784-256-32": nonlinear.predict(examples, verbose=0),
}
fig, grid = plt.subplots(len(rows), 10, figsize=(8, 3.6), layout="constrained")
for i, (label, images) in enumerate(rows.items()):
    for j in range(10):
        grid[i, j].imshow(images[j].reshape(28, 28).clip(0, 1), cmap="gray_r", vmin=0, vmax=1)
        grid[i, j].set_xticks([])
        grid[i, j].set_yticks([])
    grid[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)

# %%
# Training the autoencoder
# ------------------------
#
# The tutorial's loop (initialise, "regularise" the input, measure the difference, update, repeat) is
# what ``fit`` does. Its "regularisation" of the input means normalisation: :func:`keras_mf.datasets.load_mnist`
# scales pixels to :math:`[0, 1]`, which the sigmoid output needs.
#
# The recurrent network's model
# -----------------------------
#
# The tutorial writes :math:`h_t = f(Wx_t + b + h_{t-1})`. **Another slip (not among the worked
# examples):** the previous state enters with a fixed weight of one, so the network cannot learn how much of
# the past to keep or how to mix it. The Elman network has a recurrent weight matrix :math:`U`:
#
# .. math::
#
#    h_t = f(W x_t + U h_{t-1} + b), \qquad \hat y_t = g(W' h_t + b') .
#
# :class:`keras_mf.layers.RecurrentCell` holds both matrices; ``U`` is square, ``units × units``:

cell_model = StatefulRNN(units=128, output_dim=10)
cell_model.build((None, 28, 28))
print("W:", tuple(cell_model.cell.kernel.shape), " U:", tuple(cell_model.cell.recurrent_kernel.shape))

# %%
# The programs
# ------------
#
# The autoencoder program
# ~~~~~~~~~~~~~~~~~~~~~~~
#
# The tutorial's autoencoder (784 → 128 ReLU → 784 sigmoid) trains for 10 epochs on ``np.random.random``:
# uniform noise, whose pixels are independent, so there is nothing to compress. Its loss stays at the
# noise's variance, :math:`1/12 \approx 0.0833`. Run as written (Keras 3 only needs ``keras.Input``
# instead of the layer's ``input_shape``), then on MNIST:


class TutorialAutoencoder(keras.Model):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.encoder = keras.layers.Dense(hidden_dim, activation="relu")
        self.decoder = keras.layers.Dense(output_dim, activation="sigmoid")

    def call(self, x):
        return self.decoder(self.encoder(x))


for name, data in (("uniform noise", np.random.default_rng(0).random((1000, 784))), ("MNIST", x_train[:1000])):
    training.set_seed(0)
    model = TutorialAutoencoder(784, 128, 784)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(data, data, epochs=10, batch_size=32, verbose=0)
    print(f"{name:13s}: loss after 10 epochs {history.history['loss'][-1]:.4f}, data variance {data.var():.4f}")

# %%
# The recurrent program
# ~~~~~~~~~~~~~~~~~~~~~
#
# The tutorial's ``RNN`` class is not recurrent. Its ``call(x, hidden)`` never reads ``hidden`` and returns
# the output twice (as output and as "new state"); ``reset_states`` sets attributes that do not exist; and
# ``fit`` calls the model with one argument, so training stops at once. Each point, computed:


class TutorialRNN(keras.Model):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.hidden_layer = keras.layers.Dense(hidden_dim, activation="relu")
        self.output_layer = keras.layers.Dense(output_dim, activation="softmax")

    def call(self, x, hidden):
        output = self.hidden_layer(x)
        output = self.output_layer(output)
        return output, output

    def reset_states(self):
        self.hidden_state.set_value(np.zeros((1, self.hidden_dim)))


rnn = TutorialRNN(10, 16, 2)
x = np.random.default_rng(1).random((4, 10)).astype("float32")
out_a, _ = rnn(x, np.zeros((4, 16), "float32"))
out_b, _ = rnn(x, np.full((4, 16), 5.0, "float32"))
print("output depends on the hidden state:", not np.allclose(out_a, out_b))
for attempt in (rnn.reset_states, lambda: (rnn.compile("adam", "categorical_crossentropy"), rnn.fit(x, x[:, :2]))):
    try:
        attempt()
    except Exception as error:  # noqa: BLE001 (showing what the tutorial's code raises)
        print(f"{type(error).__name__}: {str(error).splitlines()[0][:110]}")

# %%
# A stateful recurrent network
# ----------------------------
#
# :class:`keras_mf.models.StatefulRNN` with ``stateful=True`` keeps its hidden state in a variable: each
# call starts where the previous one ended, across the batches of ``fit`` and ``predict``, until
# ``reset_state()``. That is what truncated backpropagation through time (TBPTT) needs: a long sequence is
# fed in consecutive chunks, the state flows across chunks while gradients stop at chunk boundaries.
#
# First the state itself. A stateful model that reads four images in four chunks of 7 rows gives exactly
# the prediction that a non-stateful copy with the same weights gives from all 28 rows at once; with the
# state reset before each chunk it sees only the last 7 rows.

training.set_seed(0)
chunked = StatefulRNN(units=32, output_dim=10, stateful=True, batch_size=4)
chunked.build((4, 7, 28))
whole = StatefulRNN(units=32, output_dim=10)
whole.build((None, 28, 28))
whole.cell.set_weights(chunked.cell.get_weights())
whole.head.set_weights(chunked.head.get_weights())

images = load_mnist("test[:4]", shape="sequence", **load)[0]  # (4, 28, 28): 28 rows of 28 pixels
reference = whole.predict_on_batch(images)
chunked.reset_state()
for chunk in np.split(images, 4, axis=1):  # (4, 7, 28) each
    carried = chunked.predict_on_batch(chunk)
for chunk in np.split(images, 4, axis=1):
    chunked.reset_state()
    reset = chunked.predict_on_batch(chunk)
print(
    f"state carried over 4 chunks: max |difference| from all 28 rows at once = {np.abs(carried - reference).max():.1e}"
)
print(f"state reset before each chunk:  max |difference| = {np.abs(reset - reference).max():.2f}")
print(f"reset equals the last 7 rows alone: {np.allclose(reset, whole.predict_on_batch(images[:, 21:]), atol=1e-6)}")

# %%
# Now training. ``keras-mf-rnn --mode tbptt`` feeds each batch of 100 images as four chunks of 7 rows and
# resets the state only between batches of images; ``--reset-every-chunk`` resets it at every chunk, the
# control. Same data, seed and epochs (10) as ``benchmarks/rnn.py``:

from keras_mf.cli import train_rnn  # noqa: E402

common = ["--data", "bundled", "--mode", "tbptt", "--chunks", "4", "--batch-size", "100", "--epochs", "10"]
carried_dir = tempfile.mkdtemp(prefix="keras_mf_docs_rnn_carried_")
reset_dir = tempfile.mkdtemp(prefix="keras_mf_docs_rnn_reset_")
carried_run = train_rnn.run(common + ["--logdir", carried_dir])
reset_run = train_rnn.run(common + ["--logdir", reset_dir, "--reset-every-chunk"])

# %%
# The carried state is what the model classifies with: reset at every chunk, the network sees only 7 rows
# of each digit at a time and its accuracy falls far behind. The training accuracy per epoch comes from the
# runs' TensorBoard logs:

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402


def epoch_values(logdir, tag):
    events = EventAccumulator(os.path.join(logdir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return [float(tf.make_ndarray(event.tensor_proto)) for event in events.Tensors(tag)]


fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained", width_ratios=(3, 2))
for label, logdir in (("state carried", carried_dir), ("state reset every chunk", reset_dir)):
    accuracy = epoch_values(logdir, "epoch_accuracy")
    left.plot(range(1, len(accuracy) + 1), accuracy, "o-", label=label)
left.set_xlabel("epoch")
left.set_ylabel("training accuracy (per chunk)")
left.set_title("truncated BPTT, 4 chunks of 7 rows")
left.legend()
left.grid(alpha=0.3)
bars = right.bar(["carried", "reset"], [carried_run["accuracy"], reset_run["accuracy"]], color=["C0", "C1"])
right.bar_label(bars, fmt="%.3f")
right.set_ylim(0, 1)
right.set_title("eval accuracy after the last chunk")
print(f"eval accuracy: state carried {carried_run['accuracy']:.3f}, reset every chunk {reset_run['accuracy']:.3f}")

# %%
# Outlook and questions
# ---------------------
#
# The tutorial's closing questions claim matrix factorization "applies to" CNNs, RNNs and GANs and that it
# "may overfit". Two concrete and measurable uses of factorization in networks are the ones above (a linear
# autoencoder is PCA) and compression: replacing a trained layer's weight matrix by its truncated SVD, shown
# with a trained MNIST classifier on the :doc:`tutorial_004_svd` page. Its remedies for overfitting
# (weight decay, dropout, early stopping, validation) are the usual ones and apply to any network.
#
# References: C. Eckart and G. Young, "The approximation of one matrix by another of lower rank",
# *Psychometrika* 1, 1936, https://doi.org/10.1007/BF02288367. P. Baldi and K. Hornik, "Neural networks
# and principal component analysis: learning from examples without local minima", *Neural Networks* 2,
# 1989, https://doi.org/10.1016/0893-6080(89)90014-2. J. L. Elman, "Finding structure in time",
# *Cognitive Science* 14, 1990, https://doi.org/10.1207/s15516709cog1402_1. C. Ding, T. Li and
# M. I. Jordan, "Convex and semi-nonnegative matrix factorizations", *IEEE TPAMI* 32, 2010,
# https://doi.org/10.1109/TPAMI.2008.277.
