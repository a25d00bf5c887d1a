"""Symmetric NMF, A ≈ HHᵀ with H ≥ 0: projected Barzilai–Borwein steps (default) or projected gradient descent.

TensorFlow (`tf.function`, `tf.sparse`), not a Keras layer; a trainer in scikit-learn's idiom.
"""

import functools
import inspect
import numbers
import os
import warnings

import keras
import numpy as np
import tensorflow as tf

from keras_mf._validation import check_choice
from keras_mf._validation import check_int
from keras_mf._validation import check_positive_float
from keras_mf._validation import invalid_value
from keras_mf._validation_tf import check_similarity
from keras_mf.exceptions import ConvergenceWarning
from keras_mf.exceptions import NotFittedError
from keras_mf.training.summaries import write_series

_SIGMA = 0.01  # Armijo's sufficient-decrease constant
_SIGMA_BB = 1e-4  # the non-monotone search's, against the largest of the last `_MEMORY` objectives
_MEMORY = 10  # objectives the non-monotone search may exceed the latest of (Grippo, Lampariello & Lucidi)
_BETA = 0.5  # step shrink factor
_STALLS = 3  # BB iterations in a row without decrease after which a restart counts as converged
_MAX_TRIALS = 30  # backtracking trials per iteration before a restart's step is considered exhausted
_ACTIVE = 1e-3  # relative size below which an entry pushed toward 0 counts as at the bound
# Line search's trial step: doubled when the whole projected step was taken, halved (_BETA) when less than a
# quarter of it was, so that α tracks the curvature without a backtracking loop.
_GROW = 2.0
_SHORT_STEP = 0.25
# eigvals of the companion matrix returns a real root with an imaginary part of round-off size (float32: ~1e-7
# relative); 1e-6 accepts those and rejects true complex pairs, whose imaginary parts are O(1).
_REAL_ROOT_TOL = 1e-6


