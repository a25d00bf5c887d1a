"""The HParams kind of each option over every command: a None default (a size rule, as keras-mf-deep-cluster's
--epochs and --batch-size) leaves the kind to the other commands' defaults instead of turning it into a string."""

import pytest

from keras_mf.cli import cluster_mnist
from keras_mf.cli._experiment import hparam_kinds


@pytest.mark.parametrize("dest", ["epochs", "batch_size"])
def test_a_none_default_keeps_the_other_commands_kind(dest):
    assert cluster_mnist.build_parser().get_default(dest) is None  # the deep-cluster rule, not a number
    assert hparam_kinds()[dest][2] == "number"


@pytest.mark.parametrize("dest, kind", [("layout_steps", "string"), ("layouts", "number"), ("augment", "string")])
def test_kinds_of_options_only_one_command_has(dest, kind):
    assert hparam_kinds()[dest][2] == kind
