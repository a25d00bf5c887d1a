"""Every worked example of the tutorials in `shared/seeds/`, recomputed with keras_mf and TensorFlow.

Each function returns an `Example`: the tutorial's printed value, ours, and a verdict ("agrees" or
"slip", with a one-line why). `values` holds our raw numbers, which the tests check against closed forms.
Seeds: 000 autoencoders and RNNs, 001 the inverse matrix, 002 linear algebra (Deep Learning ch. 2),
003 maths for deep learning (gradients, norms, eigen/singular values, Laplacians, SymNMF), 004 SVD.
"""

import dataclasses
import math
import warnings

import numpy as np
import tensorflow as tf

from keras_mf import linalg
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.factorization import SymNMF
from keras_mf.graph import degrees
from keras_mf.graph import fiedler_vector
from keras_mf.graph import gaussian_similarity
from keras_mf.graph import laplacian
from keras_mf.graph import spectral_clustering


@dataclasses.dataclass
class Example:
    """One worked example of a tutorial, recomputed: what the tutorial prints, what we compute, and the verdict.

    Args:
        name: str, what the example computes ("L2 norm of w=[3,-4]").
        source: str, the seed and its section ("003 范数").
        tutorial: str, the tutorial's value or claim, as it prints it.
        ours: str, our value, as the table prints it.
        verdict: "agrees" or "slip" (the tutorial's value or claim is wrong).
        why: str, one line on the slip (or a remark on an example that agrees); "" when there is nothing to say.
        values: dict, our raw numbers (floats, numpy arrays), which the tests check against closed forms.

    Each is stored as the attribute of the same name.

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import Example
        >>> Example("L2 norm of w=[3,-4]", "003 范数", "5", "5", "agrees", values={"norm": 5.0}).verdict
        'agrees'
    """

    name: str
    source: str
    tutorial: str
    ours: str
    verdict: str
    why: str = ""
    values: dict = dataclasses.field(default_factory=dict)

    def __str__(self):
        """The tutorial's value, ours, and the verdict, one per line (what the tutorial pages print)."""
        verdict = f"{self.verdict}: {self.why}" if self.why else self.verdict
        return f"tutorial: {self.tutorial}\nours:     {self.ours}\nverdict:  {verdict}"


def _fmt(x, digits=4):
    return np.array2string(np.round(np.asarray(x, dtype=np.float64), digits), separator=", ").replace("\n", "")


def dense_layer_sgd_step():
    """Seed 003, 梯度下降: y = Wx + b, L = ½‖y − y_true‖², one SGD step with η = 0.1, via GradientTape.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`; the
        gradients come from `tf.GradientTape`.

    References:
        Goodfellow, I., Bengio, Y. & Courville, A. (2016). Deep Learning, chapters 4.3 (gradient descent) and 6.5
        (back-propagation). MIT Press. https://www.deeplearningbook.org/

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import dense_layer_sgd_step
        >>> example = dense_layer_sgd_step()
        >>> example.verdict, example.values["loss"], example.values["w_new"].tolist()
        ('agrees', 1.0, [[1.1, 2.2], [3.1, 4.2]])
    """
    x = tf.constant([1.0, 2.0], tf.float64)
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float64)
    b = tf.Variable([1.0, 1.0], dtype=tf.float64)
    y_true = tf.constant([7.0, 13.0], tf.float64)
    with tf.GradientTape() as tape:
        y = tf.linalg.matvec(w, x) + b
        loss = 0.5 * tf.reduce_sum(tf.square(y - y_true))
    grad_w, grad_b = tape.gradient(loss, [w, b])
    w.assign_sub(0.1 * grad_w)
    b.assign_sub(0.1 * grad_b)
    values = {
        "y": y.numpy(),
        "loss": float(loss),
        "grad_w": grad_w.numpy(),
        "grad_b": grad_b.numpy(),
        "w_new": w.numpy(),
        "b_new": b.numpy(),
    }
    return Example(
        "dense layer: forward, MSE, gradients, one SGD step",
        "003 梯度下降",
        "y=[6,12], L=1, dL/dW=[[-1,-2],[-1,-2]], W_new=[[1.1,2.2],[3.1,4.2]], b_new=[1.1,1.1]",
        f"y={_fmt(values['y'])}, L={values['loss']:g}, dL/dW={_fmt(values['grad_w'])}, "
        f"W_new={_fmt(values['w_new'])}, b_new={_fmt(values['b_new'])}",
        "agrees",
        values=values,
    )


