"""What importing keras_mf loads: the layers and models compute in keras.ops, so under another Keras backend they
load no TensorFlow (issue 21); parts that are TensorFlow by design load it when used."""

import os
import subprocess
import sys
import textwrap

import pytest

import keras_mf

PACKAGE_ROOT = os.path.dirname(os.path.dirname(keras_mf.__file__))


@pytest.mark.slow  # a fresh process importing JAX
def test_layers_and_models_load_no_tensorflow_under_jax():
    pytest.importorskip("jax")
    code = textwrap.dedent(
        """
        import sys
        import keras_mf.layers, keras_mf.models
        from keras_mf import TruncatedSVD, LowRankDense, RecurrentCell, Autoencoder, StatefulRNN
        from keras_mf.models import DeepSymNMF
        print("layers and models:", "tensorflow" in sys.modules)
        import keras_mf.factorization.symnmf  # TensorFlow by design: the check must see it
        print("factorization:", "tensorflow" in sys.modules)
        """
    )
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-2:] == ["layers and models: False", "factorization: True"]
