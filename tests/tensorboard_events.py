"""Reading TensorBoard event files back in tests: summaries, and the HParams plugin's session."""

import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata


def read_events(folder):
    """An `EventAccumulator` holding every summary of the event files directly in `folder`."""
    accumulator = EventAccumulator(folder, size_guidance={"tensors": 0, "images": 0})
    accumulator.Reload()
    return accumulator


def read_hparams(logdir):
    """The HParams session in `logdir`'s event files: `({hparam: value}, {"hparams/<metric>": value})`."""
    accumulator = read_events(logdir)
    content = accumulator.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data.content
    info = hparams_metadata.parse_session_start_info_plugin_data(content)
    values = {name: getattr(value, value.WhichOneof("kind")) for name, value in info.hparams.items()}
    metrics = {
        tag: float(tf.make_ndarray(accumulator.Tensors(tag)[0].tensor_proto))
        for tag in accumulator.Tags()["tensors"]
        if tag.startswith("hparams/")
    }
    return values, metrics


def image_size(events, tag):
    """`(width, height)` of the last image summary `tag` in `events`: it is stored as [width, height, encoded PNG]."""
    return tuple(int(v) for v in events.Tensors(tag)[-1].tensor_proto.string_val[:2])