def l2_norm():
    """Seed 003, 范数: ‖[3, −4]‖₂ = 5.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import l2_norm
        >>> l2_norm().values
        {'norm': 5.0}
    """
    value = float(tf.norm(tf.constant([3.0, -4.0], tf.float64)))
    return Example("L2 norm of w=[3,-4]", "003 范数", "5", f"{value:g}", "agrees", values={"norm": value})


def frobenius_identities():
    """Seeds 002/003: ‖A‖_F² = tr(AᵀA) = Σσᵢ² for a 3×2 matrix (the sum runs over min(m, n) values).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Goodfellow, I., Bengio, Y. & Courville, A. (2016). Deep Learning, chapter 2 (linear algebra). MIT Press.
        https://www.deeplearningbook.org/

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import frobenius_identities
        >>> example = frobenius_identities()
        >>> example.values["fro2"], example.values["trace"], round(example.values["sigma2"], 9)
        (91.0, 91.0, 91.0)
    """
    a = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], tf.float64)
    fro2 = float(tf.square(tf.norm(a, ord="fro", axis=[0, 1])))
    trace = float(tf.linalg.trace(tf.linalg.matmul(a, a, transpose_a=True)))
    sigma2 = float(tf.reduce_sum(tf.square(tf.linalg.svd(a, compute_uv=False))))
    return Example(
        "Frobenius norm: ‖A‖_F² = tr(AᵀA) = Σσᵢ²",
        "002 迹运算 / 003 Frobenius 范数",
        "identity stated",
        f"{fro2:g} = {trace:g} = {sigma2:.10g} for A=[[1,2],[3,4],[5,6]]",
        "agrees",
        values={"fro2": fro2, "trace": trace, "sigma2": sigma2},
    )


def trace_cyclic():
    """Seed 003, 迹: tr(ABC) = tr(CAB) = tr(BCA), but tr(BAC) differs in general.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Goodfellow, I., Bengio, Y. & Courville, A. (2016). Deep Learning, chapter 2 (linear algebra). MIT Press.
        https://www.deeplearningbook.org/

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import trace_cyclic
        >>> import math
        >>> values = trace_cyclic().values
        >>> [math.isclose(values["abc"], values[order]) for order in ("cab", "bca", "bac")]
        [True, True, False]
    """
    rng = np.random.default_rng(0)
    a, b, c = (tf.constant(rng.standard_normal((3, 3))) for _ in range(3))
    tr = lambda *ms: float(tf.linalg.trace(ms[0] @ ms[1] @ ms[2]))  # noqa: E731
    values = {"abc": tr(a, b, c), "cab": tr(c, a, b), "bca": tr(b, c, a), "bac": tr(b, a, c)}
    return Example(
        "cyclic property of the trace",
        "003 迹的基本性质",
        "tr(ABC)=tr(CAB)=tr(BCA) ≠ tr(BAC) in general",
        f"{values['abc']:.6f} = {values['cab']:.6f} = {values['bca']:.6f}; tr(BAC) = {values['bac']:.6f}",
        "agrees",
        values=values,
    )


def covariance_transform():
    """Seed 003, 协方差矩阵: cov(AX) = A cov(X) Aᵀ, on samples.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import covariance_transform
        >>> covariance_transform().values["gap"] < 1e-12
        True
    """
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((500, 3)))
    a = tf.constant([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]], tf.float64)

    def cov(z):
        z = z - tf.reduce_mean(z, 0)
        return tf.linalg.matmul(z, z, transpose_a=True) / float(z.shape[0] - 1)

    lhs = cov(tf.linalg.matmul(x, a, transpose_b=True))
    rhs = a @ cov(x) @ tf.transpose(a)
    gap = float(tf.reduce_max(tf.abs(lhs - rhs)))
    return Example(
        "cov(AX) = A cov(X) Aᵀ",
        "003 协方差矩阵",
        "identity stated",
        f"max |cov(AX) − A cov(X) Aᵀ| = {gap:.1e}",
        "agrees",
        values={"gap": gap},
    )


