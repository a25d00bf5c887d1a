import os

# Tests never touch the network: "auto" skips tfds downloads and falls back to local sources.
os.environ["KERAS_MF_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run (derandomize): CI stays deterministic and fast, and a
# failure reproduces from its printed example. TensorFlow's first calls trace, so no per-example deadline.
settings.register_profile(
    "keras_mf", derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("keras_mf")
