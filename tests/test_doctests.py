"""Every docstring example in keras_mf runs as a doctest (issue 22): an example that raises, or prints something
other than what its docstring shows, fails here with the module, the object and the line.

The examples are collected from every module of the package (`pkgutil.walk_packages`), so a new module's examples
run without being listed, and each one runs in a namespace of its own: an example that uses a name it does not
import fails, because a reader who copies it would fail too. `pytest` runs them all (CI's command); the examples in
`SLOW` are left out of the fast loop, `pytest -m "not slow"`.
"""

import doctest
import importlib
import pkgutil
import warnings

import pytest

import keras_mf

# `...` in an expected output matches anything (a timing, an address); nothing else is loosened.
OPTIONS = doctest.ELLIPSIS

# Examples in the files that phase B of the docstring pass (issue 22) rewrites, which fail today. Each is a strict
# xfail: it must fail, so that an example phase B fixes turns this test red until its entry is removed here.
PHASE_B = {
    "keras_mf.graph.pipeline.cluster": "uses `x` without defining it",
    "keras_mf.graph.similarity.knn_graph": "uses its module's names without importing them",
    "keras_mf.models.deep_symnmf.DeepSymNMF": "uses names it does not define",
}

# Examples that take more than about a second on two busy cores: run by `pytest`, left out of `-m "not slow"`.
SLOW = {
    "keras_mf.cli.experiments.worked_examples.run_all",
    "keras_mf.cli.compress_mnist.run",
    "keras_mf.cli.make_figures.run",
    "keras_mf.cli.make_figures.symnmf_confusion_figure",
    "keras_mf.cli.reproduce_tutorials.run",
    "keras_mf.cli.snmf_mnist.run",
    "keras_mf.cli.train_autoencoder.run",
    "keras_mf.cli.train_rnn.run",
}


def _modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # keras_mf.tutorials, the deprecated alias
        yield keras_mf
        for info in pkgutil.walk_packages(keras_mf.__path__, prefix="keras_mf."):
            yield importlib.import_module(info.name)


def _examples():
    finder = doctest.DocTestFinder()
    found = []
    for module in _modules():
        # globs={}: each example starts from an empty namespace, not from its module's (see the module docstring).
        for test in finder.find(module, module.__name__, globs={}):
            if not test.examples:
                continue
            marks = []
            if test.name in PHASE_B:
                marks.append(pytest.mark.xfail(strict=True, reason=f"phase B of issue 22: {PHASE_B[test.name]}"))
            if test.name in SLOW:
                marks.append(pytest.mark.slow)
            found.append(pytest.param(test, id=test.name, marks=marks))
    return sorted(found, key=lambda param: param.id)


EXAMPLES = _examples()


def test_lists_name_existing_examples():
    """PHASE_B and SLOW name examples that exist, so that a renamed object cannot leave a stale entry behind."""
    names = {param.id for param in EXAMPLES}
    assert not (set(PHASE_B) | SLOW) - names


@pytest.mark.parametrize("test", EXAMPLES)
def test_docstring_example(test):
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report = []
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.failed == 0, "".join(report)
