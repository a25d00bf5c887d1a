"""
002 · Linear algebra (Deep Learning, chapter 2)
===============================================

Tutorial 002 is a set of reading notes on chapter 2 of *Deep Learning* (Goodfellow, Bengio and Courville,
2016): broadcasting and the Hadamard product, norms, diagonal matrices, the singular value decomposition,
the Moore–Penrose pseudo-inverse, the trace, the determinant, and principal components analysis derived as
the best linear code.

The notes are faithful to the book except for one formula: the pseudo-inverse's last factor (a slip among
the worked examples, below). The PCA derivation also drops a square and a transpose on the way, without
harm to its result. Every statement is checked here with TensorFlow, and PCA is run on MNIST with
:class:`keras_mf.layers.TruncatedSVD`.
"""

# %%
# Broadcasting and the Hadamard product
# -------------------------------------
#
# Deep learning lets a vector be added to a matrix, :math:`C = A + b` with :math:`C_{ij} = A_{ij} + b_j`:
# :math:`b` is added to every row, as if copied. The Hadamard product :math:`A \odot B` multiplies entry by
# entry. TensorFlow broadcasts the same way NumPy does:

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from keras_mf import TruncatedSVD
from keras_mf import linalg
from keras_mf.cli.experiments import worked_examples
from keras_mf.datasets import load_mnist

a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
b = tf.constant([10.0, 20.0, 30.0])
print("A + b =\n", (a + b).numpy())
print("A ⊙ A =\n", (a * a).numpy())

# %%
# Norms
# -----
#
# The :math:`L^p` norm is :math:`\|x\|_p = (\sum_i |x_i|^p)^{1/p}`. The squared :math:`L^2` norm equals
# :math:`x^Tx` and grows slowly near the origin, which is why the :math:`L^1` norm is used when exact
# zeros matter; the max norm :math:`L^\infty` is the largest absolute entry; the Frobenius norm of a matrix
# is the :math:`L^2` norm of its entries.

x = tf.constant([3.0, -4.0, 0.0, 1.0])
print(f"L1 = {float(tf.norm(x, 1)):g}, L2 = {float(tf.norm(x)):.4f}, L∞ = {float(tf.norm(x, np.inf)):g}")
print(f"L2² = {float(tf.norm(x)) ** 2:.4f} = xᵀx = {float(tf.tensordot(x, x, 1)):g}")
print(f"‖A‖_F = {float(tf.norm(a, 'fro', axis=[0, 1])):.4f}")

# %%
# Diagonal matrices
# -----------------
#
# Multiplying by :math:`\mathrm{diag}(v)` scales each entry, :math:`\mathrm{diag}(v)\,x = v \odot x`, in
# :math:`O(n)` instead of :math:`O(n^2)`:

v = tf.constant([1.0, 2.0, 3.0, 4.0])
print("diag(v) x == v ⊙ x:", np.allclose(tf.linalg.matvec(tf.linalg.diag(v), x), v * x))

# %%
# The singular value decomposition
# --------------------------------
#
# Every real matrix has an SVD :math:`A = UDV^T`: :math:`U` (:math:`m \times m`) and :math:`V`
# (:math:`n \times n`) orthogonal, :math:`D` (:math:`m \times n`) diagonal with the singular values. An
# eigendecomposition need not exist (see the :doc:`tutorial_004_svd` page). The left singular vectors are
# eigenvectors of :math:`AA^T`, the right ones eigenvectors of :math:`A^TA`, and the nonzero singular
# values are the square roots of their common nonzero eigenvalues:

rng = np.random.default_rng(0)
m = tf.constant(rng.standard_normal((4, 3)))
s, u, w = tf.linalg.svd(m, full_matrices=True)
eig_ata = tf.linalg.eigvalsh(tf.transpose(m) @ m).numpy()[::-1]
eig_aat = tf.linalg.eigvalsh(m @ tf.transpose(m)).numpy()[::-1]
print("σ              =", s.numpy().round(6))
print("√eig(AᵀA)      =", np.sqrt(eig_ata).round(6))
print("√eig(AAᵀ)[:3]  =", np.sqrt(eig_aat[:3]).round(6), " (its 4th eigenvalue:", f"{eig_aat[3]:.1e})")
d = tf.concat([tf.linalg.diag(s), tf.zeros((1, 3), tf.float64)], axis=0)  # D is 4 × 3
print(f"max |U D Vᵀ − A| = {float(tf.reduce_max(tf.abs(u @ d @ tf.transpose(w) - m))):.1e}")

# %%
# The Moore–Penrose pseudo-inverse (worked examples, one slip)
# -------------------------------------------------------------
#
# For a non-square :math:`A` no inverse exists, and :math:`Ax = y` may have no solution (more rows than
# columns) or many (fewer rows). The pseudo-inverse is :math:`A^+ = VD^+U^T`, with :math:`D^+` the
# transpose of :math:`D` with its nonzero entries inverted. The notes then write it in block form,
# :math:`A = U\begin{pmatrix}\Delta & 0\\0 & 0\end{pmatrix}V^T` and
# :math:`A^+ = V\begin{pmatrix}\Delta^{-1} & 0\\0 & 0\end{pmatrix}D^T`: the last factor became
# :math:`D^T`, the diagonal factor's name, where it must be :math:`U^T`.
#
# .. worked-example:: pseudo_inverse

print(worked_examples.pseudo_inverse())

