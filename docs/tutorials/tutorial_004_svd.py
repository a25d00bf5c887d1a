"""
004 · The singular value decomposition
======================================

Tutorial 004 explains the SVD through the eigendecomposition: properties of the SVD, eigenvalues and
eigenvectors and their geometric meaning, the eigendecomposition with a worked 3 × 3 example, why the SVD
is needed for non-square matrices and how it follows from the eigendecompositions of :math:`A^TA` and
:math:`AA^T`, truncation to the largest singular values, a worked 3 × 2 SVD, and its uses in dimension
reduction and compression; it closes with compact and truncated SVDs.

Its SVD example is right. Its eigendecomposition example is not: the matrix it decomposes has no
eigendecomposition at all (a slip among the worked examples, below), and it claims that a matrix's
eigenvectors are orthogonal, which holds only for normal matrices. The compression it describes is shown
on a trained network: an MNIST classifier's Dense layers replaced by their truncated SVD
(:func:`keras_mf.compression.compress`), with the code and settings of ``benchmarks/svd.py`` and ``keras-mf-compress``.
"""

# %%
# Properties of the SVD
# ---------------------
#
# Every matrix has an SVD :math:`A = U\Sigma V^T`. It is not unique (a singular vector pair can flip sign
# together, and repeated singular values allow rotations within their space), but the singular values are,
# and the rank of :math:`A` is the number of nonzero singular values:

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from keras_mf import TruncatedSVD
from keras_mf import compress
from keras_mf import training
from keras_mf.cli.experiments import worked_examples
from keras_mf.cli.experiments.classifier import mlp_classifier
from keras_mf.cli.experiments.compression import compress_and_fine_tune
from keras_mf.cli.experiments.compression import dense_parameters
from keras_mf.datasets import load_mnist

a = tf.constant([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], tf.float64)  # row 2 = 2 × row 1
s, u, v = tf.linalg.svd(a)
print("σ =", s.numpy().round(6), "→ rank", int(np.sum(s.numpy() > 1e-10 * s.numpy()[0])))
signs = tf.constant([-1.0, 1.0, 1.0], tf.float64)  # flip u₁ and v₁ together
flipped = (u * signs) @ tf.linalg.diag(s) @ tf.transpose(v * signs)
print(f"another SVD, with u₁ and v₁ negated: max |U'ΣV'ᵀ − A| = {float(tf.reduce_max(tf.abs(flipped - a))):.1e}")

# %%
# Eigenvalues and eigenvectors (worked example)
# ---------------------------------------------
#
# :math:`Av = \lambda v`: :math:`A` only stretches :math:`v`, by :math:`\lambda`. The tutorial adds that "a
# matrix's set of eigenvectors is an orthogonal set". That holds for symmetric (more generally, normal)
# matrices, not in general; the example of the :doc:`tutorial_003_maths` page already refutes it:
#
# .. worked-example:: eigenpairs_upper_triangular

print(worked_examples.eigenpairs_upper_triangular())

# %%
# The geometric meaning
# ---------------------
#
# A matrix is a linear map. The tutorial's :math:`\begin{bmatrix}3&0\\0&1\end{bmatrix}` stretches the
# :math:`x` axis by 3; the non-symmetric :math:`\begin{bmatrix}1&1\\0&1\end{bmatrix}` is a shear. Applied to
# the unit circle, each gives an ellipse whose semi-axes are the singular values, along the left singular
# vectors; the eigenvectors (drawn dashed) are the directions that keep their line, and for the shear there
# is only one:

theta = np.linspace(0, 2 * np.pi, 200)
circle = np.stack([np.cos(theta), np.sin(theta)])
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained")
for axis, (title, matrix) in zip(
    axes,
    (("stretch [[3, 0], [0, 1]]", [[3.0, 0.0], [0.0, 1.0]]), ("shear [[1, 1], [0, 1]]", [[1.0, 1.0], [0.0, 1.0]])),
    strict=True,
):
    m = np.array(matrix)
    axis.plot(*circle, color="0.7", label="unit circle")
    axis.plot(*(m @ circle), color="C0", label="its image")
    sigma, left, _ = tf.linalg.svd(tf.constant(m))
    for k in range(2):
        axis.annotate(
            "", xy=sigma.numpy()[k] * left.numpy()[:, k], xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C1"}
        )
    values, vectors = np.linalg.eig(m)
    for k in range(2):
        axis.axline((0, 0), vectors[:, k], color="C2", linestyle="--", linewidth=1)
    axis.set_aspect("equal")
    axis.set_xlim(-3.4, 3.4)
    axis.set_ylim(-2, 2)
    axis.set_title(f"{title}\nσ = {np.round(sigma.numpy(), 3)}, λ = {np.round(values, 3)}", fontsize=9)