def eigenpairs_upper_triangular():
    """Seed 003, 特征值和特征向量: [[2,1],[0,3]] has λ = 2, 3 with v = [1,0], [1,1] — not orthogonal.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import eigenpairs_upper_triangular
        >>> example = eigenpairs_upper_triangular()
        >>> example.values["eigenvalues"].tolist(), round(example.values["cosine"], 4)
        ([2.0, 3.0], 0.7071)
    """
    values, vectors = linalg.eigendecomposition(tf.constant([[2.0, 1.0], [0.0, 3.0]], tf.float64))
    order = np.argsort(np.real(values.numpy()))
    lam = np.real(values.numpy())[order]
    vec = np.real(vectors.numpy())[:, order]
    vec = vec / vec[np.argmax(np.abs(vec), axis=0), range(2)]  # scale like the tutorial: largest entry 1
    cosine = float(abs(vec[:, 0] @ vec[:, 1]) / np.linalg.norm(vec[:, 0]) / np.linalg.norm(vec[:, 1]))
    return Example(
        "eigenpairs of [[2,1],[0,3]]",
        "003 特征值和特征向量",
        "λ=2, v=[1,0]; λ=3, v=[1,1]",
        f"λ={_fmt(lam)}, v={_fmt(vec.T)}; cos(v1, v2)={cosine:.4f}",
        "agrees",
        "(also refutes 004's claim that a matrix's eigenvectors are orthogonal: true only for normal matrices)",
        values={"eigenvalues": lam, "eigenvectors": vec, "cosine": cosine},
    )


def singular_values_diagonal():
    """Seed 003, 奇异值: [[3,0],[0,−4]] has singular values 4 and 3 (absolute values, sorted).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import singular_values_diagonal
        >>> singular_values_diagonal().values["s"].tolist()
        [4.0, 3.0]
    """
    s = tf.linalg.svd(tf.constant([[3.0, 0.0], [0.0, -4.0]], tf.float64), compute_uv=False).numpy()
    return Example("singular values of [[3,0],[0,-4]]", "003 奇异值", "4, 3", _fmt(s), "agrees", values={"s": s})


def svd_three_by_two():
    """Seed 004, SVD计算举例: A = [[0,1],[1,1],[1,0]] has σ = √3, 1; U and V checked by reconstruction.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import svd_three_by_two
        >>> example = svd_three_by_two()
        >>> example.values["s"].round(6).tolist(), example.values["reconstruction_error"] < 1e-12
        ([1.732051, 1.0], True)
    """
    a = tf.constant([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]], tf.float64)
    s, u, v = tf.linalg.svd(a)
    error = float(tf.reduce_max(tf.abs(u @ tf.linalg.diag(s) @ tf.transpose(v) - a)))
    return Example(
        "SVD of [[0,1],[1,1],[1,0]]",
        "004 SVD计算举例",
        "σ = √3, 1",
        f"σ = {_fmt(s.numpy(), 6)} (√3 = {math.sqrt(3):.6f}); max |UΣVᵀ − A| = {error:.1e}",
        "agrees",
        values={"s": s.numpy(), "reconstruction_error": error},
    )


def defective_eigendecomposition():
    """Seed 004, 特征值分解的例子: [[-1,1,0],[-4,3,0],[1,0,2]] is defective; A = QΛQ⁻¹ does not exist.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import defective_eigendecomposition
        >>> example = defective_eigendecomposition()
        >>> example.verdict, example.values["rank"], example.values["refused"]
        ('slip', 2, True)
    """
    a = tf.constant([[-1.0, 1.0, 0.0], [-4.0, 3.0, 0.0], [1.0, 0.0, 2.0]], tf.float64)
    eigenvalues = np.sort(np.real(tf.linalg.eigvals(a).numpy()))
    rank = linalg.eigenvector_rank(a)
    tutorial_q = np.array([[0.0, -1.0, -1.0], [0.0, -2.0, -2.0], [1.0, 1.0, 1.0]])
    tutorial_q_rank = int(np.linalg.matrix_rank(tutorial_q))
    try:
        linalg.eigendecomposition(a)
        refused = False
    except ValueError:
        refused = True
    return Example(
        "eigendecomposition of [[-1,1,0],[-4,3,0],[1,0,2]]",
        "004 特征值分解的例子",
        "A = QΛQ⁻¹ with Q = [p1, p2, p2] (a repeated column)",
        f"λ = {_fmt(eigenvalues)}; eigenvectors span rank {rank} < 3; tutorial's Q has rank {tutorial_q_rank}",
        "slip",
        "λ=1 is double with one eigenvector (−1,−2,1): A is defective, Q is singular, A = QΛQ⁻¹ does not "
        "exist (and its row reduction gives x1 + x3 = 0, not x1 + x2 = 0)",
        values={"eigenvalues": eigenvalues, "rank": rank, "tutorial_q_rank": tutorial_q_rank, "refused": refused},
    )


