"""The layer and model tests again under Keras' other backends, each in its own process.

Keras chooses its backend once per process, so the TensorFlow run (this one) starts a second pytest with
`KERAS_BACKEND` set; `.keras` round trips, `adapt`'s backend-neutral path and training are all in those files.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
LAYER_AND_MODEL_TESTS = ["test_truncated_svd.py", "test_low_rank_dense.py", "test_stateful_rnn.py", "test_autoencoder.py"]


@pytest.mark.parametrize("backend, package", [("jax", "jax"), ("torch", "torch")])
def test_layer_and_model_tests_pass_under_backend(backend, package):
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        pytest.skip("already inside a non-TensorFlow run")
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed")
    env = dict(os.environ, KERAS_BACKEND=backend)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *LAYER_AND_MODEL_TESTS],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"KERAS_BACKEND={backend}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout.splitlines()[-1]
