"""Deprecated: deep SymNMF clustering moved to `keras_mf.models.deep_symnmf` (the model), `keras_mf.graph` (the fuzzy
graph and the layout), `keras_mf.cluster` (partitions) and `keras_mf.cli.experiments.deep_symnmf` (the pipeline)."""

from keras_mf._deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "DeepSymNMF": "keras_mf.models.deep_symnmf",
        "target_distribution": "keras_mf.models.deep_symnmf",
        "ClusteringError": "keras_mf.exceptions",
        "fuzzy_knn_graph": "keras_mf.graph.fuzzy",
        "neighbor_layout": "keras_mf.graph.layout",
        "symnmf_from_partition": "keras_mf.cluster.partition",
        "cluster_codes": "keras_mf.cluster.partition",
        "check_balance": "keras_mf.cluster.metrics",
        "ClusterMetrics": "keras_mf.cli.experiments.deep_symnmf",
        "run_deep_symnmf": "keras_mf.cli.experiments.deep_symnmf",
        "log_scalars": "keras_mf.training.summaries",
    },
)
