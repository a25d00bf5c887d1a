"""The one `.keras` save/load round trip and config check used for every layer and model."""

import copy
import json
import os

import keras
import numpy as np


def assert_roundtrip(obj, inputs, tmp_path, atol=0.0, call=None):
    """Saves `obj` (a layer or a model) as `.keras`, loads it, and checks bit-identical variables (fitted statistics
    and a stateful model's state included, read before the loaded model runs), identical outputs and config.

    A layer is wrapped in a functional model first. `call(model, inputs)` computes outputs (default
    `model(inputs)`); `atol=0` demands bit-identical outputs.
    """
    call = call or (lambda m, x: keras.ops.convert_to_numpy(m(x)))
    if isinstance(obj, keras.Model):
        model = obj
    else:
        model_input = keras.Input(batch_shape=(None,) + tuple(inputs.shape[1:]))
        model = keras.Model(model_input, obj(model_input))
    expected = call(model, inputs)
    path = os.path.join(tmp_path, "roundtrip.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    restored = loaded if isinstance(obj, keras.Model) else loaded.layers[-1]
    for got, want in zip(restored.get_weights(), obj.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(call(loaded, inputs), expected, atol=atol, rtol=0)
    config = obj.get_config()
    # A deep copy: some from_config methods (keras.layers.RNN's) pop entries from the dict they are given.
    assert _as_json(type(obj).from_config(copy.deepcopy(config)).get_config()) == _as_json(config)
    if not isinstance(obj, keras.Model):
        assert _as_json(restored.get_config()) == _as_json(config)
    return loaded


def _as_json(config):
    """The config as a `.keras` file stores it: JSON turns tuples (e.g. a nested `build_config`'s shapes) into lists."""
    return json.loads(json.dumps(config))
