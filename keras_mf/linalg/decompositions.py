"""SVD-based solves and eigen-solvers in TensorFlow ops, batched over leading dimensions where TF allows.

Corrects the tutorials' formulas: the inverse is A⁻¹ = V Σ⁻¹ Uᵀ (not S⁻¹Sᵀ), the pseudo-inverse is
A⁺ = V Σ⁺ Uᵀ (not V Δ⁻¹ Dᵀ), and an eigendecomposition A = QΛQ⁻¹ exists only when the eigenvectors span
the space (a defective matrix has none; `eigendecomposition` says so instead of returning garbage).
"""

import warnings

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_dense
from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf._validation import check_real_dtype
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.linalg.convergence import subspace_block
from keras_mf.linalg.convergence import warn_unconverged

# A matrix within 100 units of round-off (relative to its largest entry) of its transpose is taken as symmetric:
# products such as XᵀX come out asymmetric by a few eps, and eigh on them is exact to that precision.
_SYMMETRY_EPS = 100


def as_float_tensor(a, name="a"):
    """Converts to a float tensor; integers become float64 (exact for small integer matrices).

    Args:
        a: a dense array, nested list or tensor of real numbers, any shape.
        name: the argument's name for the error messages.

    Returns:
        A `tf.Tensor` of `a`'s float dtype (float32 stays float32), or float64 for integers.

    Raises:
        TypeError: sparse input, or a non-real dtype (bool, complex, text), naming `name`.

    Example:
        >>> from keras_mf.linalg import as_float_tensor
        >>> as_float_tensor([[1, 2], [3, 4]]).dtype.name
        'float64'
    """
    check_dense(name, a)
    check_real_dtype(name, a if isinstance(a, (tf.Tensor, tf.Variable)) else np.asarray(a))
    tensor = tf.convert_to_tensor(a if isinstance(a, (tf.Tensor, tf.Variable)) else np.asarray(a))
    if not tensor.dtype.is_floating:
        tensor = tf.cast(tensor, tf.float64)
    return tensor


def _as_matrix(a, name="a", square=False):
    tensor = as_float_tensor(a, name)
    if tensor.shape.rank is None or tensor.shape.rank < 2:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a matrix of shape (..., m, n). "
            f"Received: {name} with shape {tensor.shape}"
        )
    if square and tensor.shape[-1] != tensor.shape[-2]:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a square matrix. "
            f"Received: {name} with shape {tensor.shape}"
        )
    if tf.executing_eagerly() and not bool(tf.reduce_all(tf.math.is_finite(tensor))):
        raise ValueError(f"Received an invalid value for `{name}`, expected finite values. Received: NaN/inf entries")
    return tensor


def _unit_scaled(a):
    """`(a / c, c)`, c the power of two at or below the largest |a| (1 for a zero matrix or inside a trace): SVDs,
    QRs and norms of the scaled matrix neither overflow nor underflow near the dtype's limits, and dividing by a
    power of two is exact. Done in numpy when eager, since TensorFlow's CPU kernels flush subnormals to 0."""
    if not tf.executing_eagerly():
        return a, 1.0
    values = a.numpy()
    largest = float(np.abs(values).max()) if values.size else 0.0
    scale = float(2.0 ** np.floor(np.log2(largest))) if largest > 0 else 1.0
    return tf.constant(values / values.dtype.type(scale) if scale != 1.0 else values), scale


def _check_rows_match(a, b, axis=-2):
    if b.shape.rank is None or b.shape.rank < 1 or b.shape[axis] != a.shape[-2]:
        raise ValueError(
            f"Received an invalid value for `b`, expected {a.shape[-2]} rows to match `a`. "
            f"Received: b with shape {b.shape}"
        )


def _eps(dtype):
    return float(np.finfo(dtype.as_numpy_dtype).eps)


