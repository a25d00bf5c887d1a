"""SymNMF's compiled solvers: the objective ½‖A − HHᵀ‖², its gradient, and one call of `_CALL` iterations of
projected gradient (fixed step, Armijo, exact line search) or projected Barzilai–Borwein steps over all restarts at
once. TensorFlow `tf.function`s traced once per process with open shapes.

References:
    Birgin, E. G., Martínez, J. M. & Raydan, M. (2000). Nonmonotone Spectral Projected Gradient Methods on Convex
    Sets. SIAM J. Optim. 10(4), 1196–1211. https://doi.org/10.1137/S1052623497330963
    Grippo, L., Lampariello, F. & Lucidi, S. (1986). A Nonmonotone Line Search Technique for Newton's Method.
    SIAM J. Numer. Anal. 23(4), 707–716. https://doi.org/10.1137/0723046
    Bertsekas, D. P. (1982). Projected Newton Methods for Optimization Problems with Simple Constraints.
    SIAM J. Control Optim. 20(2), 221–246. https://doi.org/10.1137/0320018
"""

import functools

import tensorflow as tf

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


def rescaled(a, h):
    """α·H with α² = ⟨A, HHᵀ⟩ / ‖HHᵀ‖²_F = tr(HᵀAH) / ‖HᵀH‖²_F per restart, the scalar for which α²HHᵀ best
    fits A; a start with ⟨A, HHᵀ⟩ = 0 is kept as it is. The two sums are taken in float64 whatever the solver's
    dtype: in float32 they lose about 1e-5 of the start's objective, which a start from a partition is then off by."""
    h64 = tf.cast(h, tf.float64)
    cross = tf.reduce_sum(h64 * tf.cast(matmul(a, h), tf.float64), axis=[1, 2])
    gram = tf.linalg.matmul(h64, h64, transpose_a=True)
    alpha = tf.sqrt(tf.math.divide_no_nan(cross, tf.reduce_sum(tf.square(gram), axis=[1, 2])))
    return tf.cast(h64 * tf.where(cross > 0, alpha, tf.ones_like(alpha))[:, None, None], h.dtype)


def mean_entry(a):
    if isinstance(a, tf.SparseTensor):
        return tf.reduce_sum(a.values) / float(a.shape[0] * a.shape[1])
    return tf.reduce_mean(a)


def squared_norm(a):
    values = a.values if isinstance(a, tf.SparseTensor) else a
    return tf.reduce_sum(tf.square(values))


# TF's CPU kernel for sparse × dense slows down several-fold once the dense operand is 32 or more columns
# wide, so restarts side by side are multiplied in chunks of at most this many columns.
_SPARSE_COLUMNS = 24


