"""The layer contract, and the layer and model tests, again under Keras' other backends, each backend in its own
process.

Keras chooses its backend once per process, so this (TensorFlow) session starts one more pytest per installed
backend with `KERAS_BACKEND` set, on the files of the suites the session selected: "contract" (the layer contract,
tests/test_layer_contract.py: symbolic call, training step, mixed precision, `.keras` round trip for every layer and
model) and "layers and models" (all their tests: `adapt`'s backend-neutral path, training, fitting from tf.data);
both are `slow` (see SLOW_SUITES), and `pytest -k "backend and contract"` runs the contract alone. conftest.py
overlaps the runs with the rest of the suite instead of adding them to it: in one process it starts them once
collection is done and orders these tests last; under pytest-xdist (setup.cfg) it orders this file first and the
worker that gets it starts them (the `backend_runs` fixture). The runs themselves are one process each (`-n 0`).
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
SUITES = {
    "contract": ["test_layer_contract.py"],
    "layers and models": [
        "layers/test_truncated_svd.py",
        "layers/test_low_rank_dense.py",
        "layers/test_recurrent_cell.py",
        "models/test_stateful_rnn.py",
        "models/test_autoencoder.py",
        "models/test_deep_symnmf_predict_codes.py",
        "layers/test_random_affine.py",
        "models/test_batches.py",
        "models/test_deep_symnmf_defaults.py",
    ],
}
BACKENDS = {"jax": "jax", "torch": "torch"}
TIMEOUT = 900
# Both suites are slow: -m "not slow" is the TensorFlow-only developer loop (its own process already keeps two cores
# busy at times with TensorFlow's threads, and JAX's start and compiles cost about 36 s of CPU for the contract
# alone); full pytest, which CI runs, checks every suite under every installed backend.
SLOW_SUITES = {"contract", "layers and models"}


def start_backend_runs(wanted):
    """Starts one pytest per installed non-TensorFlow backend on the files of the suites `wanted` names for it
    (`{(backend, suite)}`); returns {backend: (process, output file, junit XML path)}."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return {}
    runs = {}
    for backend, package in BACKENDS.items():
        files = [path for (b, suite) in sorted(wanted) if b == backend for path in SUITES[suite]]
        if not files or importlib.util.find_spec(package) is None:
            continue
        output = tempfile.TemporaryFile(mode="w+")
        junit = os.path.join(tempfile.mkdtemp(prefix="keras_mf-backend-"), "results.xml")
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", f"--junitxml={junit}"]
            + ["-o", "junit_family=xunit1", *files],
            cwd=TESTS,
            env=dict(os.environ, KERAS_BACKEND=backend),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        runs[backend] = (process, output, junit)
    return runs


def _results(junit, files):
    """{test id: outcome} of the junit report's cases in `files`; outcome is "passed", "skipped", "failure" or
    "error" (an expected failure counts as skipped, as pytest's junit report writes it)."""
    wanted = {os.path.join(TESTS, f) for f in files}
    results = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        path = os.path.join(ROOT, case.get("file", ""))  # the report names files from the rootdir
        if path not in wanted:
            continue
        outcomes = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        results[f"{os.path.relpath(path, TESTS)}::{case.get('name')}"] = outcomes[0] if outcomes else "passed"
    return results


PARAMS = [
    pytest.param(backend, suite, marks=[pytest.mark.slow] if suite in SLOW_SUITES else [], id=f"{backend}-{suite}")
    for backend in sorted(BACKENDS)
    for suite in SUITES
]


@pytest.mark.parametrize("backend, suite", PARAMS)
def test_suite_passes_under_backend(backend, suite, backend_runs):
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        pytest.skip("already inside a non-TensorFlow run")
    if backend not in backend_runs:
        # CI installs every backend (`pip install -e ".[dev,torch]"`), so there a missing one is an install bug.
        if os.environ.get("CI"):
            pytest.fail(f"{BACKENDS[backend]} is not installed, and CI must run the layer and model tests under it")
        pytest.skip(f"{BACKENDS[backend]} is not installed")
    process, output, junit = backend_runs[backend]
    try:
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"KERAS_BACKEND={backend}: the tests ran past {TIMEOUT} s")
    output.seek(0)
    log = output.read()
    assert os.path.exists(junit), f"KERAS_BACKEND={backend} wrote no report:\n{log[-8000:]}"
    results = _results(junit, SUITES[suite])
    failed = sorted(name for name, outcome in results.items() if outcome in ("failure", "error"))
    assert not failed, f"KERAS_BACKEND={backend}, {suite}: {failed}\n{log[-8000:]}"
    # Every file ran: an import error would leave a file with no test case at all.
    ran = {name.split("::")[0] for name in results}
    assert {os.path.normpath(f) for f in SUITES[suite]} == {os.path.normpath(f) for f in ran}, (ran, log[-8000:])
    assert sum(outcome == "passed" for outcome in results.values()) > 0