def condition_number(a):
    """2-norm condition number σ_max / σ_min of a matrix, or of each matrix of a batch; inf when singular.

    Args:
        a: float or int `(..., m, n)`, finite.

    Returns:
        A `tf.Tensor` `(...)` in `a`'s float dtype (float64 for integers): the factor by which a relative error
        in b may grow in the solution of A x = b.

    Raises:
        ValueError: `a` is not a matrix, or holds NaN/inf.
        TypeError: sparse or non-real input.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th ed. Johns Hopkins University Press.
        https://jhupbooks.press.jhu.edu/title/matrix-computations

    Example:
        >>> from keras_mf.linalg import condition_number
        >>> float(condition_number([[2.0, 0.0], [0.0, 0.5]]))
        4.0
        >>> float(condition_number([[1.0, 2.0], [2.0, 4.0]]))
        inf
    """
    a, _ = _unit_scaled(_as_matrix(a))  # the ratio does not depend on the scale
    s = tf.linalg.svd(a, compute_uv=False)
    s_max, s_min = s[..., 0], s[..., -1]
    singular = s_min <= 0
    return tf.where(singular, tf.constant(np.inf, a.dtype), s_max / tf.where(singular, tf.ones_like(s_min), s_min))


def svd_inverse(a):
    """Inverse of a square matrix through its SVD: A = UΣVᵀ ⇒ A⁻¹ = V Σ⁻¹ Uᵀ.

    Args:
        a: float or int `(..., n, n)`, finite; batched over the leading axes.

    Returns:
        A `tf.Tensor` `(..., n, n)`, the inverse, in `a`'s float dtype (float64 for integers and Python lists
        of floats, which numpy reads as float64).

    Raises:
        ValueError: `a` is not square, holds NaN/inf, or is singular (σ_min ≤ n·eps·σ_max). Warns
            (RuntimeWarning) when the condition number exceeds 1/√eps, where about half the digits are lost.
        TypeError: sparse or non-real input.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th ed. Johns Hopkins University Press.
        https://jhupbooks.press.jhu.edu/title/matrix-computations

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import svd_inverse
        >>> inverse = svd_inverse([[1.0, 2.0], [3.0, 4.0]])
        >>> np.round(inverse.numpy(), 6)
        array([[-2. ,  1. ],
               [ 1.5, -0.5]])
        >>> inverse.dtype.name
        'float64'
    """
    a, scale = _unit_scaled(_as_matrix(a, square=True))
    s, u, v = tf.linalg.svd(a)
    _check_conditioning(s, a.dtype, int(a.shape[-1]))
    return tf.linalg.matmul(v / s[..., None, :], u, adjoint_b=True) / tf.constant(scale, a.dtype)


def pinv(a, rcond=None):
    """Moore–Penrose pseudo-inverse A⁺ = V Σ⁺ Uᵀ, with singular values below `rcond`·σ_max treated as zero.

    Args:
        a: float or int `(..., m, n)`, finite; batched over the leading axes.
        rcond: float, relative cutoff; default `max(m, n)`·eps of the dtype.

    Returns:
        A `tf.Tensor` `(..., n, m)`, the pseudo-inverse, in `a`'s float dtype (float64 for integers).

    Raises:
        ValueError: `a` is not a matrix, or holds NaN/inf.
        TypeError: sparse or non-real input.

    References:
        Penrose, R. (1955). A generalized inverse for matrices. Mathematical Proceedings of the Cambridge
        Philosophical Society 51(3), 406–413. https://doi.org/10.1017/S0305004100030401

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import pinv
        >>> a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])    # rank 1: no inverse, a pseudo-inverse
        >>> bool(np.allclose(pinv(a), np.linalg.pinv(a)))
        True
    """
    a, scale = _unit_scaled(_as_matrix(a))  # A⁺ = (A/c)⁺ / c
    m, n = int(a.shape[-2]), int(a.shape[-1])
    if rcond is None:
        rcond = max(m, n) * _eps(a.dtype)
    s, u, v = tf.linalg.svd(a)
    cutoff = rcond * tf.reduce_max(s, axis=-1, keepdims=True)
    s_plus = tf.where(s > cutoff, 1.0 / tf.where(s > cutoff, s, tf.ones_like(s)), tf.zeros_like(s))
    return tf.linalg.matmul(v * s_plus[..., None, :], u, adjoint_b=True) / tf.constant(scale, a.dtype)


