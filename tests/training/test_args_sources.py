"""keras_mf.training.args: commands that speak in flags. A data source that cannot give the data, conflicting
options or a --help are answered as argparse answers a bad value (exit 2, the flag named), before TensorFlow loads
and with nothing written under --logdir."""

import argparse
import os
import shutil
import subprocess
import sys

import pytest
from paths import ROOT  # noqa: E402

from keras_mf.cli import cluster_mnist
from keras_mf.cli import compress_mnist
from keras_mf.cli import snmf_mnist
from keras_mf.cli import train_autoencoder
from keras_mf.cli import train_rnn
from keras_mf.datasets import sources
from keras_mf.training import args as cli_args

BUNDLED = sources.BUNDLED_DIR
MODULES = {
    "keras-mf-autoencoder": train_autoencoder,
    "keras-mf-rnn": train_rnn,
    "keras-mf-compress": compress_mnist,
    "keras-mf-cluster": snmf_mnist,
    "keras-mf-deep-cluster": cluster_mnist,
}


def _refusal(module, argv, tmp_path):
    """Runs `module.main(argv)` in a fresh interpreter; returns (exit status, stderr, modules loaded)."""
    logdir = tmp_path / "run" / "nested"
    code = (
        "import sys\n"
        f"from keras_mf.cli import {module.__name__.rsplit('.', 1)[1]} as command\n"
        "try:\n"
        "    command.main(sys.argv[1:])\n"
        "finally:\n"
        "    print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules), file=sys.stderr)\n"
    )
    env = dict(os.environ, PYTHONPATH=ROOT, KERAS_MF_OFFLINE="1")
    env.pop("KERAS_MF_MNIST_DIR", None)
    env["TFDS_DATA_DIR"] = str(tmp_path / "no_tfds")
    result = subprocess.run(
        [sys.executable, "-c", code, *argv, "--logdir", str(logdir)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert not os.path.exists(tmp_path / "run"), "a refused command wrote under --logdir"
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    "command, argv, message",
    [
        ("keras-mf-rnn", ["--data", "idx"], "argument --data: --data idx needs --data-dir"),
        ("keras-mf-autoencoder", ["--data", "tfds"], "argument --data: --data tfds needs MNIST prepared by tfds"),
        ("keras-mf-compress", ["--data-dir", "/nonexistent"], "argument --data-dir: no such folder: '/nonexistent'"),
        ("keras-mf-cluster", ["--data", "idx", "--data-dir", "{empty}"], "argument --data-dir: no MNIST IDX files"),
        ("keras-mf-autoencoder", ["--data", "bundled", "--train-split", "train"], "argument --train-split: this"),
        ("keras-mf-cluster", ["--data", "bundled", "--split", "test[:5]"], "argument --clusters/--neighbors"),
        ("keras-mf-deep-cluster", ["--data", "bundled", "--split", "test[:5]"], "argument --clusters: --split"),
        ("keras-mf-autoencoder", ["--linear", "--hidden-units", "64"], "argument --linear"),
        ("keras-mf-autoencoder", ["--linear", "--activation", "tanh"], "argument --linear"),
        ("keras-mf-autoencoder", ["--linear", "--hidden-units", "256"], "argument --linear"),  # the default, given
    ],
)
def test_refusals_name_the_flag_before_tensorflow_loads(command, argv, message, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = [a.replace("{empty}", str(empty)) for a in argv]
    status, stderr = _refusal(MODULES[command], argv, tmp_path)
    assert status == 2, stderr
    assert message in stderr and "usage:" in stderr and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "[]", "TensorFlow loaded before the refusal"


def test_the_bundled_split_asked_for_train_names_the_splits_to_ask_for(tmp_path):
    status, stderr = _refusal(train_rnn, ["--data", "bundled", "--train-split", "train"], tmp_path)
    assert status == 2
    assert "ask for 'test[:8000]' to train and 'test[8000:]' to evaluate" in stderr


def test_an_idx_folder_with_files_passes_and_resolves_its_splits(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(os.path.join(BUNDLED, name), folder / name)
    args = argparse.Namespace(data="idx", data_dir=str(folder), train_split=None, eval_split="test[9000:]")
    assert cli_args.check_data(args) is None
    assert cli_args.split_examples(args, "test[9000:]") == 1000
    args.train_split = "train"
    assert "argument --train-split: this source holds the splits ['test'], not 'train'" in cli_args.check_data(args)


@pytest.mark.parametrize("command", sorted(MODULES))
def test_help_shows_each_default_once(command):
    text = MODULES[command].build_parser().format_help()
    assert "(default: None)" not in text and "(default: False)" not in text
    for line in text.split("  -")[1:]:
        assert " ".join(line.split()).count("default") <= 1, line
    assert "(default: auto)" in " ".join(text.split())


def test_help_shows_list_defaults_as_typed_and_the_logdir_default_once():
    text = " ".join(train_autoencoder.build_parser().format_help().split())
    assert "(default: 256)" in text and "sampling (default: 0)" in text
    assert text.count("runs/train_autoencoder/<timestamp>") == 1


def test_deep_cluster_offers_no_resume_or_distribute():
    """It resumes per phase when re-run into the same --logdir; --resume/--distribute would be dead options."""
    options = {s for a in cluster_mnist.build_parser()._actions for s in a.option_strings}
    assert not {"--resume", "--distribute"} & options
    assert "re-run with the same --logdir to resume" in " ".join(cluster_mnist.build_parser().format_help().split())


def test_readme_says_which_options_each_command_takes():
    """The README's option lists match the parsers (issue #22: keras-mf-tutorials has no --seed or --logdir)."""
    from keras_mf.cli import reproduce_tutorials

    readme = " ".join(open(os.path.join(ROOT, "README.md")).read().split())
    tutorials = {s for a in reproduce_tutorials.build_parser()._actions for s in a.option_strings}
    assert tutorials == {"-h", "--help", "--version", "--markdown"}
    assert "`keras-mf-tutorials` takes `--help`, `--version` and `--markdown` only" in readme
    for module in MODULES.values():
        options = {s for a in module.build_parser()._actions for s in a.option_strings}
        assert {"--seed", "--logdir", "--data", "--data-dir", "--version"} <= options
