"""Photograph TensorBoard's Projector and HParams dashboards as a new user first sees them, in headless Chromium.

Runs every command briefly into one folder (or takes the runs you give with --logdir), starts TensorBoard on it
(127.0.0.1, a free port) and writes docs/projector.png and docs/hparams.png. The Projector draws with WebGL:
headless Chromium gets it from SwiftShader, its software renderer (--use-angle=swiftshader
--enable-unsafe-swiftshader); without those flags the Projector stays blank.

    python docs/screenshots.py                    # about five minutes on two CPU cores
    python docs/screenshots.py --logdir runs      # your own runs
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# Each command briefly, as `--logdir runs` would hold them: (module in keras_mf.cli, arguments).
RUNS = (
    ("train_autoencoder", ["--epochs", "5", "--train-split", "test[:8000]", "--eval-split", "test[8000:]"]),
    ("train_rnn", ["--epochs", "1", "--train-split", "test[:4000]", "--eval-split", "test[8000:]"]),
    ("compress_mnist", ["--epochs", "2", "--fine-tune-epochs", "1", "--train-split", "test[:4000]",
                        "--eval-split", "test[8000:]"]),
    ("snmf_mnist", ["--split", "test[:2000]", "--restarts", "2"]),
    ("cluster_mnist", ["--split", "test[:2000]", "--epochs", "5", "--layouts", "1", "--layout-steps", "2000",
                       "--self-train", "off"]),
)  # fmt: skip
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--hide-scrollbars",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
# (file, dashboard, window size, milliseconds of page time the dashboard gets to load and draw).
SHOTS = (("projector.png", "projector", (1280, 800), 40000), ("hparams.png", "hparams", (2300, 560), 20000))


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs"), help="folder the PNGs are written to")
    parser.add_argument("--logdir", default=None, help="runs to show (default: run each command briefly)")
    parser.add_argument("--browser", default=None, help="Chromium's executable (default: found on PATH)")
    return parser


def run_commands(root):
    """Runs each command of `RUNS` into `root/<module>/brief`, the bundled data, one process each."""
    env = dict(os.environ, PYTHONPATH=ROOT, KERAS_MF_OFFLINE="1")
    for module, argv in RUNS:
        logdir = os.path.join(root, module, "brief")
        print(f"running keras_mf.cli.{module} into {logdir} ...", flush=True)
        code = f"from keras_mf.cli.{module} import main; main({[*argv, '--data', 'bundled', '--logdir', logdir]!r})"
        subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL)


def screenshot(browser, url, path, size, budget_ms):
    command = [browser, *CHROMIUM_FLAGS, f"--window-size={size[0]},{size[1]}", f"--virtual-time-budget={budget_ms}",
               f"--screenshot={path}", url]  # fmt: skip
    subprocess.run(command, check=True, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")


def main(argv=None):
    args = build_parser().parse_args(argv)
    browser = args.browser or next(
        (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
    )
    if browser is None:
        sys.exit("screenshots.py: no Chromium found; pass --browser PATH")
    from keras_mf.training.board import tensorboard_server

    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        logdir = args.logdir or os.path.join(scratch, "runs")
        if args.logdir is None:
            run_commands(logdir)
        with tensorboard_server(logdir, wait_for_plugin="projector") as url:
            for name, dashboard, size, budget in SHOTS:
                screenshot(browser, f"{url}/#{dashboard}", os.path.join(args.out, name), size, budget)


if __name__ == "__main__":
    main()
