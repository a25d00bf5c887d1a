"""
003 · Mathematical foundations: gradients, norms, spectra, SymNMF and spectral clustering
=========================================================================================

Tutorial 003 is a long set of notes on the mathematics under deep learning. It solves a first-order linear
ODE, works one gradient-descent step of a dense layer by hand, defines norms and L2 regularisation,
variance, covariance and the Gaussian, eigenvalues, singular values, the trace and unitary matrices, then
turns to graphs: symmetric non-negative matrix factorization (SymNMF) solved by projected gradient descent,
power iteration, the graph Laplacian and its normalised form, the Fiedler vector, spectral clustering of six
points, and the spectral decomposition of a symmetric matrix.

Most of its hand computations are right. Four are not: the Gaussian's 3σ coverage, the SymNMF step, the
degrees of the six-point graph, and the degree matrix of the normalised-Laplacian example (all worked
examples, below). Every example is recomputed with TensorFlow and keras_mf where the tutorial has it, and
the page ends with SymNMF against spectral clustering on the 10,000 MNIST test images, with the code and
settings of ``benchmarks/symnmf.py``.
"""

# %%
# A first-order linear ODE (worked example)
# -----------------------------------------
#
# :math:`y' + y = x`: the homogeneous solution is :math:`Ce^{-x}`; varying the constant,
# :math:`y_p = u(x)e^{-x}` gives :math:`u' = xe^x`, :math:`u = e^x(x - 1)` by parts, so
# :math:`y = Ce^{-x} + x - 1`. Checked against a Runge–Kutta integration written in TensorFlow:
#
# .. worked-example:: first_order_ode

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from keras_mf.cli.experiments import worked_examples
from keras_mf.cluster import clustering_accuracy
from keras_mf.cluster import contingency_table
from keras_mf.cluster import linear_sum_assignment
from keras_mf.cluster import normalized_mutual_info
from keras_mf.datasets import load_mnist
from keras_mf.graph import laplacian

print(worked_examples.first_order_ode())

# %%
# Gradient descent on a dense layer (worked example)
# --------------------------------------------------
#
# For :math:`y = Wx + b` and :math:`L = \frac12\|y - y_{true}\|^2`, the error :math:`e = y - y_{true}` gives
# :math:`\partial L/\partial W = e\,x^T` and :math:`\partial L/\partial b = e`; one step with
# :math:`\eta = 0.1` updates both. ``tf.GradientTape`` computes the same gradients without the chain rule by
# hand:
#
# .. worked-example:: dense_layer_sgd_step

print(worked_examples.dense_layer_sgd_step())

# %%
# Norms and L2 regularisation (worked example)
# --------------------------------------------
#
# .. worked-example:: l2_norm

print(worked_examples.l2_norm())

# %%
# Adding :math:`\lambda\|w\|_2^2` to the loss adds :math:`2\lambda w` to its gradient, so each step also
# shrinks the weights ("weight decay"), as the tutorial says. Keras' ``L2(l2)`` regulariser is exactly
# :math:`\lambda\|w\|_2^2` with :math:`\lambda` = ``l2``:

w = tf.Variable([3.0, -4.0])
penalty = keras.regularizers.L2(0.01)
with tf.GradientTape() as tape:
    value = penalty(w)
print(f"L2(0.01)(w) = {float(value):.4f} = 0.01 · ‖w‖² ; gradient {tape.gradient(value, w).numpy()} = 2 · 0.01 · w")

# %%
# The Frobenius norm (worked example)
# -----------------------------------
#
# :math:`\|A\|_F^2 = \sum_{ij} a_{ij}^2 = \mathrm{tr}(A^*A) = \sum_i \sigma_i^2`, the sum running over the
# :math:`\min(m, n)` singular values:
#
# .. worked-example:: frobenius_identities

print(worked_examples.frobenius_identities())

# %%
# Variance and covariance (worked example)
# ----------------------------------------
#
# :math:`\mathrm{Var}(X) = E[X^2] - E[X]^2`, :math:`\mathrm{Var}(kX) = k^2\mathrm{Var}(X)`, and for
# independent variables :math:`\mathrm{Var}(X + Y) = \mathrm{Var}(X) + \mathrm{Var}(Y)`. For a random
# vector, :math:`\mathrm{cov}(AX) = A\,\mathrm{cov}(X)A^T`; on samples:

rng = np.random.default_rng(0)
sample_x, sample_y = rng.standard_normal(100_000), rng.standard_normal(100_000)
print(f"Var(3X) / Var(X) = {np.var(3 * sample_x) / np.var(sample_x):.4f}")
print(f"Var(X + Y) = {np.var(sample_x + sample_y):.4f} ≈ Var X + Var Y = {np.var(sample_x) + np.var(sample_y):.4f}")

# %%
# .. worked-example:: covariance_transform

print(worked_examples.covariance_transform())

# %%
# The Gaussian (worked example, slip)
# -----------------------------------
#
# The tutorial says 68.2%, 95.4% and 99.6% of a Gaussian lie within one, two and three standard deviations
# of the mean. The fraction within :math:`k\sigma` is :math:`\mathrm{erf}(k/\sqrt2)`:
#
# .. worked-example:: gaussian_coverage

print(worked_examples.gaussian_coverage())

# %%
# Eigenvalues and eigenvectors (worked example)
# ---------------------------------------------
#
# For :math:`A = \begin{bmatrix}2 & 1\\0 & 3\end{bmatrix}`, :math:`\det(A - \lambda I) = (2-\lambda)(3-\lambda)`
# gives :math:`\lambda = 2, 3` with eigenvectors :math:`(1, 0)` and :math:`(1, 1)`. They are not orthogonal,
# which tutorial 004 claims every matrix's eigenvectors are (see the :doc:`tutorial_004_svd` page):
#
# .. worked-example:: eigenpairs_upper_triangular

print(worked_examples.eigenpairs_upper_triangular())

# %%
# A dense layer as a weighted sum (worked example)
# ------------------------------------------------
#
# A layer computes :math:`\sigma(Wa + b)`; each output entry is a sum :math:`\sum_j W_{ij}\,\cdot`, which
# the matrix product hides. The example's numbers are :math:`W_r x` with no activation, although the text
# writes :math:`W_r\sigma(x)`:
#
# .. worked-example:: rnn_weighted_sum

print(worked_examples.rnn_weighted_sum())

# %%
# Singular values (worked example)
# --------------------------------
#
# The singular values are the square roots of the eigenvalues of :math:`A^TA`; for a diagonal matrix they
# are the absolute values of the diagonal, in decreasing order:
#
# .. worked-example:: singular_values_diagonal

print(worked_examples.singular_values_diagonal())

# %%
# The trace (worked example)
# --------------------------
#
# The trace is linear, equals the sum of the eigenvalues, and is invariant under cyclic permutations of a
# product, but not under other permutations:

m = tf.constant(rng.standard_normal((4, 4)))
print(f"tr(M) = {float(tf.linalg.trace(m)):.6f}, Σλ = {float(tf.reduce_sum(tf.math.real(tf.linalg.eigvals(m)))):.6f}")

# %%
# .. worked-example:: trace_cyclic

print(worked_examples.trace_cyclic())

# %%
# Unitary and orthogonal matrices (worked example)
# ------------------------------------------------
#
# A unitary :math:`U` satisfies :math:`U^*U = UU^* = I`; a real one is orthogonal. Rotations are:
#
# .. worked-example:: rotation_is_orthogonal

print(worked_examples.rotation_is_orthogonal())

# %%
# Symmetric non-negative matrix factorization (worked example, slip)
# ------------------------------------------------------------------
#
# SymNMF approximates a symmetric non-negative :math:`A` (:math:`n \times n`) by :math:`HH^T` with
# :math:`H \ge 0` (:math:`n \times k`), minimising :math:`f(H) = \frac12\|A - HH^T\|_F^2` (Kuang, Ding and
# Park, 2012). The tutorial's gradient is right, :math:`\nabla f = 2(HH^TH - AH)`, and so is projected
# gradient descent, :math:`H \leftarrow \max(0, H - \eta\nabla f)`. But its update line
# :math:`H - 2\eta(HH^TH - AH)` is then applied as :math:`H - 2\eta\nabla f`, counting the 2 twice, and its
# objective after the step is misevaluated. :class:`keras_mf.factorization.SymNMF` with a fixed step
# ``step=0.01`` takes the tutorial's single step:
#
# .. worked-example:: symnmf_step

print(worked_examples.symnmf_step())

