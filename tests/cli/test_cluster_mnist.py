"""keras-mf-deep-cluster end to end on a few bundled images."""

import os

import pytest

# The command end to end.
pytestmark = pytest.mark.slow


def test_script_logs_both_phases(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from keras_mf.cli import cluster_mnist

    logdir = str(tmp_path / "run")
    result = cluster_mnist.run(
        [
            "--split",
            "test[:300]",
            "--epochs",
            "2",
            "--layout-steps",
            "100",
            "--rounds",
            "1",
            "--finetune-epochs",
            "1",
            "--logdir",
            logdir,
            "--data",
            "bundled",
        ]
    )
    assert 0.1 < result["accuracy"] <= 1.0

    def tags(folder):
        events = EventAccumulator(os.path.join(logdir, folder))
        events.Reload()
        return events.Tags()["tensors"]

    assert "epoch_loss" in tags("pretrain/train")
    assert {"epoch_clusters_loss", "epoch_reconstruction_loss"} <= set(tags("finetune_1/train"))
    assert "symnmf/objective" in tags("symnmf_0")
    assert {"monitor/accuracy", "symnmf/accuracy"} <= set(tags("monitor"))