def lstsq(a, b, rcond=None):
    """Solves A x ≈ b with the pseudo-inverse, x = A⁺ b.

    For a tall A (more equations than unknowns) x minimises ‖Ax − b‖₂; for a wide A it is, among the
    exact solutions, the one with the smallest ‖x‖₂. Rank-deficient A gets both properties at once.

    Args:
        a: float or int `(..., m, n)`, finite.
        b: `(..., m)` vector or `(..., m, k)` matrix of right-hand sides (cast to `a`'s dtype).
        rcond: float, the relative cutoff of `pinv`.

    Returns:
        A `tf.Tensor` `(..., n)` or `(..., n, k)`, the solution, in `a`'s float dtype.

    Raises:
        ValueError: `a` is not a matrix or holds NaN/inf; `b` has another number of rows than `a`.
        TypeError: sparse or non-real input.

    References:
        Penrose, R. (1956). On best approximate solutions of linear matrix equations. Mathematical Proceedings
        of the Cambridge Philosophical Society 52(1), 17–19. https://doi.org/10.1017/S0305004100030929

    Example:
        Fit y = c₀ + c₁t through three points:

        >>> import numpy as np
        >>> from keras_mf.linalg import lstsq
        >>> t = np.array([0.0, 1.0, 2.0])
        >>> y = np.array([1.0, 2.0, 2.0])
        >>> np.round(lstsq(np.stack([np.ones(3), t], axis=1), y).numpy(), 4)
        array([1.1667, 0.5   ])
    """
    a = _as_matrix(a)
    b = tf.cast(as_float_tensor(b, "b"), a.dtype)
    vector = b.shape.rank == a.shape.rank - 1
    _check_rows_match(a, b, -1 if vector else -2)
    if vector:
        return tf.squeeze(tf.linalg.matmul(pinv(a, rcond), b[..., None]), -1)
    return tf.linalg.matmul(pinv(a, rcond), b)


def _check_conditioning(s, dtype, n):
    if not tf.executing_eagerly():
        return
    s = s.numpy()
    s_max = s.max(axis=-1)
    s_min = s.min(axis=-1)
    eps = _eps(dtype)
    if np.any(s_min <= n * eps * s_max):
        raise ValueError(
            "Received an invalid value for `a`, expected an invertible matrix. Received: a singular matrix "
            f"(smallest singular value {float(np.min(s_min)):.3g}); use `pinv` or `lstsq` instead"
        )
    cond = float(np.max(s_max / s_min))
    if cond > 1.0 / np.sqrt(eps):
        warnings.warn(
            f"ill-conditioned matrix (condition number {cond:.3g}): the inverse loses about "
            f"{np.log10(cond):.0f} of {-np.log10(eps):.0f} significant digits",
            RuntimeWarning,
            stacklevel=3,
        )


def eigendecomposition(a, tol=None):
    """Eigendecomposition A = Q Λ Q⁻¹ of a square matrix, refused when A is defective.

    A symmetric A takes `tf.linalg.eigh` (real eigenvalues, orthonormal Q). Otherwise `tf.linalg.eig`
    gives eigenvectors that need not be orthogonal; when they do not span the space (a repeated
    eigenvalue with too few eigenvectors) no such decomposition exists.

    Args:
        a: float or int `(n, n)`, finite.
        tol: float, relative tolerance on the smallest singular value of Q; default `sqrt(eps)`, since the
            eigenvectors of a defective eigenvalue are only computed to about half the digits.

    Returns:
        `(eigenvalues (n,), Q (n, n))` as tensors: real and ascending for a symmetric A (in its float dtype),
        complex for a non-symmetric A.

    Raises:
        ValueError: A is not square or holds NaN/inf; A is defective (the message names the eigenvalue and the
            rank of Q).
        TypeError: sparse or non-real input.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th ed. Johns Hopkins University Press.
        https://jhupbooks.press.jhu.edu/title/matrix-computations

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import eigendecomposition
        >>> values, q = eigendecomposition([[2.0, 1.0], [1.0, 2.0]])
        >>> np.round(values.numpy(), 6)
        array([1., 3.])
        >>> eigendecomposition([[1.0, 1.0], [0.0, 1.0]])     # a Jordan block: one eigenvector for λ = 1 twice
        Traceback (most recent call last):
        ...
        ValueError: Received a defective matrix: its eigenvectors span only 1 of 2 dimensions, ...
    """
    a = _as_matrix(a, square=True)
    tolerance = _SYMMETRY_EPS * _eps(a.dtype) * (1 + tf.reduce_max(tf.abs(a)))
    if bool(tf.reduce_all(tf.abs(a - tf.linalg.matrix_transpose(a)) <= tolerance)):
        return tf.linalg.eigh(a)
    values, vectors = tf.linalg.eig(a)
    tol = np.sqrt(_eps(a.dtype)) if tol is None else tol
    rank = _numerical_rank(vectors, tol)
    n = int(a.shape[-1])
    if rank < n:
        vals = values.numpy()
        repeated = [v for i, v in enumerate(vals) if np.any(np.abs(np.delete(vals, i) - v) < np.sqrt(tol))]
        raise ValueError(
            f"Received a defective matrix: its eigenvectors span only {rank} of {n} dimensions, so "
            f"A = QΛQ⁻¹ does not exist (repeated eigenvalue {np.round(np.real(repeated[0]), 6) if repeated else '?'} "
            "has fewer eigenvectors than its multiplicity). Use the SVD or a Jordan/Schur form instead."
        )
    return values, vectors


