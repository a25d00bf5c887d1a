"""What a command's TensorBoard run holds, for the command pages: its dashboards and tags, its scalar
curves and its logged images, read back from the event files with TensorBoard's own reader."""

import io
import os
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from matplotlib.image import imread
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

DASHBOARDS = {
    "scalars": "Scalars",
    "images": "Images",
    "text": "Text",
    "histograms": "Histograms",
    "distributions": "Distributions",
    "hparams": "HParams",
}


def _event_folders(logdir):
    for folder, _, files in sorted(os.walk(logdir)):
        if any(name.startswith("events.out.tfevents") for name in files):
            yield folder


def _read(folder):
    events = EventAccumulator(folder, size_guidance={"tensors": 0, "images": 0, "scalars": 0})
    events.Reload()
    return events


def _plugin(events, tag):
    return events.SummaryMetadata(tag).plugin_data.plugin_name or "scalars"


def summarize(logdir):
    """Prints each run (event folder) of `logdir` with its tags, grouped by the dashboard that shows them."""
    print(f"tensorboard --logdir {logdir}")
    for folder in _event_folders(logdir):
        events = _read(folder)
        by_dashboard = {}
        for tag in events.Tags()["tensors"]:
            plugin = _plugin(events, tag)
            by_dashboard.setdefault(DASHBOARDS.get(plugin, plugin), []).append(f"{tag} ({len(events.Tensors(tag))})")
        for kind in ("histograms", "images", "scalars"):
            for tag in events.Tags()[kind]:
                by_dashboard.setdefault(DASHBOARDS[kind], []).append(tag)
        run = os.path.relpath(folder, logdir)
        print(f"\nrun {run!r}:")
        for dashboard, tags in sorted(by_dashboard.items()):
            print(f"  {dashboard:10s} {', '.join(sorted(tags))}")
    projector = os.path.join(logdir, "projector_config.pbtxt")
    if os.path.exists(projector):
        with open(projector, encoding="utf-8") as f:
            tensors = f.read().count("embeddings")
        print(f"\nProjector: {tensors} embedding(s) in projector_config.pbtxt")


def scalar_curves(logdir, tags, title=None):
    """Plots the (step, value) curves of scalar `tags` from every run folder of `logdir` that has them."""
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    for folder in _event_folders(logdir):
        events = _read(folder)
        run = os.path.relpath(folder, logdir)
        for tag in tags:
            if tag not in events.Tags()["tensors"]:
                continue
            points = events.Tensors(tag)
            steps = [p.step for p in points]
            values = [float(tf.make_ndarray(p.tensor_proto)) for p in points]
            ax.plot(steps, values, "o-", markersize=3, label=f"{run}: {tag}")
    ax.set_xlabel("step (epoch)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


def images(logdir, last_only=True):
    """Shows the images logged under `logdir` (the last step of each tag), each at its own size."""
    shown = []
    for folder in _event_folders(logdir):
        events = _read(folder)
        for tag in events.Tags()["tensors"]:
            if _plugin(events, tag) != "images":
                continue
            points = events.Tensors(tag)
            for point in points[-1:] if last_only else points:
                encoded = tf.make_ndarray(point.tensor_proto)  # [width, height, png, ...]
                for png in encoded[2:]:
                    pixels = imread(io.BytesIO(png), format="png")
                    height, width = pixels.shape[:2]
                    zoom = max(1, round(400 / width))  # small images (a grid of digits) shown enlarged
                    fig = plt.figure(figsize=(zoom * width / 100, zoom * height / 100 + 0.3), dpi=100)
                    ax = fig.add_axes((0, 0, 1, zoom * height / (zoom * height + 30)))
                    gray = pixels.ndim == 2 or pixels.shape[2] == 1  # TensorBoard shows these in gray levels
                    ax.imshow(pixels.squeeze(), cmap="gray" if gray else None, interpolation="nearest")
                    ax.set_axis_off()
                    fig.suptitle(f"{tag} (step {point.step})", fontsize=8, y=0.995)
                    shown.append(tag)
    return shown


def hparams(logdir):
    """Prints the HParams session of `logdir`: the run's arguments and its final metrics."""
    from tensorboard.plugins.hparams import metadata

    events = _read(logdir)
    content = events.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
    info = metadata.parse_session_start_info_plugin_data(content)
    values = {name: getattr(value, value.WhichOneof("kind")) for name, value in info.hparams.items()}
    print(textwrap.fill("hparams: " + ", ".join(f"{k}={v}" for k, v in sorted(values.items())), 88))
    metrics = {
        tag: float(np.asarray(tf.make_ndarray(events.Tensors(tag)[0].tensor_proto)))
        for tag in events.Tags()["tensors"]
        if tag.startswith("hparams/")
    }
    print(textwrap.fill("metrics: " + ", ".join(f"{k}={v:.4g}" for k, v in sorted(metrics.items())), 88))