def inverse_two_by_two():
    """Seed 001: [[1,2],[3,4]]⁻¹ = [[-2,1],[1.5,-0.5]]; the tutorial's SVD recipe A⁻¹ = S⁻¹Sᵀ is wrong.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import inverse_two_by_two
        >>> example = inverse_two_by_two()
        >>> example.verdict, example.values["inverse"].round(6).tolist()
        ('slip', [[-2.0, 1.0], [1.5, -0.5]])
    """
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)
    ours = linalg.svd_inverse(a).numpy()
    s = tf.linalg.svd(a, compute_uv=False)
    tutorial = (tf.linalg.diag(1.0 / s) @ tf.linalg.diag(s)).numpy()  # S⁻¹Sᵀ with S diagonal
    return Example(
        "inverse of [[1,2],[3,4]] through the SVD",
        "001 数值计算（SVD 分解）",
        "A⁻¹ = S⁻¹Sᵀ",
        f"V Σ⁻¹ Uᵀ = {_fmt(ours)}; the tutorial's S⁻¹Sᵀ = {_fmt(tutorial)}",
        "slip",
        "S⁻¹Sᵀ is the identity, not A⁻¹; the SVD gives A⁻¹ = V Σ⁻¹ Uᵀ",
        values={"inverse": ours, "tutorial": tutorial},
    )


def pseudo_inverse():
    """Seed 002, M-P伪逆: A⁺ = V Σ⁺ Uᵀ; the tutorial writes V Δ⁻¹ Dᵀ (D for U).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Penrose, R. (1955). A generalized inverse for matrices. Proceedings of the Cambridge Philosophical Society
        51(3), 406–413. https://doi.org/10.1017/S0305004100030401

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import pseudo_inverse
        >>> example = pseudo_inverse()
        >>> example.verdict, example.values["pinv"].round(4).tolist(), max(example.values["penrose"]) < 1e-12
        ('slip', [[-0.3333, 0.3333, 0.6667], [0.6667, 0.3333, -0.3333]], True)
    """
    a = tf.constant([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]], tf.float64)
    ours = linalg.pinv(a)
    conditions = [
        float(tf.reduce_max(tf.abs(a @ ours @ a - a))),
        float(tf.reduce_max(tf.abs(ours @ a @ ours - ours))),
        float(tf.reduce_max(tf.abs(tf.transpose(a @ ours) - a @ ours))),
        float(tf.reduce_max(tf.abs(tf.transpose(ours @ a) - ours @ a))),
    ]
    return Example(
        "Moore–Penrose pseudo-inverse of [[0,1],[1,1],[1,0]]",
        "002 M-P伪逆",
        "A⁺ = V (Δ⁻¹ 0; 0 0) Dᵀ",
        f"A⁺ = V Σ⁺ Uᵀ = {_fmt(ours.numpy())}; Penrose conditions hold to {max(conditions):.1e}",
        "slip",
        "the last factor must be Uᵀ (left singular vectors); D is the diagonal factor",
        values={"pinv": ours.numpy(), "penrose": conditions},
    )


def least_squares_and_minimum_norm():
    """Seed 002: x = A⁺y minimises ‖Ax − y‖₂ for a tall A; for a wide A it is the smallest exact solution.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Penrose, R. (1955). A generalized inverse for matrices. Proceedings of the Cambridge Philosophical Society
        51(3), 406–413. https://doi.org/10.1017/S0305004100030401

        Golub, G. H. & Van Loan, C. F. (2013). Matrix Computations, 4th edition. Johns Hopkins University Press.
        https://www.press.jhu.edu/books/title/10678/matrix-computations

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import least_squares_and_minimum_norm
        >>> values = least_squares_and_minimum_norm().values
        >>> values["x_ls"].round(4).tolist(), (values["x_mn"].round(4) + 0.0).tolist()
        ([0.6667, 1.6667], [0.0, 1.0, 1.0])
    """
    tall = tf.constant([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], tf.float64)
    y = tf.constant([1.0, 2.0, 2.0], tf.float64)
    x_ls = linalg.lstsq(tall, y).numpy()
    wide = tf.constant([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], tf.float64)
    z = tf.constant([1.0, 2.0], tf.float64)
    x_mn = linalg.lstsq(wide, z).numpy()
    residual = float(np.linalg.norm(tall.numpy() @ x_ls - y.numpy()))
    return Example(
        "least squares (tall A) and minimum norm (wide A) via A⁺",
        "002 M-P伪逆",
        "tall: min ‖Ax − y‖₂; wide: smallest ‖x‖₂ among solutions",
        f"tall x = {_fmt(x_ls)} (residual {residual:.4f}); wide x = {_fmt(x_mn)} (‖x‖ = {np.linalg.norm(x_mn):.4f})",
        "agrees",
        values={"x_ls": x_ls, "residual": residual, "x_mn": x_mn},
    )


