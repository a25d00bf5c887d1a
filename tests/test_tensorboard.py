"""Every command that writes logs, run briefly into one folder as a user runs them, then TensorBoard on it (issue
#23's goals): the commands print no TensorFlow/absl noise (this is the suite's quiet-start check: each in its own
process, TF_CPP_MIN_LOG_LEVEL unset) and end with their `tensorboard --logdir` line; TensorBoard's own HTTP
endpoints show a Projector run with metadata first, one HParams row per run naming its command with its final
metrics, and no graph that its Graphs dashboard cannot open."""

import os
import re
import subprocess
import sys

import pytest

from keras_mf.cli import _experiment
from keras_mf.training.board import get_json
from keras_mf.training.board import get_text
from keras_mf.training.board import tensorboard_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPLITS = ["--train-split", "test[:1000]", "--eval-split", "test[1000:1300]"]
# Each command briefly: (its script, its arguments, the metrics its HParams row must carry).
RUNS = {
    "keras-mf-autoencoder": (
        "train_autoencoder",
        ["--epochs", "2", "--hidden-units", "16", "--latent-dim", "4", *SPLITS],
        {"eval_mse", "pca_eval_mse", "train_mse", "seconds"},
    ),
    "keras-mf-rnn": ("train_rnn", ["--epochs", "1", "--units", "8", *SPLITS], {"eval_accuracy", "seconds"}),
    "keras-mf-compress": (
        "compress_mnist",
        [
            "--epochs",
            "1",
            "--fine-tune-epochs",
            "1",
            "--hidden-units",
            "16",
            "--fractions",
            "0.5",
            "--ranks",
            "4",
            "8",
            *SPLITS,
        ],
        {"eval_accuracy", "compressed_accuracy", "compressed_parameters", "seconds"},
    ),  # fmt: skip
    "keras-mf-cluster": (
        "snmf_mnist",
        ["--split", "test[:300]", "--restarts", "1", "--max-iter", "100"],
        {"cluster_accuracy", "cluster_nmi", "spectral_accuracy", "spectral_nmi", "seconds"},
    ),
    "keras-mf-deep-cluster": (
        "cluster_mnist",
        ["--split", "test[:300]", "--epochs", "1", "--layouts", "1", "--layout-steps", "200", "--self-train", "off"],
        {"cluster_accuracy", "cluster_nmi", "seconds"},
    ),
}
NOISE = ("W0000", "I0000", "E0000", "WARNING:absl", "WARNING:tensorflow", "WARNING: All log messages")


def _run(script, argv, cwd):
    """Runs `python scripts/<script>.py argv` as a user would: TensorFlow's log level unset, offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_MF_MNIST_DIR")}
    env.update(PYTHONPATH=ROOT, KERAS_MF_OFFLINE="1")
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", f"{script}.py"), *argv],
        capture_output=True, text=True, timeout=900, env=env, cwd=cwd,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    noisy = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith(NOISE)]
    assert noisy == [], noisy
    return result.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every command run once into `runs/<script>/brief`."""
    root = tmp_path_factory.mktemp("tb")
    for script, argv, _ in RUNS.values():
        logdir = root / "runs" / script / "brief"
        out = _run(script, [*argv, "--data", "bundled", "--logdir", str(logdir)], root)
        assert out.rstrip().splitlines()[-1] == f"view:  tensorboard --logdir {logdir}"
        assert re.search(rf"^  {re.escape(str(logdir))}/ +TensorBoard logs", out, re.M), out[-2000:]
    return root / "runs"


@pytest.fixture(scope="module")
def board(runs):
    with tensorboard_server(runs, wait_for_plugin="projector") as url:
        yield url
    # Stopped: the port no longer answers.
    with pytest.raises(OSError):
        get_json(url, "/data/plugins_listing")


@pytest.mark.slow
def test_dashboards_are_active(board):
    listing = get_json(board, "/data/plugins_listing")
    for plugin in ("timeseries", "scalars", "custom_scalars", "images", "text", "graphs", "hparams", "projector"):
        assert listing[plugin]["enabled"], plugin


