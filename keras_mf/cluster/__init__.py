"""Clustering: k-means, partitions by SymNMF started from a partition, and the quality measures (accuracy under the
best matching, NMI, contingency table, balance of cluster sizes).

`k_means` and `partition` are TensorFlow; `metrics` is numpy. Names load on first use (PEP 562), so importing
`keras_mf.cluster.metrics` does not import TensorFlow.
"""

import importlib

_ATTRIBUTES = {
    "kmeans": "k_means",
    "check_balance": "metrics",
    "clustering_accuracy": "metrics",
    "contingency_table": "metrics",
    "linear_sum_assignment": "metrics",
    "normalized_mutual_info": "metrics",
    "size_entropy": "metrics",
    "cluster_codes": "partition",
    "partition_start": "partition",
    "symnmf_from_partition": "partition",
}

__all__ = sorted(_ATTRIBUTES)


def __getattr__(name):
    if name not in _ATTRIBUTES:
        raise AttributeError(f"module 'keras_mf.cluster' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"keras_mf.cluster.{_ATTRIBUTES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
