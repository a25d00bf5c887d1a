"""log_hparams: the HParams session, read back."""

from tensorboard_events import read_hparams

from keras_mf import training


def test_log_hparams_reads_back(tmp_path):
    import argparse

    args = argparse.Namespace(
        epochs=3,
        learning_rate=0.01,
        linear=True,
        hidden_units=[64, 32],
        activation="relu",
        data_dir=None,
        logdir=str(tmp_path),
        script="demo",
        resume=False,
    )
    training.log_hparams(str(tmp_path), args, {"eval_mse": 0.25, "accuracy": 0.5})
    values, metrics = read_hparams(str(tmp_path))
    assert values == {"epochs": 3, "learning_rate": 0.01, "linear": True, "hidden_units": "64 32", "activation": "relu"}
    assert metrics == {"hparams/eval_mse": 0.25, "hparams/accuracy": 0.5}