# %%
# What :math:`A^+` gives, as the notes say: for a tall :math:`A` (no exact solution in general) the
# :math:`x` with the smallest :math:`\|Ax - y\|_2`; for a wide :math:`A` (many solutions) the solution with
# the smallest :math:`\|x\|_2`. :func:`keras_mf.linalg.lstsq` computes :math:`x = A^+y`:
#
# .. worked-example:: least_squares_and_minimum_norm

print(worked_examples.least_squares_and_minimum_norm())

# %%
# The trace
# ---------
#
# :math:`\mathrm{Tr}(A)` is the sum of the diagonal. It gives the Frobenius norm,
# :math:`\|A\|_F = \sqrt{\mathrm{Tr}(AA^T)}`, which is also :math:`\sqrt{\sum_i \sigma_i^2}`; a product that
# is square keeps its trace when its factors are rotated cyclically (see the :doc:`tutorial_003_maths` page,
# where it is computed); and a scalar is its own trace.
#
# .. worked-example:: frobenius_identities

print(worked_examples.frobenius_identities())

# %%
# The determinant
# ---------------
#
# :math:`\det A` is the product of the eigenvalues, and :math:`|\det A|` is the factor by which :math:`A`
# scales volume: zero when some direction collapses, one when volume is preserved.

sq = tf.constant([[2.0, 1.0], [1.0, 3.0]], tf.float64)
product = float(tf.reduce_prod(tf.linalg.eigvalsh(sq)))
print(f"det = {float(tf.linalg.det(sq)):.6f}, product of eigenvalues = {product:.6f}")
rotation = tf.constant([[0.6, -0.8], [0.8, 0.6]], tf.float64)
print(f"a rotation keeps area: det = {float(tf.linalg.det(rotation)):.6f}")

# %%
# Principal components analysis (worked example)
# ----------------------------------------------
#
# PCA is lossy compression of points :math:`x^{(i)} \in \mathbb{R}^n` into codes :math:`c^{(i)} \in \mathbb{R}^l`
# (:math:`l < n`) with the linear decoder :math:`g(c) = Dc`, where :math:`D` has orthonormal columns. The
# optimal code minimises :math:`\|x - g(c)\|_2^2`; setting its gradient to zero gives :math:`c = D^Tx`, so
# the encoder is one matrix-vector product and the reconstruction is :math:`r(x) = DD^Tx`. For
# :math:`l = 1` the best direction :math:`d` maximises :math:`\mathrm{Tr}(d^TX^TXd)` subject to
# :math:`d^Td = 1`: the top eigenvector of :math:`X^TX`; in general :math:`D` holds the top :math:`l`
# eigenvectors.
#
# The notes' derivation has two typos that do not change the result: the objective is written
# :math:`\|x - g(c)\|_2` without the square that its next line expands, and that expansion ends with
# :math:`+g(c)` where it means :math:`+g(c)^Tg(c)`.
#
# .. worked-example:: pca_first_direction

print(worked_examples.pca_first_direction())

# %%
# The same on MNIST. The book's :math:`X` is assumed centred; :class:`keras_mf.layers.TruncatedSVD` centres
# the data, then keeps the top :math:`l` right singular vectors of the centred :math:`X`, which are the top
# eigenvectors of :math:`X^TX`. The columns of :math:`D` ("eigendigits") show which pixels each code
# coordinate adds or removes, with the share of the variance each explains:

x_mnist = load_mnist("test[:8000]", source="bundled", targets=None, as_numpy=True, verbose=False)
pca = TruncatedSVD(rank=9)
pca.adapt(x_mnist)
components = pca.components.numpy()  # D, (784, 9), orthonormal columns
ratios = pca.explained_variance_ratio.numpy()
print(f"DᵀD = I to {np.abs(components.T @ components - np.eye(9)).max():.1e}")

centred = x_mnist.astype(np.float64) - x_mnist.mean(0)
top = tf.linalg.eigh(tf.constant(centred.T @ centred))[1].numpy()[:, ::-1][:, :9]
print(
    f"angle to the top 9 eigenvectors of XᵀX: {np.degrees(linalg.principal_angles(components, top).numpy()).max():.3f}°"
)

fig, axes = plt.subplots(1, 10, figsize=(9, 1.5), layout="constrained")
axes[0].imshow(pca.mean.numpy().reshape(28, 28), cmap="gray_r")
axes[0].set_title("mean", fontsize=8)
for i in range(9):
    limit = np.abs(components[:, i]).max()
    axes[i + 1].imshow(components[:, i].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[i + 1].set_title(f"d{i + 1}: {ratios[i]:.0%}", fontsize=8)
for axis in axes:
    axis.set_xticks([])
    axis.set_yticks([])

# %%
# Encoding is :math:`c = D^T(x - \mu)` and decoding :math:`\mu + Dc`, exactly the layer's ``call`` and
# ``inverse``:

digit = x_mnist[:1]
code = components.T @ (digit[0] - pca.mean.numpy())
print("c = Dᵀ(x − μ):", code.round(3))
print("layer's code: ", pca(digit).numpy()[0].round(3))
decoded = pca.mean.numpy() + components @ code  # r(x) = μ + D c
print(f"max |r(x) − layer.reconstruct(x)| = {np.abs(decoded - pca.reconstruct(digit).numpy()[0]).max():.1e}")

# %%
# Reference: I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016, chapter 2,
# https://www.deeplearningbook.org/contents/linear_algebra.html. R. Penrose, "A generalized inverse for
# matrices", *Proc. Cambridge Philos. Soc.* 51, 1955, https://doi.org/10.1017/S0305004100030401.
