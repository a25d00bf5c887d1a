"""write_projector: the TensorBoard Projector's files, read back."""

import numpy as np
import pytest

from keras_mf import training


@pytest.mark.parametrize("with_clusters", [False, True])
def test_write_projector_reads_back(tmp_path, with_clusters):
    import tensorflow as tf
    from google.protobuf import text_format
    from tensorboard.plugins import projector

    rng = np.random.default_rng(0)
    codes = rng.normal(size=(10, 3)).astype(np.float32)
    labels = np.arange(10) % 4
    images = rng.random((10, 784)).astype(np.float32)
    clusters = (np.arange(10) * 7) % 3 if with_clusters else None
    path = training.write_projector(str(tmp_path), codes, labels, images=images, clusters=clusters)

    config = text_format.Parse(open(path).read(), projector.ProjectorConfig())
    columns = ["label", "cluster"] if with_clusters else ["label"]
    names = ["codes, coloured by label", "codes, coloured by their cluster"][: len(columns)]
    assert [e.tensor_name for e in config.embeddings] == names
    assert names == sorted(names)  # the Projector sorts tensors by name and opens on the first: the label's
    for column, embedding in zip(columns, config.embeddings, strict=True):
        assert (embedding.metadata_path, embedding.sprite.image_path) == ("metadata.tsv", f"sprite_{column}.png")
        assert list(embedding.sprite.single_image_dim) == [28, 28]
        stored = np.loadtxt(tmp_path / embedding.tensor_path, delimiter="\t", dtype=np.float32)
        np.testing.assert_array_equal(stored, codes)
    rows = [line.split("\t") for line in (tmp_path / "metadata.tsv").read_text().splitlines()]
    if with_clusters:
        assert rows[0] == ["label", "cluster"]
        assert rows[1:] == [[str(a), str(b)] for a, b in zip(labels, clusters, strict=True)]
    else:
        assert rows == [[str(a)] for a in labels]
    sprite = tf.io.decode_png(tf.io.read_file(str(tmp_path / "sprite_label.png"))).numpy()
    assert sprite.shape == (4 * 28, 4 * 28, 4)  # ceil(sqrt(10)) tiles a side, RGBA
    tile = sprite[28:56, 56:84]  # image 6, label 2: ink is the alpha channel, in the palette's third colour
    np.testing.assert_allclose(tile[:, :, 3] / 255, images[6].reshape(28, 28), atol=0.5 / 255 + 1e-6)
    assert tuple(tile[0, 0, :3]) == (0x2C, 0xA0, 0x2C)
    assert np.all(sprite[3 * 28 :, 2 * 28 :, 3] == 0)  # the unused tiles are transparent


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"labels": np.zeros(3)}, "labels"),
        ({"clusters": np.zeros(4)}, "clusters"),
        ({"images": np.zeros((4, 784))}, "images"),
        ({"images": np.zeros((5, 10))}, "images"),
        ({"codes": np.full((5, 2), np.nan)}, "codes"),
    ],
)
def test_write_projector_refuses_bad_input(tmp_path, kwargs, name):
    arguments = {"codes": np.zeros((5, 2)), "labels": np.zeros(5), **kwargs}
    with pytest.raises(ValueError, match=f"`{name}`"):
        training.write_projector(str(tmp_path), **arguments)
