"""Streaming Gram statistics for PCA: the mean and the scatter matrix Σ (x - mean)(x - mean)ᵀ of data seen
in batches, and their top eigenvectors.

Two accumulators with one interface (`as_floats(batch)`, `update(batch)`, `count`, `decompose(top)`):
  - `OpsGramAccumulator` (here), for every Keras backend: products in `keras.ops` (so on the backend's
    device), batches combined in float64 numpy by Chan's pairwise update, a float64 eigendecomposition.
  - `TensorFlowGramAccumulator` (`keras_mf.linalg._gram_tf`), the fast path on the TensorFlow backend.
`gram_accumulator(center)` picks the one for the current backend.
"""

import keras
import numpy as np


def gram_accumulator(center):
    """The accumulator for the running Keras backend: on TensorFlow the compiled one (see `_gram_tf`), which
    also takes the subspace solver; elsewhere `OpsGramAccumulator`. Imported here so that the other backends
    never load TensorFlow."""
    if keras.backend.backend() == "tensorflow":
        from keras_mf.linalg._gram_tf import TensorFlowGramAccumulator

        return TensorFlowGramAccumulator(center)
    return OpsGramAccumulator(center)


class OpsGramAccumulator:
    """Mean and scatter matrix from batches, on any Keras backend.

    Each batch is centred on its own mean before its product (so data far from the origin keeps its
    digits), and batches are merged exactly in float64 with Chan et al.'s update:
    S = S_a + S_b + (n_a n_b / n) (m_b − m_a)(m_b − m_a)ᵀ.
    """

    def __init__(self, center):
        self.center = center
        self.count = 0
        self.mean = self.scatter = None

    def as_floats(self, batch):
        """The batch as a backend tensor, integers (e.g. uint8 pixels) cast to float32."""
        batch = keras.ops.convert_to_tensor(batch)
        return batch if "float" in keras.backend.standardize_dtype(batch.dtype) else keras.ops.cast(batch, "float32")

    def update(self, batch):
        rows = int(batch.shape[0])
        batch_mean = keras.ops.mean(batch, axis=0) if self.center else keras.ops.zeros_like(batch[0])
        centred = batch - batch_mean
        gram = keras.ops.convert_to_numpy(keras.ops.matmul(keras.ops.transpose(centred), centred)).astype(np.float64)
        batch_mean = keras.ops.convert_to_numpy(batch_mean).astype(np.float64)
        if not (np.isfinite(gram).all() and np.isfinite(batch_mean).all()):
            raise non_finite_error()
        if self.count == 0:
            self.mean, self.scatter = batch_mean, gram
        else:
            total = self.count + rows
            delta = batch_mean - self.mean
            self.scatter = self.scatter + gram + (self.count * rows / total) * np.outer(delta, delta)
            self.mean = self.mean + delta * (rows / total)
        self.count += rows

    def decompose(self, top=None):
        """`(mean, singular values, components, total variance)`, float64, all features in descending order
        (`top` is accepted for the common interface; a full float64 eigh needs no subspace iteration)."""
        values, vectors = np.linalg.eigh(self.scatter)
        values, vectors = values[::-1], vectors[:, ::-1]
        total_variance = np.trace(self.scatter) / max(self.count - 1, 1)
        return self.mean, np.sqrt(np.maximum(values, 0.0)), fix_signs(vectors), total_variance


def non_finite_error():
    """The error both accumulators raise for a batch holding NaN or inf."""
    return ValueError("TruncatedSVD.adapt received NaN or inf values in the data.")


def fix_signs(vectors):
    """Makes the largest-magnitude entry of each column positive, so that fits are reproducible."""
    idx = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[idx, np.arange(vectors.shape[1])])
    return vectors * np.where(signs == 0, 1.0, signs)