def pca_first_direction():
    """Seed 002, PCA: the best 1-D code direction d is the top eigenvector of XᵀX, decoder r(x) = d dᵀx.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Goodfellow, I., Bengio, Y. & Courville, A. (2016). Deep Learning, chapter 2 (linear algebra). MIT Press.
        https://www.deeplearningbook.org/

        Eckart, C. & Young, G. (1936). The approximation of one matrix by another of lower rank.
        Psychometrika 1, 211–218. https://doi.org/10.1007/BF02288367

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import pca_first_direction
        >>> values = pca_first_direction().values
        >>> round(values["error_top"] - values["eckart_young"], 9), values["best_random"] > values["error_top"]
        (0.0, True)
    """
    rng = np.random.default_rng(2)
    x = tf.constant(rng.standard_normal((200, 3)) @ np.diag([3.0, 1.0, 0.3]) @ _rotation3())
    _, vectors = tf.linalg.eigh(tf.linalg.matmul(x, x, transpose_a=True))
    d = vectors[:, -1:]
    error_top = float(tf.reduce_sum(tf.square(x - x @ d @ tf.transpose(d))))
    s = tf.linalg.svd(x, compute_uv=False)
    eckart_young = float(tf.reduce_sum(tf.square(s[1:])))
    others = rng.standard_normal((3, 100))
    others = tf.constant(others / np.linalg.norm(others, axis=0))
    errors = tf.reduce_sum(tf.square(x[:, :, None] - tf.einsum("ni,ik,jk->njk", x, others, others)), axis=[0, 1])
    return Example(
        "PCA: optimal 1-D code direction and decoder D Dᵀ x",
        "002 PCA",
        "d* = top eigenvector of XᵀX; c = Dᵀx; r(x) = DDᵀx",
        f"error with top eigenvector {error_top:.4f} = Σ_{{i>1}} σᵢ² {eckart_young:.4f}; "
        f"best of 100 random directions {float(tf.reduce_min(errors)):.4f}",
        "agrees",
        "(its derivation drops the square of ‖x − g(c)‖₂ and writes +g(c) for +g(c)ᵀg(c); the result stands)",
        values={"error_top": error_top, "eckart_young": eckart_young, "best_random": float(tf.reduce_min(errors))},
    )


def _rotation3():
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((3, 3)))
    return q


def rotation_is_orthogonal():
    """Seed 003, 酉矩阵: the 45° rotation satisfies UᵀU = I.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import rotation_is_orthogonal
        >>> rotation_is_orthogonal().values["gap"] < 1e-15
        True
    """
    t = math.pi / 4
    u = tf.constant([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], tf.float64)
    gap = float(tf.reduce_max(tf.abs(tf.transpose(u) @ u - tf.eye(2, dtype=tf.float64))))
    return Example(
        "45° rotation is orthogonal",
        "003 酉矩阵",
        "UᵀU = I",
        f"max |UᵀU − I| = {gap:.1e}",
        "agrees",
        values={"gap": gap},
    )


def gaussian_coverage():
    """Seed 003, 高斯分布: `P(|x − μ| < kσ) = erf(k/√2)` = 68.27%, 95.45%, 99.73% for k = 1, 2, 3.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import gaussian_coverage
        >>> example = gaussian_coverage()
        >>> example.verdict, example.values["coverage"].round(2).tolist()
        ('slip', [68.27, 95.45, 99.73])
    """
    coverage = (100.0 * tf.math.erf(tf.constant([1.0, 2.0, 3.0], tf.float64) / math.sqrt(2.0))).numpy()
    return Example(
        "Gaussian coverage within 1, 2, 3σ",
        "003 高斯分布",
        "68.2%, 95.4%, 99.6%",
        f"{coverage[0]:.2f}%, {coverage[1]:.2f}%, {coverage[2]:.2f}%",
        "slip",
        "3σ covers 99.73%, not 99.6% (1σ and 2σ are truncated, not wrong)",
        values={"coverage": coverage},
    )


