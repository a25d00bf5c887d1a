"""The commands' shared arguments: defaults, log folders, resuming, the chief."""

import os

import pytest

from keras_mf import training


def test_parser_defaults_and_logdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = training.make_parser("demo", "Demo.", epochs=3).parse_args(["--seed", "5"])
    assert (args.epochs, args.batch_size, args.seed, args.data) == (3, 128, 5, "auto")
    logdir = training.resolve_logdir(args)
    assert logdir.startswith(os.path.join("runs", "demo")) and os.path.isdir(logdir)
    with pytest.raises(SystemExit):
        training.make_parser("demo", "Demo.").parse_args(["--epochs", "0"])


def test_resume_picks_newest_interrupted_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs("runs/demo/20260101-000000/backup")
    os.makedirs("runs/demo/20260102-000000")
    args = training.make_parser("demo", "Demo.").parse_args(["--resume"])
    assert training.resolve_logdir(args) == os.path.join("runs", "demo", "20260101-000000")


@pytest.mark.parametrize(
    "config, chief",
    [
        (None, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, False),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}, True),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}, False),
    ],
)
def test_is_chief(config, chief):
    import json

    assert training.is_chief({} if config is None else {"TF_CONFIG": json.dumps(config)}) is chief