class SymNMF:
    """Symmetric nonnegative matrix factorization: minimise f(H) = ½‖A − HHᵀ‖²_F subject to H ≥ 0.

    ∇f = 2(HHᵀH − AH). Solvers (every one decreases this f, from the same starts):
      - "bb" (what "auto" picks unless `step` is given): projected Barzilai–Borwein steps (Birgin, Martínez &
        Raydan's spectral projected gradient): the trial P[H − α∇f] with Barzilai–Borwein's α = ⟨s, s⟩/⟨s, y⟩
        (s, y the last change of H and of ∇f) is taken when f(trial) is below the largest of the last 10
        objectives by σ⟨∇f, trial − H⟩ (Grippo–Lampariello–Lucidi's non-monotone test); otherwise H moves to
        the exact minimiser of f along trial − H, which needs no further sparse product (see "line_search").
        The objective may rise for a few iterations, and overall falls in fewer iterations than "pg" (see
        `benchmarks/symnmf.py`), at one sparse product A·H per iteration.
      - "pg": projected gradient descent, H ← max(0, H − η∇f), with the step rule `step`:
        "line_search" (default): along the feasible direction D = P[H − α∇f] − H, f(H + tD), t ∈ [0, 1], is
        a quartic whose coefficients need a single product A·D, so the exact minimiser costs one sparse
        matmul per iteration; α adapts: doubled when the best t is 1, shrunk when it is small.
        "armijo": backtracking on α until f decreases by at least σ⟨∇f, H_new − H⟩ (one matmul per trial).
        A float η: the tutorial's fixed step.
        Every rule except the fixed step decreases f monotonically.
    Several random restarts run side by side (A multiplies all restarts' H together) and the lowest objective
    wins. Rows of H are soft cluster memberships: `labels_` is the row-wise argmax.

    Parameters are stored as given and validated in `fit`, as scikit-learn's estimators do.

    Args:
        n_components: k, the number of columns of H (clusters), in [1, n].
        solver: "auto" (default: "pg" when `step` is given, else "bb"), "bb" or "pg".
        step: for solver "pg": "line_search" (None means this), "armijo" or a positive float η.
        max_iter: iteration cap per restart; a restart that reaches it without meeting `tol` raises a
            `keras_mf.exceptions.ConvergenceWarning`.
        tol: stop a restart when the projected gradient's norm falls below `tol` times its norm at the
            (rescaled) start, tested every 10 iterations; "bb" also stops when f's spread over the last 10
            iterations is below tol² times its decrease since the start (in float32 its projected gradient
            can stall near 1e-3 of the start's). A restart whose step finds no decrease is converged too.
            With several restarts, "bb" first races them to a looser stop (spread below tol²·f) and then
            takes the winner alone on to the full one.
        n_init: number of random restarts (1 when `fit` is given `init`).
        random_state: int, None or `numpy.random.Generator`: draws the random starts.
        dtype: "float32" (default) or "float64". The line search measures each step's decrease directly,
            so float32 converges as far as float64; Armijo compares two objective values of similar size and
            in float32 can stall before `tol` (then it warns).
        verbose: show a progress bar.
        logdir: if given, the best restart's objective per iteration is written there for TensorBoard.

    Attributes (after `fit`): `components_` H `(n, k)`, `labels_` `(n,)`, `objective_` f(H),
    `history_` objective per iteration of the best restart, `n_iter_` its iteration count, `converged_`
    whether it met `tol` (False when it stopped at `max_iter`), `objectives_` the final objective of every
    restart, `n_features_in_` n.

    Example:

    >>> model = SymNMF(n_components=10, n_init=5, random_state=0)
    >>> labels = model.fit_predict(graph)            # graph: (n, n) dense or tf.SparseTensor
    """

    def __init__(
        self,
        n_components,
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

    def fit(self, a, init=None):
        """Factorizes the symmetric nonnegative `a (n, n)`, dense or `tf.SparseTensor`.

        Args:
            a: the similarity matrix: at least one nonzero entry. Isolated nodes (zero rows) are allowed,
                with a warning: their rows of H are 0 and their label 0.
            init: optional starting H `(n, k)` (then `n_init` is 1), e.g. a trusted partition's one-hot
                labels. Except with a fixed float `step` (the textbook iteration from exactly this H⁰), it is
                first rescaled by the closed-form best scalar, α² = ⟨A, HHᵀ⟩ / ‖HHᵀ‖²_F (so that α²HHᵀ
                best fits A), because `tol` is relative to the start's projected gradient, which a badly
                scaled start inflates. Random starts are rescaled the same way.

        Returns:
            self.
        """
        params = self._validated_params()
        dtype = params["dtype"]
        a = check_similarity(a, "a", dtype)
        n = int(a.shape[0])
        k = check_int("n_components", self.n_components, 1, n)
        isolated = _isolated_nodes(a)
        h = self._initial_h(a, n, k, init, params, isolated)
        squared_norm_a = _squared_norm(a)
        mode = params["mode"]
        state = _initial_state(a, h, squared_norm_a, mode, params["alpha"])
        restarts = int(h.shape[0])
        histories = [[f] for f in state["f"].numpy()]
        progbar = keras.utils.Progbar(params["max_iter"], unit_name="iteration") if self.verbose else None
        # "bb" with several restarts: they race with a looser stop (f's spread below tol²·f), which tells the
        # lowest objective when restarts end further apart than the full stop moves f, then the winner alone
        # goes on to the full stop, instead of every restart running the long tail that cannot win.
        race = mode == "bb" and restarts > 1
        state["loose"] = tf.fill((restarts,), race)
        state["strict"] = tf.zeros((restarts,), tf.bool)
        finished = _run(a, state, squared_norm_a, mode, params, list(range(restarts)), histories, progbar)
        if race:
            best = min(finished, key=lambda r: finished[r][1])
            _, _, iterations, converged, last = finished[best]
            if converged and not bool(last["strict"][0]):
                del histories[best][iterations + 1 :]
                last["loose"] = tf.zeros((1,), tf.bool)
                last["converged"] = tf.zeros((1,), tf.bool)
                polished = _run(a, last, squared_norm_a, mode, params, [best], histories, progbar, iterations)
                finished[best] = polished[best]
        finals = np.array([finished[r][1] for r in range(restarts)])
        best = int(np.argmin(finals))
        self.components_, self.objective_, self.n_iter_, self.converged_, _ = finished[best]
        self.objectives_ = finals
        self.history_ = np.asarray(histories[best][: self.n_iter_ + 1])
        self.labels_ = np.argmax(self.components_, axis=1)
        self.n_features_in_ = n
        unconverged = sum(not finished[r][3] for r in range(restarts))
        if unconverged:
            warnings.warn(
                f"{unconverged} of {restarts} SymNMF restarts stopped at max_iter={params['max_iter']} before "
                f"meeting tol={params['tol']}: increase `max_iter` or `tol`.",
                ConvergenceWarning,
                stacklevel=2,
            )
        if self.logdir:
            self._log_history()
        return self

    def fit_predict(self, a, init=None):
        """Fits and returns `labels_`, the row-wise argmax of H."""
        return self.fit(a, init).labels_

    def objective(self, a, h=None):
        """f(H) = ½‖A − HHᵀ‖²_F, for a given H or the fitted one."""
        if h is None:
            h = self._fitted("components_")
        dtype = self._validated_params()["dtype"]
        a = check_similarity(a, "a", dtype)
        h = tf.cast(tf.convert_to_tensor(h), dtype)[None]
        return float(_objective(h, _matmul(a, h), _squared_norm(a))[0])

    def get_params(self, deep=True):
        """The constructor's parameters as a dict (`deep` is accepted for scikit-learn compatibility)."""
        return {name: getattr(self, name) for name in _param_names()}

    def set_params(self, **params):
        """Sets constructor parameters (validated at the next `fit`); returns self."""
        names = _param_names()
        for name, value in params.items():
            if name not in names:
                raise invalid_value("params", f"parameters among {names}", name)
            setattr(self, name, value)
        return self

    def _validated_params(self):
        check_int("n_components", self.n_components, 1)
        solver = check_choice("solver", self.solver, ("auto", "bb", "pg"))
        if solver == "auto":
            solver = "pg" if self.step is not None else "bb"
        if solver == "bb" and self.step is not None:
            raise invalid_value("step", "None with solver='bb' (a step rule is for solver='pg')", self.step)
        step = "line_search" if self.step is None else self.step
        if isinstance(step, str):
            check_choice("step", step, ("line_search", "armijo"))
        else:
            step = check_positive_float("step", step)
        mode = "bb" if solver == "bb" else (step if isinstance(step, str) else "fixed")
        try:
            dtype = tf.as_dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (tf.float32, tf.float64):
            raise invalid_value("dtype", "one of ['float32', 'float64']", self.dtype)
        random_state = self.random_state
        if not (
            random_state is None
            or isinstance(random_state, np.random.Generator)
            or (isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0)
        ):
            raise invalid_value("random_state", "a nonnegative int, None or a numpy.random.Generator", random_state)
        if self.logdir is not None and not isinstance(self.logdir, (str, os.PathLike)):
            raise invalid_value("logdir", "None or a path", self.logdir)
        return {
            "mode": mode,
            "alpha": step if mode == "fixed" else 1.0,
            "max_iter": check_int("max_iter", self.max_iter, 1),
            "tol": check_positive_float("tol", self.tol),
            "n_init": check_int("n_init", self.n_init, 1),
            "dtype": dtype,
        }

    def _fitted(self, attribute):
        if not hasattr(self, "components_"):
            raise NotFittedError(f"This SymNMF instance is not fitted yet: call `fit(a)` before using `{attribute}`.")
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
            scale = 2.0 * np.sqrt(float(_mean(a)) / k)
            h = (scale * _generator(self.random_state).random((params["n_init"], n, k))).astype(dtype)
        # An isolated node's row of the gradient is 2·h_i·HᵀH: from 0 it stays 0, so its row never moves.
        h[:, isolated] = 0.0
        h = tf.constant(h)
        if params["mode"] == "fixed" and init is not None:
            return h
        return _rescaled(a, h)

    def _log_history(self):
        write_series(self.logdir, "symnmf/objective", self.history_)


def _run(a, state, squared_norm_a, mode, params, active, histories, progbar, done=0):
    """Iterates the restarts `active` (the rows of `state`) until each converges or reaches `max_iter`, in
    calls of 10 iterations; extends `histories` and returns {restart: (H, f, iterations, converged, state)}."""
    tol = tf.constant(params["tol"], params["dtype"])
    finished = {}
    while done < params["max_iter"] and active:
        steps = min(10, params["max_iter"] - done)
        state, objectives = _compiled(a, state, mode)(a, state, squared_norm_a, tf.constant(steps), tol)
        objectives = objectives.numpy()
        for column, restart in enumerate(active):
            histories[restart].extend(objectives[:, column])
        done += steps
        if progbar is not None:
            progbar.update(done, [("objective", float(np.min(objectives[-1])))])
        converged = state["converged"].numpy()
        stopped = converged | (done >= params["max_iter"])
        if stopped.any():
            # Finished restarts leave the batch: the shared matmul then costs only what is still running.
            for column in np.flatnonzero(stopped):
                finished[active[column]] = (
                    state["h"][column].numpy(),
                    float(state["f"][column]),
                    int(state["iterations"][column]),
                    bool(converged[column]),
                    {key: value[column : column + 1] for key, value in state.items()},
                )
            keep = np.flatnonzero(~stopped)
            state = {key: tf.gather(value, keep) for key, value in state.items()}
            active = [active[column] for column in keep]
    return finished


def _param_names():
    return [name for name in inspect.signature(SymNMF.__init__).parameters if name != "self"]


def _generator(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _isolated_nodes(a):
    """Indices of the zero rows of `a`; refuses a graph with no edge at all, warns about isolated nodes."""
    if isinstance(a, tf.SparseTensor):
        degree = tf.math.unsorted_segment_sum(tf.abs(a.values), a.indices[:, 0], a.dense_shape[0]).numpy()
    else:
        degree = tf.reduce_sum(tf.abs(a), axis=1).numpy()
    isolated = np.flatnonzero(degree == 0)
    if isolated.size == degree.size:
        raise ValueError(
            "Received an invalid value for `a`, expected a graph with at least one edge (a nonzero entry). "
            f"Received: an all-zero matrix of shape {(degree.size, degree.size)}"
        )
    if isolated.size:
        warnings.warn(
            f"`a` has {isolated.size} isolated nodes (zero rows), the first at index {int(isolated[0])}: "
            "their rows of H are 0 and their label 0.",
            UserWarning,
            stacklevel=3,
        )
    return isolated


def _rescaled(a, h):
    """α·H with α² = ⟨A, HHᵀ⟩ / ‖HHᵀ‖²_F = tr(HᵀAH) / ‖HᵀH‖²_F per restart, the scalar for which α²HHᵀ best
    fits A; a start with ⟨A, HHᵀ⟩ = 0 is kept as it is. The two sums are taken in float64 whatever the solver's
    dtype: in float32 they lose about 1e-5 of the start's objective, which a start from a partition is then off by."""
    h64 = tf.cast(h, tf.float64)
    cross = tf.reduce_sum(h64 * tf.cast(_matmul(a, h), tf.float64), axis=[1, 2])
    gram = tf.linalg.matmul(h64, h64, transpose_a=True)
    alpha = tf.sqrt(tf.math.divide_no_nan(cross, tf.reduce_sum(tf.square(gram), axis=[1, 2])))
    return tf.cast(h64 * tf.where(cross > 0, alpha, tf.ones_like(alpha))[:, None, None], h.dtype)


def _mean(a):
    if isinstance(a, tf.SparseTensor):
        return tf.reduce_sum(a.values) / float(a.shape[0] * a.shape[1])
    return tf.reduce_mean(a)


def _squared_norm(a):
    values = a.values if isinstance(a, tf.SparseTensor) else a
    return tf.reduce_sum(tf.square(values))


# TF's CPU kernel for sparse × dense slows down several-fold once the dense operand is 32 or more columns
# wide, so restarts side by side are multiplied in chunks of at most this many columns.
_SPARSE_COLUMNS = 24


def _matmul(a, h):
    """A @ H for every restart at once: H `(r, n, k)` is laid side by side as `(n, r·k)`, in column chunks of
    at most `_SPARSE_COLUMNS` when A is sparse."""
    r, n, k = tf.unstack(tf.shape(h))
    if not isinstance(a, tf.SparseTensor):
        return _restarts(tf.linalg.matmul(a, _side_by_side(h)), r, n, k)
    group = tf.maximum(_SPARSE_COLUMNS // k, 1)
    chunks = tf.TensorArray(h.dtype, size=(r + group - 1) // group, infer_shape=False)
    for i in tf.range(chunks.size()):
        part = h[i * group : (i + 1) * group]
        chunks = chunks.write(i, _restarts(tf.sparse.sparse_dense_matmul(a, _side_by_side(part)), -1, n, k))
    return tf.ensure_shape(chunks.concat(), h.shape)


def _side_by_side(h):
    r, n, k = tf.unstack(tf.shape(h))
    return tf.reshape(tf.transpose(h, [1, 0, 2]), (n, r * k))


def _restarts(wide, r, n, k):
    return tf.transpose(tf.reshape(wide, (n, r, k)), [1, 0, 2])


def _objective(h, ah, squared_norm_a, gram=None):
    """½‖A − HHᵀ‖² = ½(‖A‖² − 2 tr(HᵀAH) + ‖HᵀH‖²), per restart, without forming the n×n HHᵀ."""
    if gram is None:
        gram = tf.linalg.matmul(h, h, transpose_a=True)
    cross = tf.reduce_sum(h * ah, axis=[1, 2])
    return 0.5 * (squared_norm_a - 2.0 * cross + tf.reduce_sum(tf.square(gram), axis=[1, 2]))


def _gradient(h, ah, gram=None):
    """∇f = 2(H·HᵀH − AH); `gram` is HᵀH when the caller has it."""
    if gram is None:
        gram = tf.linalg.matmul(h, h, transpose_a=True)
    return 2.0 * (tf.linalg.matmul(h, gram) - ah)


def _projected_gradient_norm(h, grad):
    """‖P∇f‖ per restart, with Bertsekas' ε-active set: an entry below `_ACTIVE` × max(H) whose gradient
    is positive counts as at its bound. The line search moves along H + tD with t < 1, so entries headed
    for 0 only shrink geometrically; counting their gradient keeps ‖P∇f‖ at a few percent of its start, and
    `tol` is never met."""
    bound = h <= _ACTIVE * tf.reduce_max(h, axis=[1, 2], keepdims=True)
    projected = tf.where(bound & (grad > 0), tf.zeros_like(grad), grad)
    return tf.norm(tf.reshape(projected, (tf.shape(h)[0], -1)), axis=1)


def _initial_state(a, h, squared_norm_a, mode, alpha):
    ah = _matmul(a, h)
    grad = _gradient(h, ah)
    restarts = tf.shape(h)[0]
    f = _objective(h, ah, squared_norm_a)
    if mode == "bb":
        # The first step moves the largest entry of H by at most its own size; BB sets the later ones.
        alpha = tf.reduce_max(h, axis=[1, 2]) / tf.maximum(tf.reduce_max(tf.abs(grad), axis=[1, 2]), 1e-30)
    else:
        alpha = tf.fill((restarts,), tf.cast(alpha, h.dtype))
    return {
        "h": h,
        "ah": ah,
        "f": f,
        "alpha": alpha,
        "recent": tf.tile(f[:, None], [1, _MEMORY]),
        "pg0": _projected_gradient_norm(h, grad),
        "f0": f,
        "converged": tf.zeros((restarts,), tf.bool),
        "iterations": tf.zeros((restarts,), tf.int32),
        "stalls": tf.zeros((restarts,), tf.int32),
    }


def _compiled(a, state, mode):
    """`_iterate` for this solver mode, kind of graph and dtype as a `tf.function` (see `_solver`)."""
    layout = tuple((name, value.shape.rank, value.dtype) for name, value in state.items())
    return _solver(mode, isinstance(a, tf.SparseTensor), state["h"].dtype, layout)


@functools.cache
def _solver(mode, sparse, dtype, layout):
    """One `tf.function` per (mode, sparse, dtype), traced once per process: its shapes are left open, as restarts
    leave the batch when they converge and graphs differ in size (a trace per batch size cost a second or more
    per fit)."""
    spec = tf.SparseTensorSpec([None, None], dtype) if sparse else tf.TensorSpec([None, None], dtype)
    state_spec = {name: tf.TensorSpec([None] * rank, kind) for name, rank, kind in layout}
    scalar = tf.TensorSpec([], dtype)

    def run(a, state, squared_norm_a, steps, tol):
        return _iterate(a, state, squared_norm_a, steps, mode, tol)

    return tf.function(run, input_signature=[spec, state_spec, scalar, tf.TensorSpec([], tf.int32), scalar])


def _iterate(a, state, squared_norm_a, steps, mode, tol):
    """Runs `steps` iterations of the solver `mode` on all restarts; returns the state and f per step."""
    h, ah, f, alpha, recent = state["h"], state["ah"], state["f"], state["alpha"], state["recent"]
    converged, iterations, stalls = state["converged"], state["iterations"], state["stalls"]
    objectives = tf.TensorArray(h.dtype, size=steps)
    active = tf.logical_not(converged)
    gram = tf.linalg.matmul(h, h, transpose_a=True)
    grad = _gradient(h, ah, gram)
    moved, d, d_grad = tf.ones_like(f), tf.zeros_like(h), tf.zeros_like(f)  # BB: the step just taken
    for i in tf.range(steps):
        if mode == "fixed":
            h, ah, f, gram, accept = _fixed_step(a, h, ah, f, grad, alpha, squared_norm_a, active)
        elif mode == "line_search":
            # A rejected restart takes t = 0, so its H and AH are unchanged.
            h, ah, f, alpha, accept = _line_search(a, h, ah, f, grad, gram, alpha, active)
            gram = tf.linalg.matmul(h, h, transpose_a=True)
        elif mode == "armijo":
            h, ah, f, gram, alpha, accept = _backtrack(
                a, h, ah, f, f, grad, _GROW * alpha, squared_norm_a, active, _SIGMA
            )
        else:
            h, ah, f, gram, moved, d, d_grad = _bb_step(
                a, h, ah, f, gram, grad, alpha, tf.reduce_max(recent, axis=1), squared_norm_a, active
            )
            # No decrease along D (t = 0) after a wild BB step is no proof of stationarity: the restart
            # retries a quarter of the step, and stops (at the float32 floor of f) after `_STALLS` in a row.
            stalls = tf.where(moved > 0, tf.zeros_like(stalls), stalls + 1)
            accept = active & (stalls < _STALLS)
        grad = _gradient(h, ah, gram)
        if mode == "bb":
            alpha = tf.where(moved > 0, _barzilai_borwein(d, moved, d_grad, grad, alpha), alpha * _BETA**2)
            recent = tf.where(accept[:, None], tf.concat([recent[:, 1:], f[:, None]], 1), recent)
        # A restart whose step search found no decrease is at a (numerical) stationary point.
        converged = converged | (active & tf.logical_not(accept))
        active = tf.logical_not(converged)
        iterations += tf.cast(accept, tf.int32)
        objectives = objectives.write(i, f)
    converged, strict = _stopping_test(state, h, grad, f, recent, converged, mode, tol)
    new_state = dict(state, h=h, ah=ah, f=f, alpha=alpha, recent=recent, strict=strict)
    new_state.update(converged=converged, iterations=iterations, stalls=stalls)
    return new_state, objectives.stack()


def _fixed_step(a, h, ah, f, grad, alpha, squared_norm_a, active):
    """The tutorial's step H ← max(0, H − η∇f) for the active restarts; returns `(H, AH, f, HᵀH, accepted)`."""
    h_new = tf.nn.relu(h - alpha[:, None, None] * grad)
    ah_new = _matmul(a, h_new)
    f_new = _objective(h_new, ah_new, squared_norm_a)
    mask = active[:, None, None]
    h, ah, f = tf.where(mask, h_new, h), tf.where(mask, ah_new, ah), tf.where(active, f_new, f)
    return h, ah, f, tf.linalg.matmul(h, h, transpose_a=True), active


def _stopping_test(state, h, grad, f, recent, converged, mode, tol):
    """`(converged, strict)` after a call: the projected gradient's test and, for "bb", the spread of f; `strict`
    says the full stop was met, whatever the looser one of a restart race says. Tested once per call, not per
    iteration: up to `steps` − 1 extra iterations cost less than the test."""
    converged = converged | (_projected_gradient_norm(h, grad) <= tol * state["pg0"])
    if mode != "bb":
        return converged, converged
    # A non-monotone search can wander at the float32 floor of f, where ‖P∇f‖ stalls near 1e-3 of its start:
    # it also stops when f's spread over the last `_MEMORY` iterations is below tol² times the decrease since the
    # start (a threshold relative to f itself stops too early on large graphs).
    spread = tf.reduce_max(recent, axis=1) - tf.reduce_min(recent, axis=1)
    strict = converged | (spread <= tol * tol * (state["f0"] - f))
    return strict | (state["loose"] & (spread <= tol * tol * tf.abs(f))), strict


def _barzilai_borwein(d, t, d_grad_old, grad, alpha):
    """Barzilai–Borwein's step ⟨s, s⟩/⟨s, y⟩ for s = tD (the move just made) and y = ∇f_new − ∇f_old, from
    ⟨s, s⟩ = t²⟨D, D⟩ and ⟨s, y⟩ = t(⟨D, ∇f_new⟩ − ⟨D, ∇f_old⟩): two inner products, and no pass to form s
    or y (each pass over H costs about a fifth of an iteration at n = 10,000). Where ⟨s, y⟩ ≤ 0 (no positive
    curvature along s) α stays."""
    sy = tf.reduce_sum(d * grad, axis=[1, 2]) - d_grad_old
    bb = t * tf.math.divide_no_nan(tf.reduce_sum(tf.square(d), axis=[1, 2]), sy)
    return tf.where(sy > 0, bb, alpha)


def _backtrack(a, h, ah, f, reference, grad, alpha, squared_norm_a, active, sigma):
    """Halves α from the given one until f(P[H − α∇f]) ≤ reference + σ⟨∇f, P[H − α∇f] − H⟩ (Armijo along
    the projection arc; `reference` is f itself for a monotone search). Restarts that find no such α keep H."""
    pending = active
    h_new, ah_new, f_new, gram_new = h, ah, f, tf.linalg.matmul(h, h, transpose_a=True)
    for _ in tf.range(_MAX_TRIALS):
        if not tf.reduce_any(pending):
            break
        trial = tf.nn.relu(h - alpha[:, None, None] * grad)
        ah_trial = _matmul(a, trial)
        gram = tf.linalg.matmul(trial, trial, transpose_a=True)
        f_trial = _objective(trial, ah_trial, squared_norm_a, gram)
        decrease = tf.reduce_sum(grad * (trial - h), axis=[1, 2])
        ok = pending & (f_trial - reference <= sigma * decrease)
        mask = ok[:, None, None]
        h_new = tf.where(mask, trial, h_new)
        ah_new = tf.where(mask, ah_trial, ah_new)
        gram_new = tf.where(mask, gram, gram_new)
        f_new = tf.where(ok, f_trial, f_new)
        pending = pending & tf.logical_not(ok)
        alpha = tf.where(pending, alpha * _BETA, alpha)
    accept = active & tf.logical_not(pending)
    return h_new, ah_new, f_new, gram_new, alpha, accept


def _line_search(a, h, ah, f, grad, m0, alpha, active):
    """Exact minimisation of f along the feasible direction D = P[H − α∇f] − H, t ∈ [0, 1] (see
    `_exact_step`); α adapts for the next iteration."""
    d = tf.nn.relu(h - alpha[:, None, None] * grad) - h
    ad = _matmul(a, d)
    t, delta = _exact_step(h, ah, d, ad, m0)
    accept = active & (delta < 0)
    t = tf.where(accept, t, tf.zeros_like(t))
    h_new = tf.nn.relu(h + t[:, None, None] * d)  # relu only clears round-off: H + tD ≥ 0 for t ∈ [0, 1]
    ah_new = ah + t[:, None, None] * ad
    # The next trial step: longer when the whole projected step was taken, shorter when little of it was.
    alpha = tf.where(t >= 1.0, alpha * _GROW, tf.where(t < _SHORT_STEP, alpha * _BETA, alpha))
    return h_new, ah_new, f + delta, alpha, accept


def _bb_step(a, h, ah, f, gram, grad, alpha, reference, squared_norm_a, active):
    """One projected Barzilai–Borwein step: the trial P[H − α∇f] is taken when f(trial) ≤ reference +
    σ⟨∇f, trial − H⟩ (the non-monotone test); otherwise H moves to the exact minimiser of f along
    D = trial − H, t ∈ [0, 1], whose quartic needs A·D = A·trial − AH, already known. So every iteration costs
    one sparse product, where halving α would cost one per trial (and all restarts share the product)."""
    trial = tf.nn.relu(h - alpha[:, None, None] * grad)
    ah_trial = _matmul(a, trial)
    gram_trial = tf.linalg.matmul(trial, trial, transpose_a=True)
    f_trial = _objective(trial, ah_trial, squared_norm_a, gram_trial)
    d = trial - h
    decrease = tf.reduce_sum(grad * d, axis=[1, 2])
    ok = active & (decrease < 0) & (f_trial - reference <= _SIGMA_BB * decrease)

    def searched():
        ad = ah_trial - ah
        t, delta = _exact_step(h, ah, d, ad, gram)
        t = tf.where(ok, tf.ones_like(t), tf.where(active & (delta < 0), t, tf.zeros_like(t)))
        h_new = tf.nn.relu(h + t[:, None, None] * d)
        f_new = tf.where(ok, f_trial, tf.where(t > 0, f + delta, f))
        return h_new, ah + t[:, None, None] * ad, f_new, tf.linalg.matmul(h_new, h_new, transpose_a=True), t

    h_new, ah_new, f_new, gram_new, t = tf.cond(
        tf.reduce_all(ok), lambda: (trial, ah_trial, f_trial, gram_trial, tf.ones_like(f)), searched
    )
    return h_new, ah_new, f_new, gram_new, t, d, decrease


def _exact_step(h, ah, d, ad, m0):
    """argmin over t ∈ [0, 1] of f(H + tD) and the change of f there, per restart (t = 0: no decrease).

    f(H + tD) − f(H) = −2t⟨AH, D⟩ − t²⟨D, AD⟩ + ½(2t⟨M₀, M₁⟩ + t²(‖M₁‖² + 2⟨M₀, M₂⟩) + 2t³⟨M₁, M₂⟩ + t⁴‖M₂‖²)
    with M₀ = HᵀH, M₁ = HᵀD + DᵀH, M₂ = DᵀD. Written as a difference it involves no large cancelling
    terms, so the decrease is resolved even when f itself is large.
    """
    hd = tf.linalg.matmul(h, d, transpose_a=True)
    m1 = hd + tf.linalg.matrix_transpose(hd)
    m2 = tf.linalg.matmul(d, d, transpose_a=True)

    def inner(x, y):
        return tf.reduce_sum(x * y, axis=[1, 2])

    # Δf(t) = c1 t + c2 t² + c3 t³ + c4 t⁴
    c1 = -2.0 * inner(ah, d) + inner(m0, m1)
    c2 = -inner(d, ad) + 0.5 * inner(m1, m1) + inner(m0, m2)
    c3 = inner(m1, m2)
    c4 = 0.5 * inner(m2, m2)
    t = _best_step(c1, c2, c3, c4)
    return t, t * (c1 + t * (c2 + t * (c3 + t * c4)))


def _best_step(c1, c2, c3, c4):
    """argmin over t ∈ [0, 1] of c1 t + c2 t² + c3 t³ + c4 t⁴, per restart: compare the endpoint t = 1 with
    the real roots of the derivative 4c4 t³ + 3c3 t² + 2c2 t + c1 in (0, 1) (eigenvalues of its companion
    matrix); t = 0 means no decrease."""
    scale = tf.where(c4 > 0, 4.0 * c4, tf.ones_like(c4))
    p2, p1, p0 = 3.0 * c3 / scale, 2.0 * c2 / scale, c1 / scale
    zeros, ones = tf.zeros_like(p0), tf.ones_like(p0)
    companion = tf.stack(
        [tf.stack([-p2, -p1, -p0], -1), tf.stack([ones, zeros, zeros], -1), tf.stack([zeros, ones, zeros], -1)], -2
    )
    roots = tf.linalg.eigvals(companion)
    real = tf.math.real(roots)
    real_root = tf.abs(tf.math.imag(roots)) <= _REAL_ROOT_TOL * (1.0 + tf.abs(real))
    usable = real_root & (real > 0) & (real < 1) & (c4 > 0)[:, None]
    candidates = tf.concat([tf.where(usable, real, tf.zeros_like(real)), ones[:, None]], axis=1)

    def value(t):
        return t * (c1[:, None] + t * (c2[:, None] + t * (c3[:, None] + t * c4[:, None])))

    best = tf.argmin(value(candidates), axis=1)
    return tf.gather(candidates, best, batch_dims=1)