def eigenvector_rank(a, tol=None):
    """Number of linearly independent eigenvectors of a square matrix (n for a diagonalizable one).

    Args:
        a: float or int `(n, n)`, finite.
        tol: float, relative cutoff on the singular values of the eigenvector matrix; default `sqrt(eps)`.

    Returns:
        int in [1, n].

    Raises:
        ValueError: `a` is not square or holds NaN/inf.
        TypeError: sparse or non-real input.

    Example:
        >>> from keras_mf.linalg import eigenvector_rank
        >>> eigenvector_rank([[1.0, 1.0], [0.0, 1.0]]), eigenvector_rank([[1.0, 0.0], [0.0, 1.0]])
        (1, 2)
    """
    a = _as_matrix(a, square=True)
    _, vectors = tf.linalg.eig(a)
    return _numerical_rank(vectors, np.sqrt(_eps(a.dtype)) if tol is None else tol)


def _numerical_rank(matrix, tol):
    """Number of singular values of `matrix` above `tol` times the largest."""
    s = tf.linalg.svd(matrix, compute_uv=False).numpy()
    return int(np.sum(s > tol * s[0]))


def principal_angles(a, b):
    """Principal angles (radians, ascending) between the column spaces of two matrices with the same rows.

    The orthonormal bases come from the SVD, as in `scipy.linalg.subspace_angles`: zero or dependent columns
    add no direction, so there are min(rank a, rank b) angles. Each matrix is first divided by a power of two
    at or below its largest entry (exact), so that values near the dtype's limits do not overflow. The more
    precise of the two dtypes is kept.

    Args:
        a: float or int `(n, p)`, finite.
        b: float or int `(n, q)`, finite.

    Returns:
        A `tf.Tensor` `(min(rank a, rank b),)` of angles in [0, π/2], ascending.

    Raises:
        ValueError: `a` or `b` not a matrix or holding NaN/inf; `b` with another number of rows than `a`.
        TypeError: sparse or non-real input.

    References:
        Björck, Å. & Golub, G. H. (1973). Numerical methods for computing angles between linear subspaces.
        Mathematics of Computation 27(123), 579–594. https://doi.org/10.1090/S0025-5718-1973-0348991-3

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import principal_angles
        >>> a = [[1.0], [0.0], [0.0]]
        >>> b = [[1.0], [1.0], [0.0]]
        >>> np.round(np.degrees(principal_angles(a, b).numpy()), 6)
        array([45.])
    """
    a, b = _as_matrix(a, "a"), _as_matrix(b, "b")
    _check_rows_match(a, b)
    dtype = tf.float64 if tf.float64 in (a.dtype, b.dtype) else a.dtype
    qa, qb = (_column_basis(m, dtype) for m in (a, b))
    cosines = tf.linalg.svd(tf.linalg.matmul(qa, qb, transpose_a=True), compute_uv=False)
    return tf.sort(tf.acos(tf.clip_by_value(cosines, -1.0, 1.0)))