def rnn_weighted_sum():
    """Seed 003, 全连接神经网络: W_r x with W_r = [[0.3,−0.5],[1.2,0.4]], x = [2,1] gives [0.1, 2.8].

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
        https://doi.org/10.1207/s15516709cog1402_1

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import rnn_weighted_sum
        >>> rnn_weighted_sum().values["y"].round(6).tolist()
        [0.1, 2.8]
    """
    y = tf.linalg.matvec(tf.constant([[0.3, -0.5], [1.2, 0.4]], tf.float64), tf.constant([2.0, 1.0], tf.float64))
    return Example(
        "RNN weighted sum Σⱼ Wᵢⱼ σ(xⱼ) as a matrix product",
        "003 全连接神经网络",
        "[0.1, 2.8]",
        _fmt(y.numpy()),
        "agrees",
        "(the numbers are W_r x: σ is taken as the identity, although the text writes W_r σ(x))",
        values={"y": y.numpy()},
    )


def first_order_ode(c=2.0, x_end=3.0, steps=300):
    """Seed 003, 一阶非齐线性微分方程: y' + y = x has y = Ce^{−x} + x − 1; checked by RK4 in TensorFlow.

    Args:
        c: float, the constant C of the solution followed (y(0) = C − 1).
        x_end: float, where y is compared with the closed form.
        steps: int, RK4 steps from 0 to `x_end` (step h = x_end / steps).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Butcher, J. C. (2016). Numerical Methods for Ordinary Differential Equations, 3rd edition. Wiley.
        https://doi.org/10.1002/9781119121534

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import first_order_ode
        >>> values = first_order_ode().values
        >>> abs(values["numeric"] - values["closed"]) < 1e-9      # RK4's error is O(h⁴), h = 0.01
        True
    """
    y0 = c - 1.0  # the closed form at x = 0
    numeric = float(_rk4(0.0, y0, tf.constant(x_end / steps, tf.float64), tf.constant(steps)))
    closed = c * math.exp(-x_end) + x_end - 1.0
    return Example(
        "ODE y' + y = x",
        "003 求解一阶非齐线性微分方程",
        "y = Ce^{-x} + x − 1",
        f"RK4 from y(0)={y0:g}: y({x_end:g}) = {numeric:.10f}; closed form {closed:.10f}",
        "agrees",
        values={"numeric": numeric, "closed": closed},
    )