# %%
# Power iteration (worked example)
# --------------------------------
#
# Multiplying by :math:`A` and normalising, repeatedly, grows the component along the dominant eigenvector
# by :math:`\lambda_1^k` and the others more slowly, so the vector turns toward :math:`v_1`, at the rate
# :math:`|\lambda_2/\lambda_1|` per step:
#
# .. worked-example:: power_iteration_dominant

print(worked_examples.power_iteration_dominant())

# %%
# The graph Laplacian (worked example)
# ------------------------------------
#
# :math:`L = D - A` for an undirected graph with degree matrix :math:`D`. Each row sums to zero, so
# :math:`L\mathbf 1 = 0`; :math:`x^TLx = \sum_{(i,j)\in E}(x_i - x_j)^2 \ge 0`; and the multiplicity of the
# eigenvalue 0 is the number of connected components. For the path 1–2–3:
#
# .. worked-example:: path_graph_laplacian

print(worked_examples.path_graph_laplacian())

# %%
# The multiplicity claim, on a graph with two components (a path 1–2–3 and an edge 4–5):

two_parts = np.zeros((5, 5))
for i, j in ((0, 1), (1, 2), (3, 4)):
    two_parts[i, j] = two_parts[j, i] = 1.0
eigenvalues = tf.linalg.eigvalsh(laplacian(tf.constant(two_parts))).numpy()
print("eigenvalues of L:", eigenvalues.round(6), "→ zero eigenvalues:", int(np.sum(np.abs(eigenvalues) < 1e-9)))

# %%
# The normalised Laplacian (worked example, slip)
# -----------------------------------------------
#
# :math:`L_{sym} = D^{-1/2}LD^{-1/2} = I - D^{-1/2}AD^{-1/2}`, symmetric, with eigenvalues in
# :math:`[0, 2]`. The tutorial illustrates :math:`D^{-1/2}` with :math:`D = \mathrm{diag}(4, 9, 16)`, right
# after the path graph whose degrees are 1, 2, 1:
#
# .. worked-example:: normalized_laplacian_degrees

print(worked_examples.normalized_laplacian_degrees())

# %%
# The Fiedler vector (worked example)
# -----------------------------------
#
# The eigenvector of the second-smallest eigenvalue of :math:`L` varies little across tightly connected
# vertices; its sign splits the graph in two, and the split can be applied again to each half. The
# tutorial's six-entry Fiedler vector is illustrative, not computed; for the path:
#
# .. worked-example:: fiedler_path_graph

print(worked_examples.fiedler_path_graph())

# %%
# Spectral clustering of six points (worked examples, one slip)
# -------------------------------------------------------------
#
# Build a similarity graph (here the Gaussian kernel
# :math:`W_{ij} = \exp(-(x_i - x_j)^2 / 2\sigma^2)` with :math:`\sigma = 2`), form a Laplacian, embed each
# point by the eigenvectors of the :math:`k` smallest eigenvalues (rows normalised for :math:`L_{sym}`, as
# Ng, Jordan and Weiss, 2001, do), and run k-means on the rows. For :math:`x = 1, 2, 5, 6, 10, 11`, the
# tutorial's degrees first:
#
# .. worked-example:: six_point_degrees

print(worked_examples.six_point_degrees())

# %%
# Its embedding rows are "example values", not eigenvectors; the clusters it reports are nevertheless what
# :func:`keras_mf.graph.spectral_clustering` finds:
#
# .. worked-example:: six_point_spectral_clustering

print(worked_examples.six_point_spectral_clustering())

# %%
# SymNMF against spectral clustering on MNIST
# -------------------------------------------
#
# Both methods from this tutorial, on a real graph: the 10,000 bundled MNIST test images, the self-tuning
# 10-nearest-neighbour graph (Zelnik-Manor and Perona, 2004), normalised as :math:`D^{-1/2}WD^{-1/2}`.
# SymNMF (five random restarts, the lowest objective kept) clusters each image by the largest entry of its
# row of :math:`H`; spectral clustering (Ng–Jordan–Weiss) runs k-means on the graph's embedding.
# :func:`keras_mf.graph.pipeline.cluster` is what ``keras-mf-cluster`` and ``benchmarks/symnmf.py`` call,
# with the same arguments:

from keras_mf.graph.pipeline import cluster  # noqa: E402

