"""DeepSymNMF.predict_codes batches through Keras' Model.predict (#25), equals the eager encoder, traces once per
model and leaves the saved model unchanged."""

import io
import zipfile

import h5py
import keras
import numpy as np
import pytest

from keras_mf.models import DeepSymNMF
from keras_mf.models import deep_symnmf


@pytest.fixture
def model():
    model = DeepSymNMF(input_shape=(12,), n_clusters=3, latent_dim=3, hidden_units=(8, 8))
    model.build((None, 12))
    return model


def test_codes_equal_the_eager_encoder_through_model_predict(model, monkeypatch):
    x = np.random.default_rng(0).random((203, 12), dtype=np.float32)
    batches = []
    predict = keras.Model.predict

    def recording(self, data, batch_size=None, **kwargs):
        batches.append(batch_size)
        return predict(self, data, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(keras.Model, "predict", recording)
    codes = model.predict_codes(x, batch_size=64)
    assert batches == [64]
    np.testing.assert_allclose(codes, keras.ops.convert_to_numpy(model.encode(x)), rtol=1e-5, atol=1e-6)
    encoder = deep_symnmf._ENCODERS[model]
    function = encoder.predict_function
    np.testing.assert_array_equal(model.predict_codes(x[:50], batch_size=64), codes[:50])
    assert deep_symnmf._ENCODERS[model] is encoder and encoder.predict_function is function


def _weight_paths(archive):
    names = []
    with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
        weights.visit(names.append)
    return names


def test_saved_model_is_the_same_after_predict_codes(model, tmp_path):
    x = np.random.default_rng(1).random((20, 12), dtype=np.float32)
    before, after = tmp_path / "before.keras", tmp_path / "after.keras"
    model.save(before)
    model.predict_codes(x)
    model.save(after)
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(after) as b:
        assert a.read("config.json") == b.read("config.json")
        assert _weight_paths(a) == _weight_paths(b)
    loaded = keras.saving.load_model(after)
    np.testing.assert_allclose(loaded.predict_codes(x), model.predict_codes(x), rtol=1e-6, atol=1e-7)