@tf.function
def _rk4(x0, y0, h, steps):
    """Classical RK4 for y' = x − y."""
    x = tf.constant(x0, tf.float64)
    y = tf.constant(y0, tf.float64)
    for _ in tf.range(steps):
        k1 = x - y
        k2 = (x + h / 2) - (y + h / 2 * k1)
        k3 = (x + h / 2) - (y + h / 2 * k2)
        k4 = (x + h) - (y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        x = x + h
    return y


def symnmf_step():
    """Seed 003, 对称非负矩阵分解: one projected-gradient step on A = [[2,1],[1,2]] from H⁰ = [1,1]ᵀ, η = 0.01.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Kuang, D., Ding, C. & Park, H. (2012). Symmetric nonnegative matrix factorization for graph clustering.
        Proc. 2012 SIAM International Conference on Data Mining (SDM), 106–117.
        https://doi.org/10.1137/1.9781611972825.10

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import symnmf_step
        >>> example = symnmf_step()
        >>> example.verdict, example.values["h1"].round(6).tolist(), round(example.values["f_tutorial_h"], 5)
        ('slip', [1.02, 1.02], 0.85012)
    """
    a = np.array([[2.0, 1.0], [1.0, 2.0]])
    with warnings.catch_warnings():
        # One step is the example: stopping at max_iter=1 is the point, not a convergence failure.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SymNMF(1, step=0.01, max_iter=1, dtype="float64").fit(a, init=[1.0, 1.0])
    h1 = model.components_.ravel()
    f0, f1 = model.history_[0], model.history_[1]
    f_tutorial_h = model.objective(a, np.array([[1.04], [1.04]]))
    return Example(
        "SymNMF: one projected-gradient step",
        "003 对称非负矩阵分解 举例",
        "f(H⁰)=1, ∇f=[-2,-2], H¹=[1.04,1.04], f(H¹)≈0.8464",
        f"f(H⁰)={f0:g}, H¹ = H⁰ − η∇f = {_fmt(h1)}, f(H¹)={f1:.5f}; f([1.04,1.04])={f_tutorial_h:.5f}",
        "slip",
        "it steps by 2η∇f (the 2 is already in ∇f = 2(HHᵀH − AH)), and f([1.04,1.04]) is 0.85012, not 0.8464",
        values={"f0": f0, "h1": h1, "f1": f1, "f_tutorial_h": f_tutorial_h},
    )


def six_point_degrees():
    """Seed 003, 谱聚类示例: degrees of the Gaussian graph (σ = 2) on x = 1, 2, 5, 6, 10, 11.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import six_point_degrees
        >>> example = six_point_degrees()
        >>> example.verdict, example.values["degrees"].round(4).tolist()
        ('slip', [1.0618, 1.3429, 1.3975, 1.241, 1.0621, 0.9376])
    """
    w = gaussian_similarity(np.array([1.0, 2.0, 5.0, 6.0, 10.0, 11.0]), 2.0)
    d = degrees(tf.cast(w, tf.float64)).numpy()
    return Example(
        "degrees of the six-point Gaussian graph",
        "003 谱聚类示例",
        "1.0617, 1.3429, 1.3975, 1.2410, 1.0617, 0.9375",
        _fmt(d),
        "slip",
        "d₁ = 1.0618, d₅ = 1.0621 and d₆ = 0.9376: d₅ copies d₁, and the sums are rounded down",
        values={"degrees": d},
    )


def six_point_spectral_clustering():
    """Seed 003, 谱聚类示例: spectral clustering (k = 3) of x = 1, 2, 5, 6, 10, 11 gives {1,2}, {5,6}, {10,11}.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
        Neural Information Processing Systems 14, 849–856.
        https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import six_point_spectral_clustering
        >>> six_point_spectral_clustering().values["groups"]
        [[1, 2], [5, 6], [10, 11]]
    """
    points = np.array([1.0, 2.0, 5.0, 6.0, 10.0, 11.0])
    labels = spectral_clustering(gaussian_similarity(points, 2.0), 3, seed=0)
    groups = sorted(sorted(points[labels == c].astype(int).tolist()) for c in np.unique(labels))
    return Example(
        "spectral clustering of the six points",
        "003 谱聚类示例",
        "{1,2}, {5,6}, {10,11}",
        ", ".join("{" + ",".join(map(str, g)) + "}" for g in groups),
        "agrees",
        "(its embedding rows are 'example values', not eigenvectors; the clusters come out the same)",
        values={"groups": groups},
    )


def path_graph_laplacian():
    """Seed 003, 拉普拉斯矩阵: the path 1–2–3 has L = [[1,−1,0],[−1,2,−1],[0,−1,1]], L·1 = 0, L ⪰ 0.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Chung, F. R. K. (1997). Spectral Graph Theory. CBMS Regional Conference Series in Mathematics 92, American
        Mathematical Society. https://doi.org/10.1090/cbms/092

        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import path_graph_laplacian
        >>> values = path_graph_laplacian().values
        >>> values["laplacian"].tolist(), (values["eigenvalues"].round(6) + 0.0).tolist()
        ([[1.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 1.0]], [0.0, 1.0, 3.0])
    """
    w = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], tf.float64)
    lap = laplacian(w)
    ones = tf.linalg.matvec(lap, tf.ones(3, tf.float64)).numpy()
    eig = tf.linalg.eigvalsh(lap).numpy()
    sym_eig = tf.linalg.eigvalsh(laplacian(w, normalized=True)).numpy()
    return Example(
        "Laplacian of the path graph 1–2–3",
        "003 拉普拉斯矩阵",
        "L = [[1,-1,0],[-1,2,-1],[0,-1,1]], L·1 = 0",
        f"L = {_fmt(lap.numpy())}, L·1 = {_fmt(ones)}, eig(L) = {_fmt(eig)}, eig(L_sym) = {_fmt(sym_eig)}",
        "agrees",
        values={"laplacian": lap.numpy(), "l_ones": ones, "eigenvalues": eig, "sym_eigenvalues": sym_eig},
    )