def _column_basis(m, dtype):
    """An orthonormal basis `(n, rank)` in `dtype` of the column space of `m (n, p)`, rank by scipy.linalg.orth's
    cutoff (singular values above max(n, p)·eps·σ₁)."""
    m, _ = _unit_scaled(tf.constant(m.numpy().astype(dtype.as_numpy_dtype)))  # numpy keeps float32 subnormals
    s, u, _ = tf.linalg.svd(m)
    rank = int(tf.reduce_sum(tf.cast(s > max(m.shape) * _eps(m.dtype) * s[0], tf.int32))) if s.shape[0] else 0
    return u[:, :rank]


def top_eigh(c, k, oversample=None, iterations=300, tol=None, seed=0):
    """Top-`k` eigenpairs of a symmetric positive semi-definite `c (n, n)` by block subspace iteration.

    Each iteration costs one `(n, n) @ (n, k + p)` product (sparse when `c` is a `tf.SparseTensor`), a
    Rayleigh–Ritz step on the `(k + p)`-sized projection and an orthonormalisation (`_orthonormalize`). With
    oversampling p the error in eigenvector i shrinks like (λ_{k+p+1}/λ_i)^iterations, so this is far cheaper
    than a full `eigh` for k ≪ n when the spectrum decays; on a flat spectrum it needs many iterations. It
    stops once every top-k Ritz pair (θ, v) has a residual ‖c v − θ v‖ ≤ `tol`·θ (eigenvalues are then accurate
    to about tol²·θ²/gap; θ is floored at √n·eps/tol·θ₁, below which the product's round-off decides), and
    warns when `iterations` run out first. A dense `c` with
    k + p ≥ n/2 takes the full `eigh` instead.

    Args:
        c: `(n, n)` symmetric positive semi-definite matrix, dense or `tf.SparseTensor`; its float dtype is
            kept (float64 in, float64 out).
        k: int, the number of eigenpairs, in [1, n].
        oversample: int ≥ 0, extra columns p; default max(10, k).
        iterations: int ≥ 1, the most iterations run.
        tol: float > 0, relative residual at which to stop; default √eps of the dtype.
        seed: int, seed of the random start.

    Returns:
        `(eigenvalues (k,), eigenvectors (n, k))` as tensors in `c`'s dtype, eigenvalues descending.

    Raises:
        ValueError: `k` outside [1, n]; `iterations`, `oversample` or `tol` out of range.

    Warns:
        ConvergenceWarning: the residuals were still above `tol` after `iterations` iterations.

    References:
        Halko, N., Martinsson, P.-G. & Tropp, J. A. (2011). Finding Structure with Randomness: Probabilistic
        Algorithms for Constructing Approximate Matrix Decompositions. SIAM Review 53(2).
        https://doi.org/10.1137/090771806

        Saad, Y. (2011). Numerical Methods for Large Eigenvalue Problems, 2nd ed., ch. 5 (subspace iteration).
        SIAM. https://doi.org/10.1137/1.9781611970739

    Example:
        >>> import numpy as np
        >>> from keras_mf.linalg import top_eigh
        >>> c = np.diag(np.arange(1.0, 101.0))                 # eigenvalues 1, ..., 100
        >>> values, vectors = top_eigh(c, 3)
        >>> np.round(values.numpy(), 6), vectors.shape
        (array([100.,  99.,  98.]), TensorShape([100, 3]))
    """
    values, vectors, used, residual, tol = subspace_eigh(c, k, oversample, iterations, tol, seed)
    warn_unconverged("top_eigh", used, residual, tol, "iterations", iterations)
    return values, vectors


def subspace_eigh(c, k, oversample=None, iterations=300, tol=None, seed=0):
    """`top_eigh` without the warning: `(eigenvalues, eigenvectors, iterations used, largest relative residual,
    tol)`, so that callers can warn naming their own parameter. A full `eigh` reports 0 iterations and 0."""
    n = int(c.shape[-1])
    k = check_int("k", k, 1, n)
    iterations = check_int("iterations", iterations, 1)
    block = subspace_block(k, n, None if oversample is None else check_int("oversample", oversample, 0))
    tol = default_tolerance(c.dtype) if tol is None else check_positive_float("tol", tol)
    if not isinstance(c, tf.SparseTensor) and block >= n // 2:
        values, vectors = tf.linalg.eigh(c)
        return tf.reverse(values[-k:], [0]), tf.reverse(vectors[:, -k:], [1]), 0, 0.0, tol
    # Sizes and the seed go in as tensors so that one trace serves every rank and seed (a TruncatedSVD fitted at
    # many ranks, the spectral starts of the deep-clustering heads at several seeds).
    values, vectors, used, residual = _subspace_iteration(
        c, tf.constant(k), tf.constant(block), tf.constant(iterations), tf.constant(tol, c.dtype), tf.constant(seed)
    )
    return values, vectors, int(used), float(residual), tol


