"""One call that seeds Python, NumPy, TensorFlow and Keras."""

import keras


def set_seed(seed):
    """Seeds every random generator a run touches, so that the same seed gives the same run on CPU."""
    keras.utils.set_random_seed(int(seed))