def normalized_laplacian_degrees():
    """Seed 003, 归一化拉普拉斯矩阵: for the path graph D^{−1/2} = diag(1, 1/√2, 1), not diag(1/2, 1/3, 1/4).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Chung, F. R. K. (1997). Spectral Graph Theory. CBMS Regional Conference Series in Mathematics 92, American
        Mathematical Society. https://doi.org/10.1090/cbms/092

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import normalized_laplacian_degrees
        >>> example = normalized_laplacian_degrees()
        >>> example.verdict, example.values["inv_sqrt_degrees"].round(4).tolist()
        ('slip', [1.0, 0.7071, 1.0])
    """
    w = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], tf.float64)
    inv_sqrt = tf.math.rsqrt(degrees(w)).numpy()
    return Example(
        "D^(-1/2) in the L_sym example",
        "003 归一化拉普拉斯矩阵",
        "D = diag(4, 9, 16), D^(-1/2) = diag(1/2, 1/3, 1/4)",
        f"the example graph's D^(-1/2) = diag{_fmt(inv_sqrt)}",
        "slip",
        "diag(4, 9, 16) is not the degree matrix of the graph it follows (degrees 1, 2, 1); its square root is right",
        values={"inv_sqrt_degrees": inv_sqrt},
    )


def fiedler_path_graph():
    """Seed 003, Fiedler向量: for the path 1–2–3, λ₂ = 1 with vector (1, 0, −1)/√2.

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak Mathematical Journal 23(2), 298–305.
        https://doi.org/10.21136/CMJ.1973.101168

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import fiedler_path_graph
        >>> values = fiedler_path_graph().values
        >>> round(values["value"], 6), abs(values["vector"]).round(4).tolist()     # the sign is arbitrary
        (1.0, [0.7071, 0.0, 0.7071])
    """
    w = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], tf.float64)
    value, vector = fiedler_vector(w)
    return Example(
        "Fiedler value and vector of the path 1–2–3",
        "003 Fiedler向量",
        "second-smallest eigenpair of L; sign splits the graph",
        f"λ₂ = {float(value):.6f}, v = {_fmt(vector.numpy())}",
        "agrees",
        values={"value": float(value), "vector": vector.numpy()},
    )


def power_iteration_dominant():
    """Seed 003, 幂迭代: repeated multiply-and-normalise converges to the dominant eigenpair (3, (1,1)/√2).

    Returns:
        An `Example` (see the module docstring): the tutorial's value, ours, the verdict and `values`.

    References:
        von Mises, R. & Pollaczek-Geiringer, H. (1929). Praktische Verfahren der Gleichungsauflösung. Zeitschrift für
        Angewandte Mathematik und Mechanik 9(1), 58–77. https://doi.org/10.1002/zamm.19290090105

    Example:
        >>> from keras_mf.cli.experiments.worked_examples import power_iteration_dominant
        >>> values = power_iteration_dominant().values
        >>> round(values["value"], 6), values["vector"].round(6).tolist()
        (3.0, [0.707107, 0.707107])
    """
    value, vector, iterations = linalg.power_iteration(tf.constant([[2.0, 1.0], [1.0, 2.0]], tf.float64))
    return Example(
        "power iteration on [[2,1],[1,2]]",
        "003 幂迭代",
        "converges to the dominant eigenvector v₁",
        f"λ = {float(value):.8f}, v = {_fmt(vector.numpy(), 6)} after {int(iterations)} iterations",
        "agrees",
        values={"value": float(value), "vector": vector.numpy(), "iterations": int(iterations)},
    )


#: Every worked example, in the order of the tutorials and their sections: `keras-mf-tutorials`, TUTORIALS.md and the
#: tutorial pages of the documentation all read this tuple.
EXAMPLES = (
    dense_layer_sgd_step,
    l2_norm,
    frobenius_identities,
    trace_cyclic,
    covariance_transform,
    eigenpairs_upper_triangular,
    singular_values_diagonal,
    svd_three_by_two,
    defective_eigendecomposition,
    inverse_two_by_two,
    pseudo_inverse,
    least_squares_and_minimum_norm,
    pca_first_direction,
    rotation_is_orthogonal,
    gaussian_coverage,
    rnn_weighted_sum,
    first_order_ode,
    symnmf_step,
    six_point_degrees,
    six_point_spectral_clustering,
    path_graph_laplacian,
    normalized_laplacian_degrees,
    fiedler_path_graph,
    power_iteration_dominant,
)


def run_all():
    """Computes every example of `EXAMPLES`, in order.

    Returns:
        A list of 24 `Example` objects.

    Example:
        All 24 (about a second: the example is in the slow test suite):

        >>> from keras_mf.cli.experiments.worked_examples import run_all
        >>> examples = run_all()
        >>> len(examples), sum(example.verdict == "slip" for example in examples)
        (24, 7)
    """
    return [example() for example in EXAMPLES]
