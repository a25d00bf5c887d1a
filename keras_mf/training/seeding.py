"""One call that seeds Python, NumPy, TensorFlow and Keras."""

import keras


def set_seed(seed):
    """Seeds every random generator a run touches, so that the same seed gives the same run on CPU.

    Python's `random`, NumPy's global generator and the backend's (TensorFlow's) through
    `keras.utils.set_random_seed`.

    Args:
        seed: an integer (anything `int` takes).

    Raises:
        ValueError: `seed` cannot be read as an integer, or is negative.

    Example:
        >>> import numpy as np
        >>> from keras_mf.training import set_seed
        >>> set_seed(0)
        >>> first = np.random.rand()
        >>> set_seed(0)
        >>> np.random.rand() == first
        True
    """
    keras.utils.set_random_seed(int(seed))