def matmul(a, h):
    """A @ H for every restart at once: H `(r, n, k)` is laid side by side as `(n, r·k)`, in column chunks of
    at most `_SPARSE_COLUMNS` when A is sparse (an explicit `tf.while_loop`: see `_solver`)."""
    r, n, k = tf.unstack(tf.shape(h))
    if not isinstance(a, tf.SparseTensor):
        return _restarts(tf.linalg.matmul(a, _side_by_side(h)), r, n, k)
    group = tf.maximum(_SPARSE_COLUMNS // k, 1)
    count = (r + group - 1) // group

    def chunk(i, chunks):
        part = h[i * group : (i + 1) * group]
        return i + 1, chunks.write(i, _restarts(tf.sparse.sparse_dense_matmul(a, _side_by_side(part)), -1, n, k))

    chunks = tf.TensorArray(h.dtype, size=count, infer_shape=False)
    _, chunks = tf.while_loop(lambda i, _: i < count, chunk, (tf.constant(0), chunks))
    return tf.ensure_shape(chunks.concat(), h.shape)


def _side_by_side(h):
    r, n, k = tf.unstack(tf.shape(h))
    return tf.reshape(tf.transpose(h, [1, 0, 2]), (n, r * k))


def _restarts(wide, r, n, k):
    return tf.transpose(tf.reshape(wide, (n, r, k)), [1, 0, 2])


def objective_value(h, ah, squared_norm_a, gram=None):
    """½‖A − HHᵀ‖² = ½(‖A‖² − 2 tr(HᵀAH) + ‖HᵀH‖²), per restart, without forming the n×n HHᵀ."""
    if gram is None:
        gram = tf.linalg.matmul(h, h, transpose_a=True)
    cross = tf.reduce_sum(h * ah, axis=[1, 2])
    return 0.5 * (squared_norm_a - 2.0 * cross + tf.reduce_sum(tf.square(gram), axis=[1, 2]))


def gradient(h, ah, gram=None):
    """∇f = 2(H·HᵀH − AH); `gram` is HᵀH when the caller has it."""
    if gram is None:
        gram = tf.linalg.matmul(h, h, transpose_a=True)
    return 2.0 * (tf.linalg.matmul(h, gram) - ah)


def projected_gradient_norm(h, grad):
    """‖P∇f‖ per restart, with Bertsekas' ε-active set: an entry below `_ACTIVE` × max(H) whose gradient
    is positive counts as at its bound. The line search moves along H + tD with t < 1, so entries headed
    for 0 only shrink geometrically; counting their gradient keeps ‖P∇f‖ at a few percent of its start, and
    `tol` is never met."""
    bound = h <= _ACTIVE * tf.reduce_max(h, axis=[1, 2], keepdims=True)
    projected = tf.where(bound & (grad > 0), tf.zeros_like(grad), grad)
    return tf.norm(tf.reshape(projected, (tf.shape(h)[0], -1)), axis=1)


def initial_state(a, h, squared_norm_a, mode, alpha):
    ah = matmul(a, h)
    grad = gradient(h, ah)
    restarts = tf.shape(h)[0]
    f = objective_value(h, ah, squared_norm_a)
    if mode == "bb":
        # The first step moves the largest entry of H by at most its own size; BB sets the later ones.
        alpha = tf.reduce_max(h, axis=[1, 2]) / tf.maximum(tf.reduce_max(tf.abs(grad), axis=[1, 2]), 1e-30)
    else:
        alpha = tf.fill((restarts,), tf.constant(alpha, h.dtype))  # tf.cast would round a float through float32
    return {
        "h": h,
        "ah": ah,
        "f": f,
        "alpha": alpha,
        "recent": tf.tile(f[:, None], [1, _MEMORY]),
        "pg0": projected_gradient_norm(h, grad),
        "f0": f,
        "converged": tf.zeros((restarts,), tf.bool),
        "iterations": tf.zeros((restarts,), tf.int32),
        "stalls": tf.zeros((restarts,), tf.int32),
    }


def compiled_call(a, state, mode):
    """`_iterate` for this solver mode, kind of graph and dtype as a `tf.function` (see `_solver`)."""
    layout = tuple((name, value.shape.rank, value.dtype) for name, value in state.items())
    return _solver(mode, isinstance(a, tf.SparseTensor), state["h"].dtype, layout)


@functools.cache
def _solver(mode, sparse, dtype, layout):
    """One `tf.function` per (mode, sparse, dtype), traced once per process: its shapes are left open, as restarts
    leave the batch when they converge and graphs differ in size (a trace per batch size cost a second or more
    per fit). Traced without AutoGraph: its source conversion was most of a first fit's trace time (see the
    CHANGELOG), so every loop and branch on a tensor here is an explicit `tf.while_loop` or `tf.cond`."""
    spec = tf.SparseTensorSpec([None, None], dtype) if sparse else tf.TensorSpec([None, None], dtype)
    state_spec = {name: tf.TensorSpec([None] * rank, kind) for name, rank, kind in layout}
    scalar = tf.TensorSpec([], dtype)

    def run(a, state, squared_norm_a, steps, tol):
        return _iterate(a, state, squared_norm_a, steps, mode, tol)

    signature = [spec, state_spec, scalar, tf.TensorSpec([], tf.int32), scalar]
    return tf.function(run, input_signature=signature, autograph=False)


def _iterate(a, state, squared_norm_a, steps, mode, tol):
    """Runs `steps` iterations of the solver `mode` on all restarts; returns the state and f per step."""
    h, ah, f = state["h"], state["ah"], state["f"]
    gram = tf.linalg.matmul(h, h, transpose_a=True)
    # BB's last step (moved, D, ⟨D, ∇f⟩) rides along in every mode, so that all modes share one loop.
    loop = {"h": h, "ah": ah, "f": f, "gram": gram, "grad": gradient(h, ah, gram), "moved": tf.ones_like(f)}
    loop.update(d=tf.zeros_like(h), d_grad=tf.zeros_like(f), active=tf.logical_not(state["converged"]))
    loop.update({name: state[name] for name in ("alpha", "recent", "converged", "iterations", "stalls")})

    def body(i, loop, objectives):
        loop = _one_iteration(a, loop, squared_norm_a, mode)
        return i + 1, loop, objectives.write(i, loop["f"])

    objectives = tf.TensorArray(h.dtype, size=steps)
    _, loop, objectives = tf.while_loop(lambda i, *_: i < steps, body, (tf.constant(0), loop, objectives))
    converged, strict = _stopping_test(
        state, loop["h"], loop["grad"], loop["f"], loop["recent"], loop["converged"], mode, tol
    )
    new_state = dict(state, strict=strict, converged=converged)
    new_state.update({name: loop[name] for name in ("h", "ah", "f", "alpha", "recent", "iterations", "stalls")})
    return new_state, objectives.stack()


def _one_iteration(a, loop, squared_norm_a, mode):
    """One iteration of the solver `mode` (a Python string: the branch is taken while tracing) on the loop's
    variables."""
    h, ah, f, gram, grad, alpha = loop["h"], loop["ah"], loop["f"], loop["gram"], loop["grad"], loop["alpha"]
    recent, active, stalls = loop["recent"], loop["active"], loop["stalls"]
    moved, d, d_grad = loop["moved"], loop["d"], loop["d_grad"]
    if mode == "fixed":
        h, ah, f, gram, accept = _fixed_step(a, h, ah, f, grad, alpha, squared_norm_a, active)
    elif mode == "line_search":
        # A rejected restart takes t = 0, so its H and AH are unchanged.
        h, ah, f, alpha, accept = _line_search(a, h, ah, f, grad, gram, alpha, active)
        gram = tf.linalg.matmul(h, h, transpose_a=True)
    elif mode == "armijo":
        h, ah, f, gram, alpha, accept = _backtrack(a, h, ah, f, f, grad, _GROW * alpha, squared_norm_a, active, _SIGMA)
    else:
        h, ah, f, gram, moved, d, d_grad = _bb_step(
            a, h, ah, f, gram, grad, alpha, tf.reduce_max(recent, axis=1), squared_norm_a, active
        )
        # No decrease along D (t = 0) after a wild BB step is no proof of stationarity: the restart
        # retries a quarter of the step, and stops (at the float32 floor of f) after `_STALLS` in a row.
        stalls = tf.where(moved > 0, tf.zeros_like(stalls), stalls + 1)
        accept = active & (stalls < _STALLS)
    grad = gradient(h, ah, gram)
    if mode == "bb":
        alpha = tf.where(moved > 0, _barzilai_borwein(d, moved, d_grad, grad, alpha), alpha * _BETA**2)
        recent = tf.where(accept[:, None], tf.concat([recent[:, 1:], f[:, None]], 1), recent)
    # A restart whose step search found no decrease is at a (numerical) stationary point.
    converged = loop["converged"] | (active & tf.logical_not(accept))
    iterations = loop["iterations"] + tf.cast(accept, tf.int32)
    return {
        "h": h, "ah": ah, "f": f, "gram": gram, "grad": grad, "alpha": alpha, "recent": recent,
        "converged": converged, "active": tf.logical_not(converged), "iterations": iterations, "stalls": stalls,
        "moved": moved, "d": d, "d_grad": d_grad,
    }  # fmt: skip


def _fixed_step(a, h, ah, f, grad, alpha, squared_norm_a, active):
    """The tutorial's step H ← max(0, H − η∇f) for the active restarts; returns `(H, AH, f, HᵀH, accepted)`."""
    h_new = tf.nn.relu(h - alpha[:, None, None] * grad)
    ah_new = matmul(a, h_new)
    f_new = objective_value(h_new, ah_new, squared_norm_a)
    mask = active[:, None, None]
    h, ah, f = tf.where(mask, h_new, h), tf.where(mask, ah_new, ah), tf.where(active, f_new, f)
    return h, ah, f, tf.linalg.matmul(h, h, transpose_a=True), active


def _stopping_test(state, h, grad, f, recent, converged, mode, tol):
    """`(converged, strict)` after a call: the projected gradient's test and, for "bb", the spread of f; `strict`
    says the full stop was met, whatever the looser one of a restart race says. Tested once per call, not per
    iteration: up to `steps` − 1 extra iterations cost less than the test."""
    converged = converged | (projected_gradient_norm(h, grad) <= tol * state["pg0"])
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

    def untried(i, *loop):
        return (i < _MAX_TRIALS) & tf.reduce_any(loop[-1])

    def trial_step(i, alpha, h_new, ah_new, gram_new, f_new, pending):
        trial = tf.nn.relu(h - alpha[:, None, None] * grad)
        ah_trial = matmul(a, trial)
        gram = tf.linalg.matmul(trial, trial, transpose_a=True)
        f_trial = objective_value(trial, ah_trial, squared_norm_a, gram)
        decrease = tf.reduce_sum(grad * (trial - h), axis=[1, 2])
        ok = pending & (f_trial - reference <= sigma * decrease)
        mask = ok[:, None, None]
        h_new = tf.where(mask, trial, h_new)
        ah_new = tf.where(mask, ah_trial, ah_new)
        gram_new = tf.where(mask, gram, gram_new)
        f_new = tf.where(ok, f_trial, f_new)
        pending = pending & tf.logical_not(ok)
        return i + 1, tf.where(pending, alpha * _BETA, alpha), h_new, ah_new, gram_new, f_new, pending

    start = (tf.constant(0), alpha, h, ah, tf.linalg.matmul(h, h, transpose_a=True), f, active)
    _, alpha, h_new, ah_new, gram_new, f_new, pending = tf.while_loop(untried, trial_step, start)
    accept = active & tf.logical_not(pending)
    return h_new, ah_new, f_new, gram_new, alpha, accept


def _line_search(a, h, ah, f, grad, m0, alpha, active):
    """Exact minimisation of f along the feasible direction D = P[H − α∇f] − H, t ∈ [0, 1] (see
    `_exact_step`); α adapts for the next iteration."""
    d = tf.nn.relu(h - alpha[:, None, None] * grad) - h
    ad = matmul(a, d)
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
    ah_trial = matmul(a, trial)
    gram_trial = tf.linalg.matmul(trial, trial, transpose_a=True)
    f_trial = objective_value(trial, ah_trial, squared_norm_a, gram_trial)
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
    t = best_step(c1, c2, c3, c4)
    return t, t * (c1 + t * (c2 + t * (c3 + t * c4)))


def best_step(c1, c2, c3, c4):
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
