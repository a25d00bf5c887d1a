"""Symmetric NMF, A ≈ HHᵀ with H ≥ 0: projected Barzilai–Borwein steps (default) or projected gradient descent.

TensorFlow (`tf.function`, `tf.sparse`), not a Keras layer: a scikit-learn clusterer of a precomputed affinity.
"""

import numbers
import os
import warnings

import numpy as np
import scipy.sparse
import tensorflow as tf
from sklearn.base import BaseEstimator
from sklearn.base import ClusterMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils._param_validation import StrOptions
from sklearn.utils._param_validation import make_constraint
from sklearn.utils.validation import check_non_negative
from sklearn.utils.validation import validate_data

from keras_mf._validation import check_int
from keras_mf._validation import check_real_dtype
from keras_mf._validation import invalid_value
from keras_mf._validation_tf import check_similarity
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.exceptions import NotFittedError
from keras_mf.factorization._restarts import fit_restarts
from keras_mf.factorization._solvers import matmul
from keras_mf.factorization._solvers import mean_entry
from keras_mf.factorization._solvers import objective_value
from keras_mf.factorization._solvers import rescaled
from keras_mf.factorization._solvers import squared_norm
from keras_mf.training.summaries import write_series


class SymNMF(ClusterMixin, BaseEstimator):
    """Symmetric nonnegative matrix factorization: minimise f(H) = ½‖A − HHᵀ‖²_F subject to H ≥ 0.

    A is an `(n, n)` symmetric nonnegative affinity (similarity) matrix, H an `(n, k)` matrix of soft cluster
    memberships, and ∇f = 2(HHᵀH − AH). Solvers (every one decreases this f, from the same starts):

    - "bb" (what "auto" picks unless `step` is given): projected Barzilai–Borwein steps (Birgin, Martínez &
      Raydan's spectral projected gradient). The trial P[H − α∇f] with Barzilai–Borwein's α = ⟨s, s⟩/⟨s, y⟩
      (s, y the last change of H and of ∇f) is taken when f(trial) is below the largest of the last 10
      objectives by σ⟨∇f, trial − H⟩ (Grippo–Lampariello–Lucidi's non-monotone test); otherwise H moves to
      the exact minimiser of f along trial − H, which needs no further sparse product (see "line_search").
      The objective may rise for a few iterations, and overall falls in fewer iterations than "pg" (see
      `benchmarks/symnmf.py`), at one sparse product A·H per iteration.
    - "pg": projected gradient descent, H ← max(0, H − η∇f), with the step rule `step`:

      - "line_search" (default): along the feasible direction D = P[H − α∇f] − H, f(H + tD) for t ∈ [0, 1] is
        a quartic whose coefficients need a single product A·D, so the exact minimiser costs one sparse
        matmul per iteration; α adapts, doubled when the best t is 1 and shrunk when it is small.
      - "armijo": backtracking on α until f decreases by at least σ⟨∇f, H_new − H⟩ (Bertsekas' Armijo rule
        along the projection arc; one matmul per trial).
      - a float η: the tutorial's fixed step.

      Every rule except the fixed step decreases f monotonically.

    Several random restarts run side by side (A multiplies all restarts' H together) and the lowest objective
    wins. Random starts draw H's entries uniformly in [0, 2·sqrt(mean(A)/k)] (Kuang, Ding & Park) and are
    rescaled by the scalar that best fits A. Rows of H are soft cluster memberships: `labels_` is the row-wise
    argmax.

    A scikit-learn clusterer (`clone`, `Pipeline`, `GridSearchCV`, `check_estimator`) whose input X is a
    precomputed affinity, as for `SpectralClustering(affinity="precomputed")`: its tags say pairwise, nonnegative
    and sparse-capable. It has no `transform` or `predict`: H holds memberships of the fitted graph's nodes only, so
    there is no out-of-sample mapping to offer; `components_` is H. Parameters are stored as given and checked
    against `_parameter_constraints` in `fit`.

    Args:
        n_components: int, k, the number of columns of H (clusters), in [1, n]; 8 by default, as scikit-learn's
            `SpectralClustering` and `KMeans` have.
        solver: "auto" (default: "pg" when `step` is given, else "bb"), "bb" or "pg".
        step: for solver "pg": "line_search" (None means this), "armijo" or a positive float η.
        max_iter: int ≥ 1, the iteration cap per restart; a restart that reaches it without meeting `tol` makes
            `fit` warn with a `keras_mf.exceptions.ConvergenceWarning`.
        tol: float > 0. A restart stops when the projected gradient's norm falls below `tol` times its norm at
            the (rescaled) start, tested every 10 iterations; "bb" also stops when f's spread over the last 10
            iterations is below tol² times its decrease since the start (in float32 its projected gradient
            can stall near 1e-3 of the start's). A restart whose step finds no decrease is converged too.
            With several restarts, "bb" first races them to a looser stop (spread below tol²·f) and then
            takes the winner alone on to the full one.
        n_init: int ≥ 1, the number of random restarts (1 when `fit` is given `init`).
        random_state: int, None, `numpy.random.Generator` or `numpy.random.RandomState`: draws the random
            starts.
        dtype: "float32" (default) or "float64" (or the numpy or TensorFlow dtype), the solver's precision
            whatever X's. The line search measures each step's decrease directly, so float32 converges as far
            as float64; Armijo compares two objective values of similar size and in float32 can stall before
            `tol` (then it warns).
        verbose: bool. Show a progress bar (iterations so far and the current lowest objective), then a last
            line "converged at N of max_iter iterations".
        logdir: str or path, or None. If given, the best restart's objective per iteration is written there for
            TensorBoard (scalar "symnmf/objective").

    Attributes:
        components_: H, a numpy array `(n, k)` of the solver's dtype, nonnegative.
        labels_: int64 numpy array `(n,)`, each node's cluster, the argmax of its row of H.
        objective_: float, f(H) of the best restart.
        history_: numpy array `(n_iter_ + 1,)`, the best restart's objective at its start and after each
            iteration.
        n_iter_: int, the best restart's iteration count.
        converged_: bool, whether the best restart met `tol` (False when it stopped at `max_iter`).
        objectives_: numpy array `(n_init,)`, the final objective of every restart.
        n_features_in_: int, n.

    Raises:
        ValueError: in `fit`, a parameter outside its constraints (scikit-learn's `InvalidParameterError`, which
            is a ValueError and a TypeError, naming the parameter in Keras' words); X with NaN/inf, complex,
            empty or negative ("Negative values in data passed to SymNMF.fit") entries (scikit-learn's checks);
            X that is not square or not symmetric, or has no nonzero entry; an `init` of the wrong shape, with
            negative or non-finite entries, or all zeros; `step` given with solver "bb".
        TypeError: in `fit`, X holding text; a parameter of the wrong type (`InvalidParameterError`).

    References:
        Kuang, D., Ding, C. & Park, H. (2012). Symmetric nonnegative matrix factorization for graph clustering.
        Proc. 2012 SIAM International Conference on Data Mining (SDM), 106–117.
        https://doi.org/10.1137/1.9781611972825.10

        Kuang, D., Yun, S. & Park, H. (2015). SymNMF: nonnegative low-rank approximation of a similarity matrix
        for graph clustering. Journal of Global Optimization 62(3), 545–574.
        https://doi.org/10.1007/s10898-014-0247-2

        Barzilai, J. & Borwein, J. M. (1988). Two-point step size gradient methods. IMA Journal of Numerical
        Analysis 8(1), 141–148. https://doi.org/10.1093/imanum/8.1.141

        Birgin, E. G., Martínez, J. M. & Raydan, M. (2000). Nonmonotone spectral projected gradient methods on
        convex sets. SIAM Journal on Optimization 10(4), 1196–1211. https://doi.org/10.1137/S1052623497330963

        Grippo, L., Lampariello, F. & Lucidi, S. (1986). A nonmonotone line search technique for Newton's method.
        SIAM Journal on Numerical Analysis 23(4), 707–716. https://doi.org/10.1137/0723046

        Bertsekas, D. P. (1982). Projected Newton methods for optimization problems with simple constraints.
        SIAM Journal on Control and Optimization 20(2), 221–246. https://doi.org/10.1137/0320018

    Example:
        >>> import numpy as np
        >>> from keras_mf.factorization import SymNMF
        >>> blocks = np.kron(np.eye(2), np.ones((3, 3)))      # two cliques of three nodes
        >>> SymNMF(n_components=2, random_state=0).fit_predict(blocks).tolist()
        [0, 0, 0, 1, 1, 1]
        >>> SymNMF(n_components=2, n_init=5, random_state=0)
        SymNMF(n_components=2, n_init=5, random_state=0)
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "solver": [StrOptions({"auto", "bb", "pg"})],
        "step": [None, StrOptions({"line_search", "armijo"}), Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
        "dtype": [StrOptions({"float32", "float64"}), np.dtype, tf.dtypes.DType],
        "verbose": ["verbose"],
        "logdir": [None, str, os.PathLike],
    }

    def __init__(
        self,
        n_components=8,
        *,
        solver="auto",
        step=None,
        max_iter=1000,
        tol=1e-3,
        n_init=1,
        random_state=None,
        dtype="float32",
        verbose=False,
        logdir=None,
    ):
        self.n_components = n_components
        self.solver = solver
        self.step = step
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose
        self.logdir = logdir

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X is an (n_samples, n_samples) nonnegative affinity, as for SpectralClustering(affinity="precomputed"):
        # `pairwise` makes scikit-learn's checks pass X·Xᵀ of their data (and test a non-square X is refused),
        # `positive_only` makes that data nonnegative (and tests negative X is refused), `sparse` says scipy's
        # sparse matrices are taken (a tf.SparseTensor is too).
        tags.input_tags.pairwise = True
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y=None, *, init=None):
        """Factorizes the symmetric nonnegative affinity `X (n, n)`: numpy, scipy sparse or `tf.SparseTensor`.

        Args:
            X: the affinity (similarity) matrix `(n, n)`, any real dtype (cast to `dtype`), symmetric, nonnegative,
                with at least one nonzero entry. Isolated nodes (zero rows) are allowed, with a UserWarning: their
                rows of H are 0 and their label 0.
            y: ignored (scikit-learn's signature, so that a `Pipeline` fitted with labels passes them here).
            init: optional starting H `(n, k)` (or `(n,)` for k = 1), finite, nonnegative and not all zero (then
                `n_init` is 1), e.g. a trusted partition's one-hot labels. Except with a fixed float `step` (the
                textbook iteration from exactly this H⁰), it is first rescaled by the closed-form best scalar,
                α² = ⟨A, HHᵀ⟩ / ‖HHᵀ‖²_F (so that α²HHᵀ best fits A), because `tol` is relative to the start's
                projected gradient, which a badly scaled start inflates. Random starts are rescaled the same way.

        Returns:
            self, fitted (see the class's attributes).

        Raises:
            ValueError: see the class docstring (parameters, X, `init`).
            TypeError: X holding text, or a parameter of the wrong type.

        Example:
            >>> import numpy as np
            >>> from keras_mf.factorization import SymNMF
            >>> a = np.array([[2.0, 1.0], [1.0, 2.0]])
            >>> model = SymNMF(n_components=1, dtype="float64", random_state=0).fit(a)
            >>> model.components_.round(4).ravel().tolist()      # the best H is sqrt(1.5)·[1, 1]ᵀ
            [1.2247, 1.2247]
        """
        params = self._validated_params()
        a = self._affinity(X, params["dtype"], reset=True)
        n = int(a.shape[0])
        k = check_int("n_components", self.n_components, 1, n)
        h = self._initial_h(a, n, k, init, params, _isolated_nodes(a))
        finished, histories = fit_restarts(a, h, params, self.verbose)
        finals = np.array([finished[r][1] for r in range(len(finished))])
        best = int(np.argmin(finals))
        self.components_, self.objective_, self.n_iter_, self.converged_, _ = finished[best]
        self.objectives_ = finals
        self.history_ = np.asarray(histories[best][: self.n_iter_ + 1])
        self.labels_ = np.argmax(self.components_, axis=1)
        unconverged = sum(not finished[r][3] for r in range(len(finished)))
        if unconverged:
            warnings.warn(
                f"{unconverged} of {len(finished)} SymNMF restarts stopped at max_iter={params['max_iter']} before "
                f"meeting tol={params['tol']}: increase `max_iter` or `tol`.",
                ConvergenceWarning,
                stacklevel=2,
            )
        if self.logdir:
            write_series(self.logdir, "symnmf/objective", self.history_)
        return self

    def objective(self, X, h=None):
        """f(H) = ½‖A − HHᵀ‖²_F of the affinity `X (n, n)`, for a given H `(n, k)` or the fitted one.

        Args:
            X: the affinity `(n, n)`, as for `fit` (numpy, scipy sparse or `tf.SparseTensor`), with the `n` the
                model was fitted on.
            h: H `(n, k)`, nonnegative, or None for the fitted `components_`.

        Returns:
            The objective as a Python float, computed in the model's `dtype`.

        Raises:
            keras_mf.exceptions.NotFittedError: `h` is None and the model is not fitted.
            ValueError: X fails `fit`'s checks or has a different n.

        Example:
            >>> import numpy as np
            >>> from keras_mf.factorization import SymNMF
            >>> a = np.array([[2.0, 1.0], [1.0, 2.0]])
            >>> SymNMF(n_components=1, dtype="float64").objective(a, np.ones((2, 1)))   # ½(1 + 0 + 0 + 1)
            1.0
        """
        if h is None:
            h = self._fitted("components_")
        dtype = self._validated_params()["dtype"]
        a = self._affinity(X, dtype, reset=False)
        h = tf.cast(tf.convert_to_tensor(h), dtype)[None]
        return float(objective_value(h, matmul(a, h), squared_norm(a))[0])

    def _validated_params(self):
        """The parameters after `_parameter_constraints` and the rules that join two of them, as the solver
        takes them."""
        for name, constraints in self._parameter_constraints.items():
            _check_constraints(name, getattr(self, name), constraints)
        solver = self.solver
        if solver == "auto":
            solver = "pg" if self.step is not None else "bb"
        if solver == "bb" and self.step is not None:
            raise invalid_value("step", "None with solver='bb' (a step rule is for solver='pg')", self.step)
        step = "line_search" if self.step is None else self.step
        mode = "bb" if solver == "bb" else (step if isinstance(step, str) else "fixed")
        dtype = tf.as_dtype(self.dtype)
        if dtype not in (tf.float32, tf.float64):  # a numpy or TensorFlow dtype object of another kind
            raise _invalid_parameter("dtype", "one of ['float32', 'float64']", self.dtype)
        return {
            "mode": mode,
            "alpha": float(step) if mode == "fixed" else 1.0,
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "n_init": int(self.n_init),
            "dtype": dtype,
        }

    def _affinity(self, X, dtype, reset):
        """X as a dense tensor or a `tf.SparseTensor` of `dtype`, after scikit-learn's checks (`validate_data`:
        numbers, NaN/inf, empty; `check_non_negative`) and ours (square, symmetric); `reset` sets
        `n_features_in_`."""
        if isinstance(X, tf.SparseTensor):
            a = check_similarity(X, "X", dtype)
            if reset:
                self.n_features_in_ = int(a.dense_shape[1])
            return a
        if not scipy.sparse.issparse(X) and np.asarray(X).dtype.kind in "USV":
            check_real_dtype("X", X)  # text is a TypeError, as everywhere in keras_mf
        X = validate_data(self, X, accept_sparse=True, dtype=(np.float64, np.float32), reset=reset)
        check_non_negative(X, f"{type(self).__name__}.fit")
        if scipy.sparse.issparse(X):
            coo = X.tocoo(copy=True)
            coo.sum_duplicates()  # a COO matrix may list an entry twice: scipy adds them, a tf.SparseTensor would not
            X = tf.SparseTensor(np.stack([coo.row, coo.col], axis=1).astype(np.int64), coo.data, coo.shape)
        return check_similarity(X, "X", dtype)

    def _fitted(self, attribute):
        if not hasattr(self, "components_"):
            raise NotFittedError(f"This SymNMF instance is not fitted yet: call `fit(X)` before using `{attribute}`.")
        return getattr(self, attribute)

    def _initial_h(self, a, n, k, init, params, isolated):
        dtype = params["dtype"].as_numpy_dtype
        if init is not None:
            h = np.asarray(init, dtype=dtype)
            if h.ndim == 1:
                h = h[:, None]
            if h.shape != (n, k):
                raise invalid_value("init", f"an array of shape ({n}, {k})", f"array of shape {h.shape}")
            if not np.all(np.isfinite(h)) or np.any(h < 0):
                raise invalid_value("init", "finite nonnegative values", "negative or non-finite entries")
            if not np.any(h):
                raise invalid_value("init", "a nonzero H (a zero H is a stationary point)", "all zeros")
            h = h[None]
        else:
            # Kuang, Ding & Park (2012): entries uniform in [0, 2·sqrt(mean(A)/k)] put HHᵀ on A's scale.
            scale = 2.0 * np.sqrt(float(mean_entry(a)) / k)
            h = (scale * _uniform(self.random_state, (params["n_init"], n, k))).astype(dtype)
        # An isolated node's row of the gradient is 2·h_i·HᵀH: from 0 it stays 0, so its row never moves.
        h[:, isolated] = 0.0
        h = tf.constant(h)
        if params["mode"] == "fixed" and init is not None:
            return h
        return rescaled(a, h)


def _check_constraints(name, value, constraints):
    """Raises scikit-learn's InvalidParameterError, in Keras' words, unless `value` meets one of `constraints`
    (scikit-learn's `_parameter_constraints` notation). A bool is no number here: Interval takes True for 1."""
    constraints = [make_constraint(constraint) for constraint in constraints]
    for constraint in constraints:
        if isinstance(value, (bool, np.bool_)) and isinstance(constraint, Interval):
            continue
        if constraint.is_satisfied_by(value):
            return
    shown = [str(constraint) for constraint in constraints if not constraint.hidden]
    raise _invalid_parameter(name, shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}", value)


def _invalid_parameter(name, expected, value):
    """`invalid_value`'s message as scikit-learn's InvalidParameterError (a ValueError and a TypeError)."""
    return InvalidParameterError(str(invalid_value(name, expected, value)))


def _uniform(random_state, shape):
    """Uniform draws in [0, 1): a seed or None through numpy's default Generator, a Generator or (scikit-learn's
    convention) a RandomState from itself."""
    if isinstance(random_state, np.random.RandomState):
        return random_state.random_sample(shape)
    if not isinstance(random_state, np.random.Generator):
        random_state = np.random.default_rng(random_state)
    return random_state.random(shape)


def _isolated_nodes(a):
    """Indices of the zero rows of `a`; refuses a graph with no edge at all, warns about isolated nodes."""
    if isinstance(a, tf.SparseTensor):
        degree = tf.math.unsorted_segment_sum(tf.abs(a.values), a.indices[:, 0], a.dense_shape[0]).numpy()
    else:
        degree = tf.reduce_sum(tf.abs(a), axis=1).numpy()
    isolated = np.flatnonzero(degree == 0)
    if isolated.size == degree.size:
        raise ValueError(
            "Received an invalid value for `X`, expected a graph with at least one edge (a nonzero entry). "
            f"Received: an all-zero matrix of shape {(degree.size, degree.size)}"
        )
    if isolated.size:
        warnings.warn(
            f"`X` has {isolated.size} isolated nodes (zero rows), the first at index {int(isolated[0])}: "
            "their rows of H are 0 and their label 0.",
            UserWarning,
            stacklevel=3,
        )
    return isolated