axes[0].legend(loc="lower left", fontsize=7)

# %%
# The eigendecomposition (worked example, slip)
# ---------------------------------------------
#
# If :math:`A` has :math:`n` independent eigenvectors, :math:`A = Q\Lambda Q^{-1}` with the eigenvectors
# as the columns of :math:`Q`. The tutorial's example is
# :math:`A = \begin{bmatrix}-1&1&0\\-4&3&0\\1&0&2\end{bmatrix}`, with
# :math:`\det(A - \lambda I) = (2 - \lambda)(\lambda - 1)^2`: :math:`\lambda = 1` is a double root. It finds
# one eigenvector for it, puts that vector into :math:`Q` twice, and writes :math:`A = Q\Lambda Q^{-1}`. But
# a :math:`Q` with a repeated column is singular: :math:`A` is *defective* (its eigenvectors span only two
# dimensions) and has no eigendecomposition. :func:`keras_mf.linalg.eigendecomposition` refuses it:
#
# .. worked-example:: defective_eigendecomposition

print(worked_examples.defective_eigendecomposition())

# %%
# Why the SVD
# -----------
#
# An eigendecomposition needs a square (and diagonalisable) matrix; the SVD exists for every matrix. From
# :math:`A = U\Sigma V^T`, :math:`A^TA = V\Sigma^T\Sigma V^T`: :math:`V` holds the eigenvectors of
# :math:`A^TA` and :math:`\sigma_i = \sqrt{\lambda_i}`; likewise :math:`U` for :math:`AA^T`; and
# :math:`Av_i = \sigma_i u_i` gives each :math:`u_i` from :math:`v_i`. The SVD of the defective matrix above
# exists like any other:

s, u, v = tf.linalg.svd(tf.constant([[-1.0, 1.0, 0.0], [-4.0, 3.0, 0.0], [1.0, 0.0, 2.0]], tf.float64))
print("σ of the defective A:", s.numpy().round(6))

# %%
# Truncation
# ----------
#
# Keeping the :math:`r` largest singular values, :math:`A \approx U_r\Sigma_rV_r^T`, is the best rank-
# :math:`r` approximation (Eckart–Young) and stores :math:`r(m + n + 1)` numbers instead of :math:`mn`. The
# tutorial adds that "in many cases the top 10% or even 1% of the singular values account for over 99% of
# their sum". That depends on the matrix. On the MNIST images (8,000 × 784, centred):

x_train, y_train = load_mnist("test[:8000]", source="bundled", as_numpy=True, verbose=False)
x_eval, y_eval = load_mnist("test[8000:]", source="bundled", as_numpy=True, verbose=False)
full = TruncatedSVD(rank=784, solver="eigh")
full.adapt(x_train)
sigma = np.sort(full.singular_values.numpy().astype(np.float64))[::-1]
for share in (0.01, 0.10):
    r = int(round(share * len(sigma)))
    of_sum, of_variance = sigma[:r].sum() / sigma.sum(), np.square(sigma[:r]).sum() / np.square(sigma).sum()
    print(f"top {share:.0%} ({r} values): {of_sum:.1%} of Σσ, {of_variance:.1%} of Σσ² (the variance)")

fig, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
ranks = np.arange(1, len(sigma) + 1)
ax.plot(ranks, np.cumsum(sigma) / sigma.sum(), label="share of Σσ")
ax.plot(ranks, np.cumsum(sigma**2) / np.sum(sigma**2), label="share of Σσ² (variance)")
ax.axvline(78, color="0.6", linestyle=":", label="top 10% (78)")
ax.axhline(0.99, color="0.8", linestyle="--")
ax.set_xscale("log")
ax.set_xlabel("number of singular values kept")
ax.set_ylabel("cumulative share")
ax.set_title("MNIST: singular values of the centred images")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)

# %%
# For MNIST the 99%-of-the-sum claim fails; 99% of the *variance* needs far more than 1% of the values as
# well. What is true is that the squared singular values fall fast, so a modest rank keeps most of the
# variance, which is what compression uses.
#
# An SVD by hand (worked example)
# -------------------------------
#
# The tutorial's :math:`A = \begin{bmatrix}0&1\\1&1\\1&0\end{bmatrix}`: :math:`A^TA` has eigenvalues 3 and 1,
# so :math:`\sigma = \sqrt3, 1`; :math:`u_i = Av_i/\sigma_i`; :math:`AA^T` has a third eigenvalue, 0, whose
# eigenvector completes :math:`U`. All of it checks:
#
# .. worked-example:: svd_three_by_two

print(worked_examples.svd_three_by_two())