def default_tolerance(dtype):
    """√eps of `dtype`: the relative residual below which a Ritz value carries full precision (error ~ residual²)."""
    return float(np.sqrt(_eps(tf.as_dtype(dtype))))


def _rows(c):
    return tf.cast(c.dense_shape[0], tf.int32) if isinstance(c, tf.SparseTensor) else tf.shape(c)[0]


def _product(c, q):
    if isinstance(c, tf.SparseTensor):
        # The sparse product forgets static shapes, which the loop below needs to stay fixed.
        return tf.ensure_shape(tf.sparse.sparse_dense_matmul(c, q), q.shape)
    return tf.linalg.matmul(c, q)


@tf.function(reduce_retracing=True, autograph=False)
def _subspace_iteration(c, k, block, iterations, tol, seed):
    n = _rows(c)

    # NaN residuals compare False with `tol`, so they keep iterating up to the cap (and then warn).
    def unconverged(q, values, vectors, used, residual):
        return (used < iterations) & tf.logical_not(residual <= tol)

    def step(q, values, vectors, used, residual):
        y = _product(c, q)
        projected = tf.linalg.matmul(q, y, transpose_a=True)
        ritz, small = tf.linalg.eigh(0.5 * (projected + tf.transpose(projected)))
        small = tf.reverse(small[:, -k:], [1])
        values = tf.reverse(ritz[-k:], [0])
        vectors = tf.linalg.matmul(q, small)
        # Residuals of the Ritz pairs, c v − θ v, from the product already made: y·s = c·q·s = c·v.
        residuals = tf.norm(tf.linalg.matmul(y, small) - vectors * values, axis=0)
        # Relative to each Ritz value (a dominant θ₁ must not excuse the tail), but not below the round-off of
        # the product c·q itself, about √n·eps·θ₁.
        floor = tf.sqrt(tf.cast(n, c.dtype)) * _eps(c.dtype) / tol * tf.reduce_max(ritz)
        scale = tf.maximum(tf.maximum(values, floor), np.finfo(np.float32).tiny)
        return _orthonormalize(y), values, vectors, used + 1, tf.reduce_max(residuals / scale)

    q = _orthonormalize(tf.random.stateless_normal([n, block], seed=tf.stack([seed, 0]), dtype=c.dtype))
    start = (q, tf.zeros([k], c.dtype), tf.zeros([n, k], c.dtype), tf.constant(0), tf.constant(np.inf, c.dtype))
    shapes = (q.shape, tf.TensorShape([None]), tf.TensorShape([None, None]), tf.TensorShape([]), tf.TensorShape([]))
    _, values, vectors, used, residual = tf.while_loop(unconverged, step, start, shape_invariants=shapes)
    return values, vectors, used, residual


def _orthonormalize(y):
    """An orthonormal basis `(n, b)` of the columns of a tall `y (n, b)`.

    Cholesky QR, twice (CholeskyQR2): with yᵀy = L Lᵀ, y L⁻ᵀ has orthonormal columns up to about
    eps·cond(y)², and a second pass brings that to a few eps. Small `(b, b)` factorisations and products only,
    which TF's CPU runs faster than its Householder QR on tall blocks. It breaks down as cond(y) nears
    eps^(-1/2) (TF's Cholesky then returns NaN), so the result is checked against 10·b·eps and the Householder
    QR taken instead.

    References:
        Fukaya, T., Nakatsukasa, Y., Yanagisawa, Y. & Yamamoto, Y. (2014). CholeskyQR2: A Simple and
        Communication-Avoiding Algorithm for Computing a Tall-Skinny QR Factorization on a Large-Scale Parallel
        System. ScalA 2014. https://doi.org/10.1109/ScalA.2014.11
    """
    columns = tf.shape(y)[-1]
    identity = tf.eye(columns, dtype=y.dtype)
    q = y
    for _ in range(2):
        factor = tf.linalg.cholesky(tf.linalg.matmul(q, q, transpose_a=True))
        q = tf.linalg.matmul(q, tf.linalg.triangular_solve(factor, identity, lower=True), transpose_b=True)
    error = tf.reduce_max(tf.abs(tf.linalg.matmul(q, q, transpose_a=True) - identity))
    tolerance = 10 * _eps(y.dtype) * tf.cast(columns, y.dtype)
    # NaN compares False, so a failed factorisation also takes the QR.
    return tf.cond(error < tolerance, lambda: q, lambda: tf.linalg.qr(y)[0])


