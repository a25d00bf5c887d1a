"""The layer and model tests again under Keras' other backends, each in its own process.

Keras chooses its backend once per process, so this (TensorFlow) session starts a second pytest per
backend with `KERAS_BACKEND` set; `.keras` round trips, `adapt`'s backend-neutral path and training are all
in those files. conftest.py starts those runs when the session starts and orders this test last, so on two
cores they overlap the rest of the suite instead of adding to it.
"""

import importlib.util
import os
import subprocess
import sys
import tempfile

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
LAYER_AND_MODEL_TESTS = [
    "test_truncated_svd.py",
    "test_low_rank_dense.py",
    "test_stateful_rnn.py",
    "test_autoencoder.py",
    "test_models_deep_symnmf_predict_codes.py",
]
BACKENDS = {"jax": "jax", "torch": "torch"}
TIMEOUT = 900


def start_backend_runs():
    """Starts one pytest per installed non-TensorFlow backend; returns {backend: (process, output file)}."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return {}
    runs = {}
    for backend, package in BACKENDS.items():
        if importlib.util.find_spec(package) is None:
            continue
        output = tempfile.TemporaryFile(mode="w+")
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *LAYER_AND_MODEL_TESTS],
            cwd=TESTS,
            env=dict(os.environ, KERAS_BACKEND=backend),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        runs[backend] = (process, output)
    return runs


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_layer_and_model_tests_pass_under_backend(backend, backend_runs):
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        pytest.skip("already inside a non-TensorFlow run")
    if backend not in backend_runs:
        # CI installs every backend (`pip install -e ".[dev,torch]"`), so there a missing one is an install bug.
        if os.environ.get("CI"):
            pytest.fail(f"{BACKENDS[backend]} is not installed, and CI must run the layer and model tests under it")
        pytest.skip(f"{BACKENDS[backend]} is not installed")
    process, output = backend_runs[backend]
    try:
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"KERAS_BACKEND={backend}: the layer and model tests ran past {TIMEOUT} s")
    output.seek(0)
    log = output.read()
    assert process.returncode == 0, f"KERAS_BACKEND={backend}:\n{log[-8000:]}"
    assert " passed" in log.strip().splitlines()[-1]