@pytest.mark.slow
def test_projector_offers_only_runs_with_metadata_and_the_first_has_a_label_column(board):
    runs = get_json(board, "/data/plugin/projector/runs")
    assert sorted(runs) == sorted(f"{script}/brief" for script in ("train_autoencoder", "snmf_mnist", "cluster_mnist"))
    for run in runs:
        info = get_json(board, f"/data/plugin/projector/info?run={run}")
        assert info["embeddings"] and all(e.get("metadataPath") for e in info["embeddings"]), (run, info)
        assert all(e["sprite"]["imagePath"] for e in info["embeddings"])
    first = get_json(board, f"/data/plugin/projector/info?run={runs[0]}")["embeddings"][0]
    # The Projector opens on the first tensor of the first run, sorted by name: the label's sorts first.
    names = [e["tensorName"] for e in get_json(board, f"/data/plugin/projector/info?run={runs[0]}")["embeddings"]]
    assert first["tensorName"] == min(names) and first["tensorName"].endswith(", coloured by label")
    name = first["tensorName"].replace(" ", "%20").replace(",", "%2C")
    metadata = get_text(board, f"/data/plugin/projector/metadata?run={runs[0]}&name={name}").splitlines()
    columns = metadata[0].split("\t") if "\t" in metadata[0] else ["label"]
    assert columns[0] == "label"
    assert len(metadata) - (len(columns) > 1) == first["tensorShape"][0]
    tensor = get_text(board, f"/data/plugin/projector/info?run={runs[0]}")
    assert "tensorPath" in tensor


@pytest.mark.slow
def test_hparams_has_one_named_row_per_run_with_its_final_metrics(board):
    experiment = get_json(board, "/data/plugin/hparams/experiment", {"experimentName": ""})
    assert [m["displayName"] for m in experiment["metricInfos"]] == [d for _, d, _ in _experiment.METRICS]
    request = {
        "experimentName": "",
        "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
        "colParams": [],
        "startIndex": 0,
        "sliceSize": 100,
    }
    groups = get_json(board, "/data/plugin/hparams/session_groups", request)["sessionGroups"]
    assert len(groups) == len(RUNS)
    for group in groups:
        command = group["hparams"]["command"]
        assert group["name"] == f"{command.removeprefix('keras-mf-')}: brief"
        (session,) = group["sessions"]
        assert session["name"] == f"{_experiment.COMMANDS[command]}/brief"
        metrics = {value["name"]["tag"].removeprefix("hparams/") for value in group["metricValues"]}
        assert metrics == RUNS[command][2], command
        options = group["hparams"]["options"].split()
        assert "--data" in options and all(a in options for a in RUNS[command][1] if a.startswith("--")), options


@pytest.mark.slow
def test_graphs_offers_only_graphs_it_can_draw(board):
    """TensorBoard 2.21 opens a run's graph as an op graph; a run with only Keras' conceptual graph showed
    "Malformed GraphDef". Every run offered has the trained model's op graph, and it parses."""
    info = get_json(board, "/data/plugin/graphs/info")
    assert set(info) == {f"{s}/brief/train" for s in ("train_autoencoder", "train_rnn", "compress_mnist")}
    for run, entry in info.items():
        assert entry["run_graph"] and not entry["tags"], entry  # no conceptual-only tag
        graph = get_text(board, f"/data/plugin/graphs/graph?run={run}")
        assert graph.startswith("node {") and "MatMul" in graph, graph[:300]


@pytest.mark.slow
def test_scalars_are_time_series_and_the_reconstruction_chart_overlays_pca(board):
    tags = get_json(board, "/data/plugin/scalars/tags")
    for run, run_tags in tags.items():
        for tag in run_tags:
            # Final results are the HParams metrics: no budget, rank or method is logged as a step.
            assert not tag.startswith(("compression/", "svd/", "spectral/")), (run, tag)
            assert not (run.startswith("snmf_mnist") and tag.startswith(("symnmf/accuracy", "symnmf/nmi"))), tag
    layout = get_json(board, "/data/plugin/custom_scalars/layout")
    (category,) = layout["category"]
    (chart,) = category["chart"]
    assert chart["multiline"]["tag"] == ["^reconstruction_mse/"]
    assert {"reconstruction_mse/model", "reconstruction_mse/pca"} <= set(tags["train_autoencoder/brief/validation"])
