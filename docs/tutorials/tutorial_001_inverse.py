"""
001 · The inverse matrix in deep learning
==========================================

Tutorial 001 introduces vectors and matrices, defines the inverse of a square matrix, describes three ways
to compute it (Gauss–Jordan elimination, "column reduction" and the SVD), claims uses in weight
initialisation, regularisation and gradient descent, gives a short NumPy program, and ends with questions on
when an inverse exists and when computing it is stable.

What holds up: the definition, the existence condition, and the role of the condition number. What does not:
its SVD formula for the inverse (a slip among the worked examples, below), its description of the
triangular form, and its program, which does not run and whose "regulariser" can be negative. This page
redoes each part with TensorFlow and :mod:`keras_mf.linalg`.
"""

# %%
# Vectors and matrices
# --------------------
#
# A vector :math:`x = [x_1, \dots, x_n]^T` is a column of :math:`n` numbers and a matrix
# :math:`A = [a_{ij}]_{m \times n}` has :math:`m` rows and :math:`n` columns. In TensorFlow a batch of
# vectors is a matrix with one vector per row, shape ``(batch, features)``, so the textbook :math:`y = Wx`
# becomes ``y = x @ W.T`` (or, as Keras stores its kernels, ``x @ kernel`` with ``kernel`` of shape
# ``(features_in, features_out)``).

import numpy as np
import tensorflow as tf

from keras_mf import linalg
from keras_mf.cli.experiments import worked_examples

w = tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)  # W, shape (out, in)
x = tf.constant([[1.0, 2.0], [0.0, 1.0], [1.0, 1.0]], tf.float64)  # three vectors, one per row
print("W x for each row x:\n", (x @ tf.transpose(w)).numpy())

# %%
# The inverse
# -----------
#
# A square matrix :math:`A` is invertible when some :math:`A^{-1}` gives :math:`AA^{-1} = A^{-1}A = I`;
# then :math:`Ax = b` has the single solution :math:`x = A^{-1}b`. The tutorial states only
# :math:`AA^{-1} = I`; for square matrices one side implies the other.

a = tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)
a_inv = tf.linalg.inv(a)
print("A⁻¹ =\n", a_inv.numpy())
print("A A⁻¹ =\n", (a @ a_inv).numpy().round(12), "\nA⁻¹ A =\n", (a_inv @ a).numpy().round(12))

# %%
# Gauss–Jordan elimination
# ------------------------
#
# The tutorial's first method row-reduces :math:`A` to an upper triangular :math:`U`, then to a diagonal,
# then to :math:`I`. Applied to the augmented matrix :math:`[A \mid I]`, the same row operations turn the
# right half into :math:`A^{-1}`. A short version with partial pivoting (the largest entry of a column is
# moved to the pivot, so that no step divides by a small number):


def gauss_jordan_inverse(a):
    """A⁻¹ by row reduction of [A | I] with partial pivoting; `a` is (n, n)."""
    a = np.asarray(a, dtype=np.float64)
    n = len(a)
    m = np.hstack([a, np.eye(n)])
    for col in range(n):
        pivot = col + np.argmax(np.abs(m[col:, col]))
        if abs(m[pivot, col]) < 1e-12:
            raise ValueError("singular matrix")
        m[[col, pivot]] = m[[pivot, col]]  # swap rows
        m[col] /= m[col, col]  # scale the pivot row to a leading 1
        for row in range(n):
            if row != col:
                m[row] -= m[row, col] * m[col]  # clear the column above and below the pivot
    return m[:, n:]


print("Gauss–Jordan:\n", gauss_jordan_inverse(a))
print("agrees with tf.linalg.inv:", np.allclose(gauss_jordan_inverse(a), a_inv.numpy()))

# %%
# **Another slip (not among the worked examples).** The tutorial defines its upper triangular :math:`U`
# by ":math:`U_{ij} = 0` exactly when :math:`i \le j`", which describes a strictly *lower* triangular
# matrix (zero diagonal included). An upper triangular matrix has :math:`U_{ij} = 0` for :math:`i > j`,
# below the diagonal. The LU factorisation that elimination computes shows it:

lu, permutation = tf.linalg.lu(a)
upper = np.triu(lu.numpy())
print("U =\n", upper)
print("U_ij = 0 for all i > j:", bool(np.all(np.tril(upper, -1) == 0)))
print("U_ij = 0 for all i <= j (the tutorial's wording):", bool(np.all(np.triu(upper) == 0)))

# %%
# Column reduction
# ----------------
#
# The second method's steps (scale a column by its largest entry, add columns to clear entries, "until all
# columns are 0") do not produce an inverse as written. Column operations do work, as the mirror image of row
# operations: reduce :math:`\begin{bmatrix} A \\ I \end{bmatrix}` by columns until the top is :math:`I`,
# and the bottom is :math:`A^{-1}`. Equivalently, row-reduce :math:`A^T` and transpose, since
# :math:`(A^T)^{-1} = (A^{-1})^T`:

by_columns = gauss_jordan_inverse(a.numpy().T).T
print("column reduction:\n", by_columns, "\nagrees:", np.allclose(by_columns, a_inv.numpy()))

# %%
# The inverse through the SVD (worked example, slip)
# --------------------------------------------------
#
# The third method computes the singular values :math:`S`, inverts them and writes
# :math:`A^{-1} = S^{-1}S^T`. That product involves only the singular values, so it cannot be the
# inverse of :math:`A` (two matrices with the same singular values, a rotation and the identity for
# instance, have different inverses). With the SVD :math:`A = U\Sigma V^T` and orthogonal :math:`U, V`,
# the inverse is :math:`A^{-1} = V\Sigma^{-1}U^T`. :func:`keras_mf.linalg.svd_inverse` computes that:
#
# .. worked-example:: inverse_two_by_two

print(worked_examples.inverse_two_by_two())

# %%
# The tutorial's :math:`S^{-1}S^T` is the identity for every invertible matrix, which the computation above
# shows for :math:`\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}`.
#
# Where inverses meet deep learning
# ---------------------------------
#
# The tutorial claims the inverse serves for weight initialisation, an "inverse matrix regularisation",
# and gradient descent. Training a network does not invert matrices: gradient descent only multiplies
# by gradients. The inverse appears in second-order methods, where Newton's step is
# :math:`w \leftarrow w - H^{-1}\nabla L(w)` with the Hessian :math:`H`, and in quadratic penalties
# :math:`w^T \Sigma^{-1} w` that come from a Gaussian prior with covariance :math:`\Sigma`. In both, one
# solves a linear system instead of forming :math:`H^{-1}` or :math:`\Sigma^{-1}`.
#
# The tutorial's program
# ~~~~~~~~~~~~~~~~~~~~~~
#
# Its program computes ``A_inv = np.linalg.inv(A)``, then a "regularisation"
# ``weights.T @ A_inv @ weights``, then a loss and a gradient from ``X`` and ``y_true``. It does not run:
# ``X`` and ``y_true`` are never defined.

tutorial_program = """
import numpy as np
A = np.array([[1, 2], [3, 4]])
A_inv = np.linalg.inv(A)
weights = np.random.randn(2, 1)
regularization = np.dot(np.dot(weights.T, A_inv), weights)
loss = np.sum(np.power(y_true - np.dot(weights, X), 2)) + regularization
"""
try:
    exec(tutorial_program, {})
except NameError as error:
    print("NameError:", error)

# %%
# Its penalty is not a penalty either: :math:`A^{-1}` is neither symmetric nor positive definite, so
# :math:`w^T A^{-1} w` takes negative values, and minimising the loss would *reward* some large weights.

