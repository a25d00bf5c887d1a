"""keras-mf-compress end to end."""

import os

import pytest
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import compress_mnist

# The command end to end.
pytestmark = pytest.mark.slow


def test_compress_command(tmp_path):
    result = compress_mnist.run(
        [
            "--epochs",
            "1",
            "--fine-tune-epochs",
            "1",
            "--logdir",
            str(tmp_path / "c"),
            "--data",
            "bundled",
            "--hidden-units",
            "64",
            "--fractions",
            "0.25",
            "--ranks",
            "8",
            "16",
            "--train-split",
            "test[:2000]",
        ]
    )
    assert result["rows"][1][2] < result["rows"][0][2]
    assert result["curve"][0][1] > result["curve"][1][1]
    compression = read_events(os.path.join(tmp_path, "c", "compression"))
    tags = set(compression.Tags()["tensors"])
    assert {"svd/reconstruction_mse_vs_rank", "compression/accuracy_vs_parameters"} <= tags
    assert image_size(compression, "svd/reconstruction_mse_vs_rank") == (500, 350)
    values, metrics = read_hparams(str(tmp_path / "c"))
    assert values["fractions"] == "0.25" and values["ranks"] == "8 16"
    assert metrics["hparams/smallest_parameters"] == result["rows"][1][2]
    assert metrics["hparams/smallest_accuracy_after_fine_tune"] == pytest.approx(result["rows"][1][4], rel=1e-6)
