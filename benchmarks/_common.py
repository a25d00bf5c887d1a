"""Shared helpers for the benchmarks: quiet TensorFlow, offline data, timing."""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_MF_OFFLINE", "1")

from keras_mf.training.quiet import quiet_tensorflow  # noqa: E402

quiet_tensorflow()


def median_time(fn, repeats=7):
    """Median wall time of `fn()` over `repeats` runs, after one warm-up run (tracing, caches)."""
    import numpy as np

    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))
