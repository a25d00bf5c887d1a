"""get_strategy: the tf.distribute strategies a command trains under."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import keras_mf
from keras_mf.training import get_strategy


def _run(code, timeout=300):
    """Runs `code` in a fresh Python (a strategy's devices must be set before TensorFlow's first op) and returns the
    JSON its last line prints."""
    package_root = os.path.dirname(os.path.dirname(keras_mf.__file__))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_MF_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.pop("TF_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_none_is_the_default_strategy():
    strategy = get_strategy("none")
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1


def test_unknown_strategy_is_refused_naming_it():
    with pytest.raises(ValueError, match="`name`.*'mirrored'"):
        get_strategy("horovod")


@pytest.fixture(scope="module")
def distributed():
    """What the strategies computed in one fresh Python (a strategy's devices must be set, and a multi-worker strategy
    created, before TensorFlow's first op): the multi-worker strategy's reductions, then two epochs of the same model
    under the mirrored strategy on two logical CPUs and under none."""
    return _run(
        """
        import json, numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from keras_mf import training, Autoencoder
        strategy = training.get_strategy("multiworker")

        def values():
            return tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant(2.5)

        batch, scalar = strategy.run(values)
        pair = strategy.reduce(tf.distribute.ReduceOp.SUM, (batch, batch * 2), axis=0)
        total = strategy.reduce(tf.distribute.ReduceOp.SUM, scalar, axis=0)
        multiworker = {"pair": [p.numpy().tolist() for p in pair], "scalar": float(total),
                       "replicas": strategy.num_replicas_in_sync}
        x = np.random.default_rng(0).random((64, 16)).astype("float32")

        def train(name):
            strategy = training.get_strategy(name)
            keras.utils.set_random_seed(0)
            with strategy.scope():
                model = Autoencoder(input_shape=(16,), latent_dim=2, hidden_units=(8,))
                model.compile(keras.optimizers.SGD(0.5), "mse")
            model.fit(x, x, batch_size=16, epochs=2, verbose=0, shuffle=False)
            return strategy.num_replicas_in_sync, [w.tolist() for w in model.get_weights()]

        (replicas, mirrored), (one, single) = train("mirrored"), train("none")
        print(json.dumps({"multiworker": multiworker,
                          "mirrored": {"replicas": [replicas, one], "mirrored": mirrored, "single": single}}))
        """
    )


@pytest.mark.slow  # a fresh process with two logical CPUs
def test_mirrored_strategy_trains_as_one_device_does(distributed):
    """Two replicas of 8 examples sum their gradients where one device sees the 16 at once: the weights after two
    epochs agree to float32 round-off of the reordered sums (SGD, so no optimizer state differs either)."""
    result = distributed["mirrored"]
    assert result["replicas"] == [2, 1]
    for a, b in zip(result["mirrored"], result["single"], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


@pytest.mark.slow  # a multi-worker strategy must be created before TensorFlow's first op: a fresh process
def test_multiworker_reduce_takes_structures_and_scalars(distributed):
    """Keras 3 reduces `(x, y)` tuples and per-replica scalars with `axis=0`, which MultiWorkerMirroredStrategy's
    own `reduce` refuses; ours (one worker, no TF_CONFIG) must give numpy's sums."""
    result = distributed["multiworker"]
    replicas = result["replicas"]
    assert result["pair"] == [[4.0 * replicas, 6.0 * replicas], [8.0 * replicas, 12.0 * replicas]]
    assert result["scalar"] == 2.5 * replicas