x, y = load_mnist("test", source="bundled", as_numpy=True, verbose=False)  # (10000, 784), labels (10000,)
result = cluster(x, 10, n_init=5)
model = result["symnmf"]
rows = []
for name, labels in (("SymNMF", result["symnmf_labels"]), ("spectral (NJW)", result["spectral_labels"])):
    rows.append((name, clustering_accuracy(y, labels), normalized_mutual_info(y, labels)))
    print(f"{name:15s} accuracy {rows[-1][1]:.3f}  NMI {rows[-1][2]:.3f}")
print(f"SymNMF objective ½‖A − HHᵀ‖² = {model.objective_:.4f}; restarts: {np.round(model.objectives_, 4).tolist()}")

# %%
# Accuracy matches clusters to digits one to one (Hungarian matching) before counting; NMI needs no
# matching. The confusion matrices, clusters ordered by the digit they match:

fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), layout="constrained")
for axis, (name, labels), (_, accuracy, nmi) in zip(
    axes, (("SymNMF", result["symnmf_labels"]), ("spectral (NJW)", result["spectral_labels"])), rows, strict=True
):
    table = contingency_table(y, labels)
    _, order = linear_sum_assignment(-table)
    table = table[:, [column for column in order if column < table.shape[1]]]
    axis.imshow(table, cmap="Blues")
    for (i, j), count in np.ndenumerate(table):
        colour = "white" if count > table.max() / 2 else "black"
        axis.text(j, i, str(count), ha="center", va="center", fontsize=6, color=colour)
    axis.set_xlabel("cluster (ordered by the digit it matches)")
    axis.set_ylabel("true digit")
    axis.set_yticks(range(10))
    axis.set_xticks(range(table.shape[1]))
    axis.set_title(f"{name}: accuracy {accuracy:.3f}, NMI {nmi:.3f}", fontsize=10)

# %%
# Which digits does no cluster stand for? Those are merged into another digit's clusters:

for name, labels in (("SymNMF", result["symnmf_labels"]), ("spectral (NJW)", result["spectral_labels"])):
    table = contingency_table(y, labels)  # (digits, clusters)
    majority = set(np.argmax(table, axis=0).tolist())
    print(f"{name:15s} digits that are the majority of no cluster: {sorted(set(range(10)) - majority)}")

# %%
# SymNMF's objective converges quickly
# (projected Barzilai–Borwein steps; the tutorial's fixed-step projected gradient reaches the same objective,
# more slowly, with ``solver="pg"``):

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.semilogy(np.asarray(model.history_), label="best restart")
ax.set_xlabel("iteration")
ax.set_ylabel("½‖A − HHᵀ‖²_F")
ax.set_title("SymNMF on the MNIST 10-NN graph")
ax.grid(alpha=0.3)

# %%
# The spectral decomposition
# --------------------------
#
# A symmetric :math:`A` is :math:`Q\Lambda Q^T = \sum_i \lambda_i q_iq_i^T` with orthonormal :math:`q_i`; the
# tutorial uses the sum to reconstruct a network's adjacency matrix from predicted eigenpairs. Keeping the
# largest terms is the best low-rank approximation of a symmetric matrix (in absolute eigenvalue):

adjacency = tf.constant(two_parts)
values, vectors = tf.linalg.eigh(adjacency)
rebuilt = tf.einsum("i,ji,ki->jk", values, vectors, vectors)
print(f"max |Σ λᵢ qᵢqᵢᵀ − A| = {float(tf.reduce_max(tf.abs(rebuilt - adjacency))):.1e}")

# %%
# References: D. Kuang, C. Ding and H. Park, "Symmetric nonnegative matrix factorization for graph
# clustering", *SDM* 2012, https://doi.org/10.1137/1.9781611972825.10. A. Y. Ng, M. I. Jordan and Y. Weiss,
# "On spectral clustering: analysis and an algorithm", *NeurIPS* 2001,
# https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm. L. Zelnik-Manor and
# P. Perona, "Self-tuning spectral clustering", *NeurIPS* 2004,
# https://papers.nips.cc/paper/2619-self-tuning-spectral-clustering. U. von Luxburg, "A tutorial on
# spectral clustering", *Statistics and Computing* 17, 2007, https://doi.org/10.1007/s11222-007-9033-z.
# M. Fiedler, "Algebraic connectivity of graphs", *Czechoslovak Math. J.* 23, 1973.