for entries in ([1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
    v = tf.constant(entries, tf.float64)[:, None]  # a column (2, 1)
    print(f"w = {entries}: wᵀA⁻¹w = {float(tf.squeeze(tf.transpose(v) @ a_inv @ v)):+.2f}")

# %%
# A corrected version: linear regression with a Gaussian-prior penalty :math:`\lambda w^T\Sigma^{-1}w`
# (:math:`\Sigma` symmetric positive definite), fitted by gradient descent with ``tf.GradientTape``, and
# the same problem solved in one Newton step. The penalty uses a Cholesky solve, never an explicit inverse.

rng = np.random.default_rng(0)
features = tf.constant(rng.standard_normal((200, 2)))
w_true = tf.constant([[2.0], [-1.0]], tf.float64)
targets = features @ w_true + 0.1 * tf.constant(rng.standard_normal((200, 1)))
sigma = tf.constant([[2.0, 0.5], [0.5, 1.0]], tf.float64)  # prior covariance, SPD
chol = tf.linalg.cholesky(sigma)
lam = 0.5


def loss_fn(w):
    residual = features @ w - targets
    penalty = tf.transpose(w) @ tf.linalg.cholesky_solve(chol, w)  # wᵀ Σ⁻¹ w ≥ 0
    return tf.reduce_mean(tf.square(residual)) / 2 + lam / len(features) * tf.squeeze(penalty)


w = tf.Variable(tf.zeros((2, 1), tf.float64))
for _ in range(200):
    with tf.GradientTape() as tape:
        loss = loss_fn(w)
    w.assign_sub(0.1 * tape.gradient(loss, w))
print("gradient descent, 200 steps: w =", w.numpy().ravel().round(5), f"loss {float(loss_fn(w)):.6f}")

# Newton: the loss is quadratic, so one step w ← w − H⁻¹∇L reaches the minimum; solve H d = ∇L for d.
w0 = tf.Variable(tf.zeros((2, 1), tf.float64))
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        loss = loss_fn(w0)
    grad = inner.gradient(loss, w0)
hessian = tf.reshape(outer.jacobian(grad, w0), (2, 2))
w_newton = w0 - tf.linalg.solve(hessian, grad)
print("one Newton step:            w =", w_newton.numpy().ravel().round(5), f"loss {float(loss_fn(w_newton)):.6f}")

# %%
# Questions and answers
# ---------------------
#
# *Does an inverse always exist?* Only for a square matrix with a nonzero determinant (the tutorial is
# right). :func:`keras_mf.linalg.svd_inverse` refuses a singular matrix and points to the pseudo-inverse:

print(f"det A = {float(tf.linalg.det(a)):.6f}")
singular = tf.constant([[1.0, 2.0], [2.0, 4.0]], tf.float64)
try:
    linalg.svd_inverse(singular)
except ValueError as error:
    print("ValueError:", error)
print("pinv of the singular matrix:\n", linalg.pinv(singular).numpy())

# %%
# *Is computing it always stable?* No, and the tutorial names the right measure: the condition number
# :math:`\kappa(A) = \sigma_{\max}/\sigma_{\min}`. Solving with :math:`A` loses about
# :math:`\log_{10}\kappa` of the 16 significant digits of float64. Hilbert matrices
# :math:`H_{ij} = 1/(i + j - 1)` are the classic example:

import matplotlib.pyplot as plt  # noqa: E402

sizes = range(2, 13)
conds, errors = [], []
for n in sizes:
    i = np.arange(1, n + 1)
    hilbert = tf.constant(1.0 / (i[:, None] + i[None, :] - 1))
    conds.append(float(linalg.condition_number(hilbert)))
    errors.append(float(tf.reduce_max(tf.abs(tf.linalg.inv(hilbert) @ hilbert - tf.eye(n, dtype=tf.float64)))))
    print(f"n={n:2d}  κ = {conds[-1]:9.2e}  max|H⁻¹H − I| = {errors[-1]:9.2e}")

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.loglog(conds, errors, "o-", label="max |H⁻¹H − I|")
ax.loglog(conds, np.array(conds) * np.finfo(np.float64).eps, "--", label="κ · eps")
ax.set_xlabel("condition number κ")
ax.set_ylabel("error of the computed inverse")
ax.set_title("Hilbert matrices n = 2 … 12, float64")
ax.legend()
ax.grid(alpha=0.3)

# %%
# The error grows in step with :math:`\kappa \cdot \varepsilon`: by :math:`n = 12`, with
# :math:`\kappa \approx 10^{16}`, the computed inverse has no correct digit left.
#
# *Can the SVD fail?* When the smallest singular values are tiny, :math:`1/\sigma` amplifies noise; the
# pseudo-inverse drops the singular values below a cutoff instead (see the
# :doc:`tutorial_002_linear_algebra` page). The SVD itself does not fail: it exists for every matrix.
