import collections
import os
import sys

# Tests never touch the network: "auto" skips tfds downloads and falls back to local sources.
os.environ["KERAS_MF_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    # Imported here, not at the top: pytest-xdist's controller process loads this file too, runs no test, and
    # would spend seconds of the workers' CPU loading TensorFlow (and print its start-up lines).
    import keras

    keras.utils.set_random_seed(1234)


@pytest.fixture(autouse=True)
def _fresh_layout_traces(monkeypatch):
    """Each test gets neighbor_layout's compiled step without the traces earlier tests left: with them, a layout of
    another width can fail (tests/graph/test_layout.py, test_layouts_of_several_widths_in_one_process), which would
    make a test's outcome depend on the tests run before it."""
    layout = sys.modules.get("keras_mf.graph.layout")
    if layout is None:  # not imported yet: no traces to leave behind (and no TensorFlow to load for it)
        return
    function = layout._layout_steps
    traced = sys.modules["tensorflow"].function(function.python_function, **layout._COMPILE_OPTIONS)
    monkeypatch.setattr(layout, "_layout_steps", traced)


from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run (derandomize): CI stays deterministic and fast, and a
# failure reproduces from its printed example. TensorFlow's first calls trace, so no per-example deadline.
settings.register_profile(
    "keras_mf", derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("keras_mf")


@pytest.fixture(scope="session")
def backend_runs(request):
    """{backend: (process, output, junit path)} of the other backends' runs (see test_backends.py). In one process
    they started at collection; under pytest-xdist the worker that gets test_backends.py starts them here, once."""
    runs = request.config._keras_mf_backend_runs
    if _xdist_worker(request.config) and not runs:
        from test_backends import start_backend_runs

        runs.update(start_backend_runs(request.config._keras_mf_backends_wanted))
    return runs


def _xdist_worker(config):
    return hasattr(config, "workerinput")


# The compute thread pools a process sizes from these: TensorFlow's ops, OpenMP (PyTorch), OpenBLAS (numpy, scipy).
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def pytest_configure(config):
    config._keras_mf_backend_runs = {}
    config._keras_mf_backends_wanted = set()
    if not _xdist_worker(config):
        _share_cores(workers=len(getattr(config.option, "tx", None) or []) or 1)


def _share_cores(workers):
    """Gives each pytest-xdist worker its share of the cores, as scikit-learn's conftest does. Each library would
    otherwise size its thread pool to every core, in each worker and in each process the tests start (the other
    backends' runs, the commands), and on a small machine those pools compete and spin between ops instead of
    sleeping: CPU time lost to the suite (the README gives its time). Set in the controller before the workers start,
    so that they and every process they start inherit it; a variable the caller set wins."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, str(max(1, cores // workers)))


@pytest.hookimpl(trylast=True)  # after `-m`/`-k` deselection: start only the runs still selected
def pytest_collection_modifyitems(session, config, items):
    """Orders the session so that the other backends' runs (see test_backends.py) overlap the rest of it.

    In one process, the runs start now, for the suites collection kept, and their checks move to the end, where
    they wait least. Under pytest-xdist (setup.cfg's `--dist loadfile`, a file at a time, in this order) every
    worker collects, so no run starts here: test_backends.py goes first, and the worker that gets it starts the
    runs; the files with slow tests follow it, then the others, the largest first (items are a file's cost in
    proportion, near enough), so that no long file is left for the end while another worker idles."""
    backend = [item for item in items if item.path.name == "test_backends.py"]
    config._keras_mf_backends_wanted = {(i.callspec.params["backend"], i.callspec.params["suite"]) for i in backend}
    if _xdist_worker(config):
        slow_files = {item.path for item in items if item.get_closest_marker("slow")}
        sizes = collections.Counter(item.path for item in items)
        items.sort(key=lambda i: (0 if i in backend else 1 if i.path in slow_files else 2, -sizes[i.path], str(i.path)))
        return
    if not backend or config.option.collectonly:
        return
    from test_backends import start_backend_runs

    config._keras_mf_backend_runs = start_backend_runs(config._keras_mf_backends_wanted)
    items[:] = [item for item in items if item not in backend] + backend


def pytest_unconfigure(config):
    for process, output, _ in getattr(config, "_keras_mf_backend_runs", {}).values():
        if process.poll() is None:
            process.kill()
        output.close()
