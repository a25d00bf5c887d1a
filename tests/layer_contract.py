"""The layer contract every keras_mf layer and model meets, in one call, modelled on Keras' own
`TestCase.run_layer_test` (keras/src/testing/test_case.py).

`run_layer_contract(case, tmp_path)` checks, for one `Case`:

1. shapes: a symbolic call on `keras.Input`, `compute_output_shape` and an eager call give the same
   shapes, and those are the shapes the case states (worked out by hand from the layer's arguments);
2. training: one SGD step on a fixed batch lowers the mean squared error by the amount first-order
   Taylor expansion predicts from the step itself. With plain SGD the step is Δw = −η g, so
   L(w + Δw) ≈ L(w) − η‖g‖²; the loss is computed in float64 numpy from the outputs, the step size η is
   chosen to lower it by about `DECREASE` (1%), and the measured decrease must be within
   `TAYLOR_RTOL` (10%) of the prediction, which holds only if the gradients Keras applied are the
   gradients of this loss. A layer without trainable weights must have none, and a Dense head trained on
   its output must leave the layer's variables bit-identical;
3. mixed precision: built under the `mixed_float16` policy with the float32 layer's weights, every
   output is float16, finite, and within float16 rounding of the float32 outputs;
4. serialization: a `.keras` save and load gives bit-identical variables (a fitted layer's statistics and a
   stateful model's state included) and outputs, and `get_config` → `from_config` → `get_config` gives the same
   config (tests/roundtrip.py).
"""

import dataclasses
from typing import Any
from typing import Callable

import keras
import numpy as np
from keras.ops import convert_to_numpy as to_numpy
from roundtrip import assert_roundtrip

STEPS = ("shapes", "training", "mixed_precision", "serialization")
DECREASE = 0.01  # the step lowers the loss by about 1%: far above the float32 round-off of the loss
TAYLOR_RTOL = 0.1  # the second-order term of a 1% step is about 1% of the first-order one (measured)
PROBE_RATE = 1e-4  # a first step that only measures the gradient (Δw = −η g), then undone
JIT_COMPILE = "auto"  # what a user gets: compiled (XLA under JAX), as Keras' own layer test uses
FLOAT16_RTOL = 2e-2  # float16 carries ~3 decimal digits; a few products and sums lose one more


@dataclasses.dataclass
class Case:
    """One layer or model under the contract.

    make: returns a fresh, seeded instance (fitted, for a layer fitted by `adapt`).
    inputs: a fixed batch.
    output_shape: the expected output shape(s) with `None` for the batch (a dict for dict outputs).
    batch_size: the batch size a symbolic input must have (a stateful model's), else None.
    before_call: called on the layer or model before each call that must start afresh (a stateful
        model's `reset_state`).
    skip: steps of `STEPS` this case leaves to a separate test, with the reason in that test.
    """

    make: Callable[[], Any]
    inputs: np.ndarray
    output_shape: Any
    batch_size: int | None = None
    before_call: Callable[[Any], None] | None = None
    skip: tuple = ()


def run_layer_contract(case, tmp_path):
    """Runs every step of the contract not in `case.skip` (see the module docstring)."""
    for step in STEPS:
        if step not in case.skip:
            globals()[f"check_{step}"](case, tmp_path)


def _flat(outputs):
    """All outputs of a call as a list of float64 arrays, in `keras.tree` order."""
    return [to_numpy(o).astype(np.float64) for o in keras.tree.flatten(outputs)]


def _call(case, obj, x):
    if case.before_call is not None:
        case.before_call(obj)
    return obj(x)


def _shapes(structure, shape_of=tuple):
    """Shapes as tuples: one, or a dict of them (keras.tree would walk into a shape tuple)."""
    if isinstance(structure, dict):
        return {key: _shapes(value, shape_of) for key, value in structure.items()}
    return tuple(shape_of(structure))


def _symbolic_input(case):
    return keras.Input(batch_shape=(case.batch_size,) + case.inputs.shape[1:])


def check_shapes(case, tmp_path=None):
    obj = case.make()
    symbolic_input = _symbolic_input(case)
    symbolic = _shapes(obj(symbolic_input), lambda t: t.shape)
    computed = _shapes(obj.compute_output_shape(tuple(symbolic_input.shape)))
    expected = _shapes(case.output_shape, lambda s: (case.batch_size,) + tuple(s[1:]))
    assert symbolic == expected, f"symbolic call: {symbolic}, expected {expected}"
    assert computed == expected, f"compute_output_shape: {computed}, expected {expected}"
    eager = _shapes(_call(case, obj, case.inputs), lambda t: t.shape)
    filled = _shapes(case.output_shape, lambda s: (len(case.inputs),) + tuple(s[1:]))
    assert eager == filled, f"eager call: {eager}, expected {filled}"


