"""get_strategy: the tf.distribute strategies a command trains under."""

import os
import subprocess
import sys
import textwrap

import pytest

# A strategy over two logical CPUs in a fresh process.
pytestmark = pytest.mark.slow


def test_mirrored_strategy_on_two_logical_cpus():
    code = textwrap.dedent(
        """
        import numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from keras_mf import training, Autoencoder
        strategy = training.get_strategy("mirrored")
        assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
        with strategy.scope():
            model = Autoencoder(input_shape=(16,), latent_dim=2, hidden_units=(8,))
            model.compile("adam", "mse")
        x = np.random.default_rng(0).random((64, 16)).astype("float32")
        history = model.fit(x, x, batch_size=16, epochs=2, verbose=0)
        print("replicas", strategy.num_replicas_in_sync, "loss", history.history["loss"][-1])
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replicas 2" in result.stdout
