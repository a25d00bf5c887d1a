"""No import-order trap (#25): whatever a program imports of keras_mf, before or after keras, it can
`keras.saving.load_model` every keras_mf model and layer. Each order runs in a fresh interpreter."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_mf
from keras_mf import Autoencoder
from keras_mf import DeepSymNMF
from keras_mf import LowRankDense
from keras_mf import RecurrentCell
from keras_mf import StatefulRNN
from keras_mf import TruncatedSVD
from keras_mf import _registration

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ORDERS = {
    "keras_mf then keras": "import keras_mf\nimport keras",
    "keras then keras_mf": "import keras\nimport keras_mf",
    "layers only": "from keras_mf import layers\nimport keras",
    "load_mnist only": "from keras_mf.datasets import load_mnist\nimport keras",
}

# Runs after the order's imports: loads each saved model and checks its outputs (folder and order in argv).
LOAD = """
import sys
import numpy as np
folder, order = sys.argv[1:]
for name in ("autoencoder", "rnn", "deep_symnmf", "layers"):
    model = keras.saving.load_model(f"{folder}/{name}.keras")
    outputs = model(np.load(f"{folder}/{name}_inputs.npy"))
    outputs = outputs["clusters"] if isinstance(outputs, dict) else outputs
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(outputs), np.load(f"{folder}/{name}.npy"))
print("loaded", order)
"""


def _layers_model():
    """A functional model holding each keras_mf layer: TruncatedSVD, LowRankDense and RecurrentCell (in keras' RNN)."""
    inputs = keras.Input((6, 4))
    pca = TruncatedSVD(rank=3)
    pca.adapt(np.random.default_rng(0).random((50, 4), dtype=np.float32))
    x = keras.layers.TimeDistributed(pca)(inputs)
    x = keras.layers.RNN(RecurrentCell(5, output_dim=3))(x)
    return keras.Model(inputs, LowRankDense(2, rank=1)(x))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import_order")
    rng = np.random.default_rng(0)
    models = {
        "autoencoder": (Autoencoder(input_shape=(8,), latent_dim=2, hidden_units=(4,)), rng.random((3, 8))),
        "rnn": (StatefulRNN(5, 2), rng.random((3, 4, 1))),
        "deep_symnmf": (DeepSymNMF((8,), n_clusters=2, latent_dim=2, hidden_units=(4,)), rng.random((3, 8))),
        "layers": (_layers_model(), rng.random((3, 6, 4))),
    }
    for name, (model, inputs) in models.items():
        inputs = inputs.astype(np.float32)
        outputs = model(inputs)
        outputs = outputs["clusters"] if isinstance(outputs, dict) else outputs
        model.save(folder / f"{name}.keras")
        np.save(folder / f"{name}_inputs.npy", inputs)
        np.save(folder / f"{name}.npy", keras.ops.convert_to_numpy(outputs))
    return folder


@pytest.mark.slow  # a fresh Python process per order
@pytest.mark.parametrize("order", sorted(ORDERS))
def test_every_import_order_loads_every_model(order, saved):
    code = ORDERS[order] + LOAD
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-c", code, str(saved), order]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"loaded {order}" in result.stdout


def test_the_registration_table_names_every_registered_keras_mf_class():
    registered = {
        name.split(">", 1)[1] for name in keras.saving.get_custom_objects() if name.startswith(_registration.PACKAGE)
    }
    assert registered == set(_registration.CLASSES)
    for name, subpackage in _registration.CLASSES.items():
        assert getattr(keras_mf, subpackage).__dict__[name] is keras.saving.get_registered_object(f"keras_mf>{name}")