def power_iteration(a, iterations=1000, tol=1e-10, seed=0):
    """Dominant eigenpair of a square matrix by power iteration: multiply by A, normalise, repeat.

    Converges when |λ₁| > |λ₂|, at rate |λ₂/λ₁| per step; it stops once the unit vector moves less than `tol`
    in one step, and warns (ConvergenceWarning, naming `iterations`) when `iterations` run out first, as they do
    when |λ₁| = |λ₂| (for instance λ and −λ).

    Args:
        a: float or int `(n, n)`, finite.
        iterations: int ≥ 1, the most iterations.
        tol: float > 0, the change of the unit vector (2-norm) per step at which it stops.
        seed: int, seed of the (positive) random start.

    Returns:
        `(eigenvalue, unit eigenvector (n,), iterations used)`: scalar tensors and a `(n,)` tensor in `a`'s
        float dtype, the count an int32 tensor.

    Raises:
        ValueError: `a` not square or holding NaN/inf; `iterations` or `tol` out of range.
        TypeError: sparse or non-real input.

    Warns:
        ConvergenceWarning: the vector still moved by more than `tol` after `iterations` steps.

    References:
        von Mises, R. & Pollaczek-Geiringer, H. (1929). Praktische Verfahren der Gleichungsauflösung. ZAMM 9(1),
        58–77. https://doi.org/10.1002/zamm.19290090105

        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th ed. Johns Hopkins University Press.
        https://jhupbooks.press.jhu.edu/title/matrix-computations

    Example:
        >>> from keras_mf.linalg import power_iteration
        >>> value, vector, used = power_iteration([[2.0, 1.0], [1.0, 2.0]])
        >>> round(float(value), 6), [round(float(v), 6) for v in vector]
        (3.0, [0.707107, 0.707107])
    """
    a = _as_matrix(a, square=True)
    iterations = check_int("iterations", iterations, 1)
    tol = check_positive_float("tol", tol)
    v = tf.random.stateless_uniform([a.shape[-1]], seed=[seed, 1], dtype=a.dtype) + 0.5
    value, vector, used, delta = _power_iteration(a, v / tf.norm(v), tf.constant(iterations), tf.constant(tol, a.dtype))
    if not float(delta) <= tol:
        warnings.warn(
            f"power_iteration did not converge: after {int(used)} iterations the vector still moved by "
            f"{float(delta):.3g} per step, above tol={tol:.3g} (|λ₂/λ₁| is close to 1). Raise `iterations` "
            f"(received iterations={iterations}).",
            ConvergenceWarning,
            stacklevel=2,
        )
    return value, vector, used


@tf.function(reduce_retracing=True, autograph=False)
def _power_iteration(a, v, iterations, tol):
    def step(value, v, i, delta):
        w = tf.linalg.matvec(a, v)
        norm = tf.norm(w)
        # A v = 0: v is an eigenvector of eigenvalue 0 (dividing would give NaN), so the iteration stops there.
        w = tf.where(norm > 0, w / tf.where(norm > 0, norm, tf.ones_like(norm)), v)
        # The sign of an eigenvector is arbitrary; align before measuring the change.
        w = w * tf.sign(tf.tensordot(w, v, 1) + tf.constant(1e-30, a.dtype))
        return tf.tensordot(w, tf.linalg.matvec(a, w), 1), w, i + 1, tf.norm(w - v)

    start = (tf.tensordot(v, tf.linalg.matvec(a, v), 1), v, tf.constant(0), tf.constant(np.inf, a.dtype))
    value, v, i, delta = tf.while_loop(lambda value, v, i, delta: (i < iterations) & (delta > tol), step, start)
    return value, v, i, delta
