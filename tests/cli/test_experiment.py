"""keras_mf.cli._experiment: the one HParams experiment all commands declare, and each run's row."""

import pytest
from tensorboard_events import read_events

from keras_mf.cli import _experiment
from keras_mf.cli import train_autoencoder
from keras_mf.training import args as cli_args


def test_the_experiment_declares_every_option_by_its_flag_and_every_metric_by_name():
    experiment = _experiment.experiment()
    infos = {info.name: info for info in experiment.hparam_infos}
    for parser in _experiment._parsers().values():
        for action in parser._actions:
            if action.option_strings and action.dest not in ("help", "version", "logdir", "resume"):
                assert infos[action.dest].display_name == action.option_strings[-1]
    shown = sorted(name for name, info in infos.items() if info.differs)
    assert shown == sorted(_experiment.SHOWN)  # TensorBoard shows these five columns first
    metrics = [(m.name.tag, m.display_name) for m in experiment.metric_infos]
    assert metrics == [(f"hparams/{name}", display) for name, display, _ in _experiment.METRICS]


def test_a_run_is_one_row_named_by_its_command_and_folder(tmp_path):
    from tensorboard.plugins.hparams import metadata

    logdir = tmp_path / "runs" / "mine"
    parser = train_autoencoder.build_parser()
    args = cli_args.parse_args(parser, ["--latent-dim", "4", "--logdir", str(logdir), "--data", "bundled"])
    _experiment.log_run(str(logdir), args, {"eval_mse": 0.5, "seconds": 2.0})
    events = read_events(str(logdir))
    content = events.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
    start = metadata.parse_session_start_info_plugin_data(content)
    assert start.group_name == "autoencoder: runs/mine"
    assert start.hparams["command"].string_value == "keras-mf-autoencoder"
    assert start.hparams["options"].string_value == "--data bundled --latent-dim 4"
    assert start.hparams["hidden_units"].string_value == "256"
    assert start.hparams["latent_dim"].number_value == 4
    with pytest.raises(ValueError, match="not declared"):
        _experiment.log_run(str(logdir), args, {"accuracy": 0.5})
