"""evaluate_chunked with fewer images than one batch: a ValueError naming `x`, not a ZeroDivisionError."""

import numpy as np
import pytest

from keras_mf import StatefulRNN
from keras_mf.training import evaluate_chunked


@pytest.mark.parametrize("images", [0, 1, 3])
def test_fewer_images_than_one_batch_are_refused(images):
    model = StatefulRNN(units=2, output_dim=2, stateful=True, batch_size=4)
    model.build((4, 2, 3))
    x, y = np.zeros((images, 4, 3), np.float32), np.zeros(images, np.int64)
    with pytest.raises(ValueError, match=rf"`x`, expected at least batch_size=4 images.*Received: x='{images} images'"):
        evaluate_chunked(model, x, y, chunks=2)
