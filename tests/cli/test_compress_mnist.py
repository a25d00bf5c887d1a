"""keras-mf-compress end to end."""

import os

import numpy as np
import pytest
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import compress_mnist
from keras_mf.training import plots

# The plots' pixel sizes (inches at 100 dpi).
LINE_PIXELS = tuple(round(100 * side) for side in plots.LINE_SIZE)

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
    # Parameters in closed form: 784·64 + 64 + 64·10 + 10 for the MLP; at a quarter of its kernel budget the first
    # kernel gets rank ⌊0.25·784·64 / (784 + 64)⌋ = 14, the 64×10 head (below min_params) is kept.
    original, rank = 784 * 64 + 64 + 64 * 10 + 10, int(0.25 * 784 * 64 / (784 + 64))
    assert [row[:3] for row in result["rows"]] == [
        ["1.0 (original)", "-", original],
        [0.25, str(rank), rank * (784 + 64) + 64 + 64 * 10 + 10],
    ]
    # The accuracies before fine-tuning, from the saved MLP in numpy: as trained, and with its first kernel cut to
    # its best rank-14 approximation (numpy's SVD). float32 against float64: one flipped argmax at most.
    import keras

    from keras_mf.datasets import load_mnist

    x_train, _ = load_mnist("test[:2000]", source="bundled", as_numpy=True, verbose=False)
    x_eval, y_eval = load_mnist("test[8000:]", source="bundled", as_numpy=True, verbose=False)
    (k1, b1), (k2, b2) = (
        [np.asarray(w, np.float64) for w in layer.get_weights()]
        for layer in keras.saving.load_model(str(tmp_path / "c" / "mlp.keras")).layers
    )
    u, sigma, vt = np.linalg.svd(k1, full_matrices=False)

    def accuracy(kernel):
        return float(np.mean(np.argmax(np.maximum(x_eval @ kernel + b1, 0) @ k2 + b2, axis=1) == y_eval))

    assert result["rows"][0][3] == pytest.approx(accuracy(k1), abs=1 / len(y_eval))
    assert result["rows"][1][3] == pytest.approx(
        accuracy((u[:, :rank] * sigma[:rank]) @ vt[:rank]), abs=1 / len(y_eval)
    )
    # The SVD curve: Eckart–Young on the training and evaluation images together, from numpy's eigenvalues.
    x = np.concatenate([x_train, x_eval]).astype(np.float64)
    eigenvalues = np.linalg.eigvalsh((x - x.mean(0)).T @ (x - x.mean(0)))[::-1]
    expected = [(k, eigenvalues[k:].sum() / x.size) for k in (8, 16)]
    assert [r for r, _ in result["curve"]] == [8, 16]
    np.testing.assert_allclose([e for _, e in result["curve"]], [e for _, e in expected], rtol=1e-4)
    compression = read_events(os.path.join(tmp_path, "c", "compression"))
    tags = set(compression.Tags()["tensors"])
    assert {"svd/reconstruction_mse_vs_rank", "compression/accuracy_vs_parameters"} <= tags
    assert image_size(compression, "svd/reconstruction_mse_vs_rank") == LINE_PIXELS
    values, metrics = read_hparams(str(tmp_path / "c"))
    assert values["fractions"] == "0.25" and values["ranks"] == "8 16"
    assert metrics["hparams/compressed_parameters"] == result["rows"][1][2]
    assert metrics["hparams/compressed_accuracy"] == pytest.approx(result["rows"][1][4], rel=1e-6)