def _model_of(obj, case, head=None):
    """`obj` itself when it is a Model, else a functional model around it (and `head`, when given)."""
    if isinstance(obj, keras.Model) and head is None:
        return obj
    inputs = _symbolic_input(case)
    outputs = obj(inputs)
    return keras.Model(inputs, head(outputs) if head is not None else outputs)


def _targets(case, outputs):
    """Fixed targets of the outputs' shapes, drawn once per case: the loss has something to lower."""
    rng = np.random.default_rng(7)
    return keras.tree.map_structure(lambda o: rng.random(tuple(o.shape)).astype(np.float32), outputs)


def _mse(outputs, targets):
    """Keras' compiled loss for `"mse"` on each output, summed over outputs, in float64."""
    return sum(
        float(np.mean((o - t.astype(np.float64)) ** 2))
        for o, t in zip(_flat(outputs), keras.tree.flatten(targets), strict=True)
    )


def _sgd_step(model, case, x, targets, rate):
    """One plain SGD step (w ← w − η g) at learning rate `rate`; the compiled step is traced once per model."""
    if getattr(model, "optimizer", None) is None:
        loss = keras.tree.map_structure(lambda _: "mse", targets) if isinstance(targets, dict) else "mse"
        model.compile(optimizer=keras.optimizers.SGD(rate), loss=loss, jit_compile=JIT_COMPILE)
    model.optimizer.learning_rate = rate
    if case.before_call is not None:
        case.before_call(model)
    model.train_on_batch(x, targets)


def _squared_step(model, start):
    """‖Δw‖² over the trainable variables, against their values `start`, in float64."""
    return sum(
        float(np.sum((to_numpy(v).astype(np.float64) - w) ** 2))
        for v, w in zip(model.trainable_variables, start, strict=True)
    )


def check_training(case, tmp_path=None):
    obj = case.make()
    _call(case, obj, case.inputs)  # built
    head = None
    if not obj.trainable_weights:
        # A fitted, non-trainable layer: nothing of it may train; a Dense head on its output shows that the
        # optimizer leaves its variables alone while the rest of a model learns.
        assert obj.non_trainable_weights, "a layer without any weights is not under this contract"
        head = keras.layers.Dense(8)
    model = _model_of(obj, case, head)
    frozen = [to_numpy(v).copy() for v in obj.non_trainable_variables]
    x = case.inputs
    outputs = _call(case, model, x)
    targets = _targets(case, outputs)
    start = [to_numpy(v).copy() for v in model.trainable_variables]
    before = _mse(outputs, targets)

    def restore():
        for variable, value in zip(model.trainable_variables, start, strict=True):
            variable.assign(value)

    _sgd_step(model, case, x, targets, PROBE_RATE)
    probe = _squared_step(model, start) / PROBE_RATE**2  # ‖g‖², roughly: the probe moves weights by few ulps
    assert probe > 0, "the probe step changed no trainable weight"
    restore()
    rate = DECREASE * before / probe
    _sgd_step(model, case, x, targets, rate)
    after = _mse(_call(case, model, x), targets)
    predicted = _squared_step(model, start) / rate  # η‖g‖² = ‖Δw‖²/η, from the step itself
    assert before - after > 0.5 * DECREASE * before, (before, after)
    assert abs((before - after) - predicted) <= TAYLOR_RTOL * predicted, (
        f"loss {before:.6g} -> {after:.6g}: decrease {before - after:.4g}, first order predicts {predicted:.4g}"
    )
    changed = [not np.array_equal(to_numpy(v), w) for v, w in zip(model.trainable_variables, start, strict=True)]
    assert all(changed), f"trainable variables left unchanged by the step: {changed}"
    if head is not None:
        for variable, value in zip(obj.non_trainable_variables, frozen, strict=True):
            np.testing.assert_array_equal(to_numpy(variable), value)


def check_mixed_precision(case, tmp_path=None):
    reference = case.make()
    expected = _flat(_call(case, reference, case.inputs))
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        half = case.make()
        half(_symbolic_input(case))  # built, without an eager call (each one compiles under JAX)
        half.set_weights(reference.get_weights())
        outputs = _call(case, half, case.inputs)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    dtypes = [keras.backend.standardize_dtype(o.dtype) for o in keras.tree.flatten(outputs)]
    assert dtypes == ["float16"] * len(dtypes), dtypes
    for got, want in zip(_flat(outputs), expected, strict=True):
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=0, atol=FLOAT16_RTOL * max(1.0, np.abs(want).max()))


def check_serialization(case, tmp_path):
    obj = case.make()

    # assert_roundtrip's first call builds the model, and leaves a stateful model with a state worth saving.
    def call(model, x):
        return np.concatenate([o.ravel() for o in _flat(_call(case, model, x))])

    assert_roundtrip(obj, case.inputs, tmp_path, atol=0.0, call=call)
