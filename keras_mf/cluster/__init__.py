"""Clustering: k-means, partitions of codes (layouts, heads, SymNMF started from a partition), label-free choices
among partitions (modularity, confident points), and the quality measures (accuracy under the best matching, NMI,
contingency table, balance of cluster sizes).

`k_means` and `partition` are TensorFlow; `metrics` is numpy; `selection` numpy and scipy. Names load on first use
(PEP 562), so importing `keras_mf.cluster.metrics` does not import TensorFlow.
"""

from keras_mf._lazy import lazy_names

_ATTRIBUTES = {
    "kmeans": "k_means",
    "check_balance": "metrics",
    "clustering_accuracy": "metrics",
    "contingency_table": "metrics",
    "linear_sum_assignment": "metrics",
    "normalized_mutual_info": "metrics",
    "size_entropy": "metrics",
    "best_by_modularity": "selection",
    "cluster_codes": "partition",
    "confident_points": "selection",
    "layout_schedule": "partition",
    "modularity": "selection",
    "partition_heads": "partition",
    "partition_start": "partition",
    "symnmf_from_partition": "partition",
}

__all__ = sorted(_ATTRIBUTES)

__getattr__, __dir__ = lazy_names(__name__, _ATTRIBUTES)
