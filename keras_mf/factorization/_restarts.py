"""SymNMF's restarts run to their stop: batches of compiled calls, restarts leaving the batch as they converge, the
race of "bb" restarts to a loose stop and the winner's finish, and the progress bar."""

import keras
import numpy as np
import tensorflow as tf

from keras_mf.factorization._solvers import compiled_call
from keras_mf.factorization._solvers import initial_state
from keras_mf.factorization._solvers import squared_norm

# Iterations per compiled call: the stopping test, the progress bar and the race's bookkeeping run between calls.
_CALL = 10


def fit_restarts(a, h, params, verbose):
    """Runs the restarts H `(r, n, k)` to their stop; returns ({restart: (H, f, iterations, converged, state)},
    the objective history of every restart)."""
    squared_norm_a = squared_norm(a)
    mode = params["mode"]
    state = initial_state(a, h, squared_norm_a, mode, params["alpha"])
    restarts = int(h.shape[0])
    histories = [[f] for f in state["f"].numpy()]
    progress = _Progress(params["max_iter"], state["f"].numpy()) if verbose else None
    # "bb" with several restarts: they race with a looser stop (f's spread below tol²·f), which tells the
    # lowest objective when restarts end further apart than the full stop moves f, then the winner alone
    # goes on to the full stop, instead of every restart running the long tail that cannot win.
    race = mode == "bb" and restarts > 1
    state["loose"] = tf.fill((restarts,), race)
    state["strict"] = tf.zeros((restarts,), tf.bool)
    finished = _run(a, state, squared_norm_a, mode, params, list(range(restarts)), histories, progress)
    if race:
        best = min(finished, key=lambda r: finished[r][1])
        _, _, iterations, converged, last = finished[best]
        if converged and not bool(last["strict"][0]):
            del histories[best][iterations + 1 :]
            last["loose"] = tf.zeros((1,), tf.bool)
            last["converged"] = tf.zeros((1,), tf.bool)
            polished = _run(a, last, squared_norm_a, mode, params, [best], histories, progress, iterations)
            finished[best] = polished[best]
    if progress is not None:
        progress.finish(finished)
    return finished, histories


class _Progress:
    """SymNMF's progress bar. It shows the iterations run so far, never moving back (the race's winner resumes
    from its own count, below the race's), and the lowest current objective of all restarts as it is (a Keras
    stateful metric, not the bar's running average); its last line says where the best restart stopped."""

    def __init__(self, max_iter, objectives):
        self.max_iter = max_iter
        self.bar = keras.utils.Progbar(max_iter, unit_name="iteration", stateful_metrics=["objective"])
        self.objectives = np.array(objectives, dtype=np.float64)
        self.position = 0

    def update(self, done, restarts, objectives):
        self.objectives[restarts] = objectives
        self.position = max(self.position, done)
        self.bar.update(self.position, [("objective", float(self.objectives.min()))], finalize=False)

    def finish(self, finished):
        best = min(finished, key=lambda r: finished[r][1])
        _, objective, iterations, converged, _ = finished[best]
        self.bar.update(max(self.position, iterations), [("objective", objective)], finalize=True)
        status = "converged" if converged else "stopped without converging"
        print(
            f"SymNMF {status} at {iterations:,} of {self.max_iter:,} iterations: objective {objective:.6g}, "
            f"restart {best + 1} of {len(finished)}",
            flush=True,
        )


def _run(a, state, squared_norm_a, mode, params, active, histories, progress, done=0):
    """Iterates the restarts `active` (the rows of `state`) until each converges or reaches `max_iter`, in
    calls of `_CALL` iterations; extends `histories` and returns {restart: (H, f, iterations, converged,
    state)}."""
    tol = tf.constant(params["tol"], params["dtype"])
    finished = {}
    while done < params["max_iter"] and active:
        steps = min(_CALL, params["max_iter"] - done)
        state, objectives = compiled_call(a, state, mode)(a, state, squared_norm_a, tf.constant(steps), tol)
        objectives = objectives.numpy()
        for column, restart in enumerate(active):
            histories[restart].extend(objectives[:, column])
        done += steps
        if progress is not None:
            progress.update(done, active, objectives[-1])
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
