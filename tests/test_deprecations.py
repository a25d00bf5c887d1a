"""Names that moved (issue 21) still import from their old place for one release, with a DeprecationWarning that
names the new place, and are the very same objects."""

import importlib

import pytest

MOVED = [
    ("keras_mf.models.deep_clustering", "DeepSymNMF", "keras_mf.models.deep_symnmf"),
    ("keras_mf.models.deep_clustering", "target_distribution", "keras_mf.models.deep_symnmf"),
    ("keras_mf.models.deep_clustering", "ClusteringError", "keras_mf.exceptions"),
    ("keras_mf.models.deep_clustering", "fuzzy_knn_graph", "keras_mf.graph.fuzzy"),
    ("keras_mf.models.deep_clustering", "neighbor_layout", "keras_mf.graph.layout"),
    ("keras_mf.models.deep_clustering", "cluster_codes", "keras_mf.cluster.partition"),
    ("keras_mf.models.deep_clustering", "symnmf_from_partition", "keras_mf.cluster.partition"),
    ("keras_mf.models.deep_clustering", "check_balance", "keras_mf.cluster.metrics"),
    ("keras_mf.models.deep_clustering", "run_deep_symnmf", "keras_mf.cli.experiments.deep_symnmf"),
    ("keras_mf.models.deep_clustering", "ClusterMetrics", "keras_mf.cli.experiments.deep_symnmf"),
    ("keras_mf.compression", "compress_and_fine_tune", "keras_mf.cli.experiments.compression"),
    ("keras_mf.compression", "svd_error_curve", "keras_mf.cli.experiments.compression"),
    ("keras_mf.compression", "eckart_young_curve", "keras_mf.cli.experiments.compression"),
    ("keras_mf.compression", "dense_parameters", "keras_mf.cli.experiments.compression"),
    ("keras_mf.models", "mlp_classifier", "keras_mf.cli.experiments.classifier"),
    ("keras_mf.models", "compile_classifier", "keras_mf.cli.experiments.classifier"),
    ("keras_mf.tutorials", "symnmf_step", "keras_mf.cli.experiments.worked_examples"),
    ("keras_mf.tutorials", "run_all", "keras_mf.cli.experiments.worked_examples"),
]


@pytest.mark.parametrize("old, name, new", MOVED, ids=[f"{old}.{name}" for old, name, _ in MOVED])
def test_old_name_warns_and_is_the_new_object(old, name, new):
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=rf"{new}\.{name}"):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)


def test_unknown_names_still_raise_attribute_error():
    with pytest.raises(AttributeError):
        importlib.import_module("keras_mf.models.deep_clustering").no_such_name  # noqa: B018
