"""keras-mf-cluster end to end."""

import os

import pytest
from tensorboard_events import image_size
from tensorboard_events import read_events
from tensorboard_events import read_hparams

from keras_mf.cli import snmf_mnist

# The command end to end.
pytestmark = pytest.mark.slow


def test_cluster_command(tmp_path):
    pytest.importorskip("keras_mf.graph.pipeline")
    rows = snmf_mnist.run(
        [
            "--split",
            "test[:600]",
            "--logdir",
            str(tmp_path / "s"),
            "--data",
            "bundled",
            "--restarts",
            "2",
            "--max-iter",
            "200",
        ]
    )
    assert all(0.3 < row[1] <= 1.0 for row in rows)
    clustering = read_events(os.path.join(tmp_path, "s", "clustering"))
    assert {"symnmf/objective", "symnmf/confusion_matrix", "symnmf/accuracy"} <= set(clustering.Tags()["tensors"])
    assert image_size(clustering, "symnmf/confusion_matrix") == (550, 450)
    values, metrics = read_hparams(str(tmp_path / "s"))
    assert (values["clusters"], values["restarts"]) == (10, 2)
    assert metrics["hparams/symnmf_accuracy"] == pytest.approx(rows[0][1], rel=1e-6)
    assert metrics["hparams/spectral_nmi"] == pytest.approx(rows[1][2], rel=1e-6)