# %%
# Uses: dimension reduction and compression of a trained network
# ---------------------------------------------------------------
#
# The tutorial's two uses, dimension reduction and compression, meet in a trained network: a Dense layer's
# kernel :math:`W` (:math:`m \times n`) is replaced by its truncated SVD, two layers of rank :math:`r` with
# :math:`r(m + n)` weights instead of :math:`mn` (:class:`keras_mf.layers.LowRankDense`), and a short
# fine-tune recovers what truncation lost. The MLP 784-512-256-10 trains for 10 epochs, as in
# ``benchmarks/svd.py``; :func:`keras_mf.compression.compress` then factorizes its two large Dense layers at several
# parameter budgets, and each copy is fine-tuned for 3 epochs:

training.set_seed(0)
mlp = mlp_classifier([512, 256])  # compiled: Adam, sparse categorical cross-entropy, accuracy
mlp.fit(x_train, y_train, epochs=10, batch_size=128, verbose=0)
base_accuracy = float(mlp.evaluate(x_eval, y_eval, verbose=0)[1])
base_parameters = dense_parameters(mlp)
print(f"MLP 784-512-256-10: {base_parameters:,} parameters, eval accuracy {base_accuracy:.4f}")

fractions = [0.5, 0.25, 0.1, 0.05, 0.02]
rows = compress_and_fine_tune(mlp, x_train, y_train, x_eval, y_eval, fractions, 3, 128)
print(f"\n{'budget':>6} {'ranks':>8} {'parameters':>11} {'share':>6} {'before FT':>10} {'after FT':>9}")
for fraction, ranks_used, parameters, before, after in rows:
    share = parameters / base_parameters
    print(f"{fraction:6.2f} {ranks_used:>8} {parameters:11,d} {share:6.1%} {before:10.4f} {after:9.4f}")

# %%
# The accuracy against the number of parameters, before and after fine-tuning:

parameters = [row[2] for row in rows]
fig, ax = plt.subplots(figsize=(6, 3.8), layout="constrained")
ax.plot(parameters, [row[3] for row in rows], "o-", label="truncated SVD, no fine-tune")
ax.plot(parameters, [row[4] for row in rows], "s-", label="after 3 epochs of fine-tuning")
ax.plot([base_parameters], [base_accuracy], "*", markersize=14, color="k", label="original MLP")
for row in rows:
    ax.annotate(f"r={row[1]}", (row[2], row[4]), textcoords="offset points", xytext=(4, 6), fontsize=7)
ax.set_xscale("log")
ticks = [*parameters, base_parameters]
ax.set_xticks(ticks, labels=[f"{t / 1000:.0f}k" for t in ticks], minor=False)
ax.xaxis.set_minor_locator(plt.NullLocator())
ax.set_xlabel("parameters")
ax.set_ylabel("eval accuracy")
ax.set_title("MNIST MLP compressed by truncated SVD")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)

# %%
# The compressed model is an ordinary Keras model whose Dense layers became ``LowRankDense``:

small, report = compress(mlp, param_fraction=0.25)
for entry, layer in zip(report, small.layers, strict=True):
    print(
        f"{entry['layer']:8s} {entry['shape']}: rank {entry['rank']}, "
        f"{entry['params_before']:,} → {entry['params_after']:,} parameters, now {type(layer).__name__}"
    )

# %%
# Compact and truncated SVD
# -------------------------
#
# The compact SVD keeps all :math:`\mathrm{rank}(A)` nonzero singular values and reproduces :math:`A`
# exactly; a truncated SVD keeps fewer and approximates it, with error
# :math:`\|A - A_r\|_F^2 = \sum_{i>r}\sigma_i^2`:

s, u, v = tf.linalg.svd(a)  # the rank-2 matrix from the first section
for r in (2, 1):
    a_r = u[:, :r] @ tf.linalg.diag(s[:r]) @ tf.transpose(v[:, :r])
    error = float(tf.reduce_sum(tf.square(a - a_r)))
    print(f"rank {r}: ‖A − A_r‖²_F = {error:.6f}, Σ_(i>r) σᵢ² = {float(tf.reduce_sum(tf.square(s[r:]))):.6f}")

# %%
# References: C. Eckart and G. Young, "The approximation of one matrix by another of lower rank",
# *Psychometrika* 1, 1936, https://doi.org/10.1007/BF02288367. E. Denton, W. Zaremba, J. Bruna, Y. LeCun and
# R. Fergus, "Exploiting linear structure within convolutional networks for efficient evaluation",
# *NeurIPS* 2014, https://arxiv.org/abs/1404.0736. J. Xue, J. Li and Y. Gong, "Restructuring of deep neural
# network acoustic models with singular value decomposition", *Interspeech* 2013.
