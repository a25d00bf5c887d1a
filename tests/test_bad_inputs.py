"""One table of bad inputs over every public entry point: each must raise the stated exception type with a
message that names the argument (for commands: exit status 2 and the flag on standard error), before any
backend op sees the value."""

import importlib
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_mf import Autoencoder
from keras_mf import LowRankDense
from keras_mf import RandomAffine
from keras_mf import RecurrentCell
from keras_mf import StatefulRNN
from keras_mf import SymNMF
from keras_mf import TruncatedSVD
from keras_mf import cluster
from keras_mf import compress
from keras_mf import graph
from keras_mf import linalg
from keras_mf.cli import compress_mnist
from keras_mf.cli import reproduce_tutorials
from keras_mf.cli import snmf_mnist
from keras_mf.cli import train_autoencoder
from keras_mf.cli import train_rnn
from keras_mf.datasets import load_fashion_mnist
from keras_mf.datasets import load_mnist
from keras_mf.datasets import read_idx
from keras_mf.exceptions import NotFittedError
from keras_mf.models import DeepSymNMF
from keras_mf.training import evaluate_chunked

RNG = np.random.default_rng(0)
X = RNG.random((40, 6)).astype(np.float32)
SIMILARITY = np.abs(RNG.standard_normal((6, 6)))
SIMILARITY = SIMILARITY + SIMILARITY.T


def _with(value, row=0, column=0, x=X):
    x = x.copy()
    x[row, column] = value
    return x


def _adapted_svd():
    layer = TruncatedSVD(rank=2)
    layer.adapt(X)
    return layer


def _dense(built=True):
    dense = keras.layers.Dense(4)
    if built:
        dense.build((None, 6))
    return dense


def _mlp(built=True):
    model = keras.Sequential([keras.layers.Dense(4)])
    if built:
        model.build((None, 6))
    return model


def _fuzzy():
    return graph.fuzzy_knn_graph(X, 5)


def _stateful():
    model = StatefulRNN(3, 2, stateful=True, batch_size=4)
    model.build((4, 5, 2))
    return model


# (call, exception type, text the message must contain)
def _evaluate_chunked(**kwargs):
    model = StatefulRNN(units=2, output_dim=2, stateful=True, batch_size=2)
    model.build((2, 2, 3))
    arguments = {"x": np.zeros((4, 4, 3), np.float32), "y": np.zeros(4, np.int64), "chunks": 2} | kwargs
    return evaluate_chunked(model, **arguments)


LIBRARY = {
    "evaluate_chunked chunks not dividing the rows": (lambda: _evaluate_chunked(chunks=3), ValueError, "`chunks`"),
    "evaluate_chunked reset_every_chunk str": (
        lambda: _evaluate_chunked(reset_every_chunk="no"),
        TypeError,
        "`reset_every_chunk`",
    ),
    "size_entropy no labels": (lambda: cluster.size_entropy([], 2), ValueError, "`labels`"),
    "check_balance 2-D labels": (lambda: cluster.check_balance(np.ones((2, 2), int), 2), ValueError, "`labels`"),
    "check_balance n_clusters 0": (lambda: cluster.check_balance([0, 0], 0), ValueError, "`n_clusters`"),
    # TruncatedSVD: construction
    "svd rank 0": (lambda: TruncatedSVD(rank=0), ValueError, "`rank`"),
    "svd rank float": (lambda: TruncatedSVD(rank=2.5), ValueError, "`rank`"),
    "svd rank str": (lambda: TruncatedSVD(rank="3"), ValueError, "`rank`"),
    "svd rank bool": (lambda: TruncatedSVD(rank=True), ValueError, "`rank`"),
    "svd energy 0": (lambda: TruncatedSVD(energy=0.0), ValueError, "`energy`"),
    "svd energy > 1": (lambda: TruncatedSVD(energy=1.5), ValueError, "`energy`"),
    "svd energy str": (lambda: TruncatedSVD(energy="0.5"), ValueError, "`energy`"),
    "svd neither rank nor energy": (lambda: TruncatedSVD(), ValueError, "`rank` and `energy`"),
    "svd rank and energy": (lambda: TruncatedSVD(rank=2, energy=0.5), ValueError, "`rank` and `energy`"),
    "svd solver": (lambda: TruncatedSVD(rank=2, solver="lapack"), ValueError, "`solver`"),
    "svd center str": (lambda: TruncatedSVD(rank=2, center="yes"), TypeError, "`center`"),
    "svd fitted_rank 0": (lambda: TruncatedSVD(rank=2, fitted_rank=0), ValueError, "`fitted_rank`"),
    # TruncatedSVD: data
    "svd data str": (lambda: TruncatedSVD(rank=2).adapt(np.array([["a"] * 8] * 4)), TypeError, "`data`"),
    "svd data bool": (lambda: TruncatedSVD(rank=2).adapt(X > 0.5), TypeError, "`data`"),
    "svd data complex": (lambda: TruncatedSVD(rank=2).adapt(X.astype(complex)), TypeError, "`data`"),
    "svd data object": (lambda: TruncatedSVD(rank=2).adapt(X.astype(object)), TypeError, "`data`"),
    "svd data 1-D": (lambda: TruncatedSVD(rank=2).adapt([X[0]]), ValueError, "(batch, features)"),
    "svd data 3-D": (lambda: TruncatedSVD(rank=2).adapt(X.reshape(4, 10, 6)), ValueError, "(batch, features)"),
    "svd data empty": (lambda: TruncatedSVD(rank=2).adapt(X[:0]), ValueError, "no data"),
    "svd data NaN": (lambda: TruncatedSVD(rank=2).adapt(_with(np.nan)), ValueError, "NaN or inf"),
    "svd data inf": (lambda: TruncatedSVD(rank=2).adapt(_with(np.inf, 30, 5)), ValueError, "NaN or inf"),
    "svd data scalar": (lambda: TruncatedSVD(rank=2).adapt(3), TypeError, "data"),
    "svd rank > features": (lambda: TruncatedSVD(rank=7).adapt(X), ValueError, "`rank`"),
    "svd rank > samples": (lambda: TruncatedSVD(rank=5).adapt(X[:3]), ValueError, "`rank`"),
    "svd batch_size 0": (lambda: TruncatedSVD(rank=2).adapt(X, batch_size=0), ValueError, "`batch_size`"),
    "svd steps 0": (lambda: TruncatedSVD(rank=2).adapt(X, steps=0), ValueError, "`steps`"),
    "svd unfitted call": (lambda: TruncatedSVD(rank=2)(X), NotFittedError, "adapt"),
    "svd unfitted inverse": (lambda: TruncatedSVD(rank=2).inverse(X[:, :2]), NotFittedError, "adapt"),
    "svd wrong width": (lambda: _adapted_svd()(np.ones((2, 5), np.float32)), ValueError, "6 features"),
    "svd energy layer built first": (lambda: TruncatedSVD(energy=0.9).build((None, 6)), NotFittedError, "adapt"),
    # LowRankDense
    "low-rank units 0": (lambda: LowRankDense(0, 1), ValueError, "`units`"),
    "low-rank units str": (lambda: LowRankDense("4", 1), ValueError, "`units`"),
    "low-rank rank 0": (lambda: LowRankDense(4, 0), ValueError, "`rank`"),
    "low-rank rank float": (lambda: LowRankDense(4, 1.5), ValueError, "`rank`"),
    "low-rank activation": (lambda: LowRankDense(4, 1, activation="nope"), ValueError, "nope"),
    "low-rank use_bias str": (lambda: LowRankDense(4, 1, use_bias="no"), TypeError, "`use_bias`"),
    "low-rank rank > kernel": (lambda: LowRankDense(4, 5).build((None, 6)), ValueError, "`rank`"),
    "from_dense not Dense": (lambda: LowRankDense.from_dense(keras.layers.Flatten(), rank=1), TypeError, "`dense`"),
    "from_dense unbuilt": (lambda: LowRankDense.from_dense(_dense(built=False), rank=1), TypeError, "`dense`"),
    "from_dense rank too large": (lambda: LowRankDense.from_dense(_dense(), rank=5), ValueError, "`rank`"),
    "from_dense energy > 1": (lambda: LowRankDense.from_dense(_dense(), energy=2.0), ValueError, "`energy`"),
    # RecurrentCell and StatefulRNN
    "cell units 0": (lambda: RecurrentCell(0), ValueError, "`units`"),
    "cell output_dim 0": (lambda: RecurrentCell(3, output_dim=0), ValueError, "`output_dim`"),
    "cell activation": (lambda: RecurrentCell(3, activation="nope"), ValueError, "nope"),
    "affine image_shape 4-D": (lambda: RandomAffine((2, 2, 2, 2)), ValueError, "`image_shape`"),
    "affine max_shift 1": (lambda: RandomAffine((8, 8), max_shift=1.0), ValueError, "`max_shift`"),
    "rnn units 0": (lambda: StatefulRNN(0, 2), ValueError, "`units`"),
    "rnn output_dim 0": (lambda: StatefulRNN(3, 0), ValueError, "`output_dim`"),
    "rnn stateful without batch_size": (lambda: StatefulRNN(3, 2, stateful=True), ValueError, "`batch_size`"),
    "rnn batch_size 0": (lambda: StatefulRNN(3, 2, stateful=True, batch_size=0), ValueError, "`batch_size`"),
    "rnn 2-D input": (lambda: StatefulRNN(3, 2)(np.ones((4, 2), np.float32)), ValueError, "(batch, time, features)"),
    "rnn wrong batch": (lambda: _stateful()(np.ones((3, 5, 2), np.float32)), ValueError, "batch_size=4"),
    "rnn reset rows out of range": (lambda: _stateful().reset_state(rows=[4]), ValueError, "`rows`"),
    "rnn reset rows str": (lambda: _stateful().reset_state(rows=["a"]), ValueError, "`rows`"),
    # Autoencoder
    "ae latent_dim 0": (lambda: Autoencoder(latent_dim=0), ValueError, "`latent_dim`"),
    "ae latent_dim = features": (lambda: Autoencoder(latent_dim=784), ValueError, "`latent_dim`"),
    "ae latent_dim float": (lambda: Autoencoder(latent_dim=2.5), ValueError, "`latent_dim`"),
    "ae hidden_units 0": (lambda: Autoencoder(hidden_units=(0,)), ValueError, "`hidden_units`"),
    "ae hidden_units str": (lambda: Autoencoder(hidden_units="abc"), ValueError, "`hidden_units`"),
    "ae activation unknown": (lambda: Autoencoder(activation="swishy"), ValueError, "`activation`"),
    "ae activation int": (lambda: Autoencoder(activation=3), ValueError, "`activation`"),
    "ae output_activation": (lambda: Autoencoder(output_activation="nope"), ValueError, "`output_activation`"),
    "ae input_shape 0": (lambda: Autoencoder(input_shape=(0,)), ValueError, "`input_shape`"),
    "ae input_shape str": (lambda: Autoencoder(input_shape="784"), ValueError, "`input_shape`"),
    "ae wrong data shape": (lambda: Autoencoder()(np.zeros((2, 28, 28), np.float32)), ValueError, "(batch, 784)"),
    "ae init_from_pca nothing": (lambda: Autoencoder().init_from_pca(), ValueError, "`data`"),
    "ae init_from_pca rank": (
        lambda: Autoencoder(input_shape=(6,), latent_dim=3, linear=True).init_from_pca(pca=_adapted_svd()),
        ValueError,
        "`pca`",
    ),
    # DeepSymNMF
    "deep symnmf n_clusters 0": (lambda: DeepSymNMF(n_clusters=0), ValueError, "`n_clusters`"),
    "deep symnmf degrees_of_freedom": (lambda: DeepSymNMF(degrees_of_freedom=-1.0), ValueError, "`degrees_of_freedom`"),
    # compress
    "compress no budget": (lambda: compress(_mlp()), ValueError, "`rank`, `energy` and `param_fraction`"),
    "compress two budgets": (lambda: compress(_mlp(), rank=2, energy=0.5), ValueError, "`param_fraction`"),
    "compress rank 0": (lambda: compress(_mlp(), rank=0), ValueError, "`rank`"),
    "compress energy 0": (lambda: compress(_mlp(), energy=0.0), ValueError, "`energy`"),
    "compress fraction 2": (lambda: compress(_mlp(), param_fraction=2.0), ValueError, "`param_fraction`"),
    "compress not a model": (lambda: compress("mlp", rank=2), TypeError, "`model`"),
    "compress unbuilt model": (lambda: compress(_mlp(built=False), rank=2), TypeError, "`model`"),
    "compress min_params -1": (lambda: compress(_mlp(), rank=2, min_params=-1), ValueError, "`min_params`"),
    # SymNMF
    "symnmf n_components 0": (lambda: SymNMF(0).fit(SIMILARITY), ValueError, "`n_components`"),
    "symnmf n_components > n": (lambda: SymNMF(7).fit(SIMILARITY), ValueError, "`n_components`"),
    "symnmf max_iter 0": (lambda: SymNMF(2, max_iter=0).fit(SIMILARITY), ValueError, "`max_iter`"),
    "symnmf tol 0": (lambda: SymNMF(2, tol=0.0).fit(SIMILARITY), ValueError, "`tol`"),
    "symnmf n_init 0": (lambda: SymNMF(2, n_init=0).fit(SIMILARITY), ValueError, "`n_init`"),
    "symnmf solver": (lambda: SymNMF(2, solver="magic").fit(SIMILARITY), ValueError, "`solver`"),
    "symnmf random_state str": (lambda: SymNMF(2, random_state="x").fit(SIMILARITY), ValueError, "`random_state`"),
    "symnmf dtype": (lambda: SymNMF(2, dtype="float16").fit(SIMILARITY), ValueError, "`dtype`"),
    "symnmf non-square": (lambda: SymNMF(2).fit(SIMILARITY[:5]), ValueError, "`X`"),
    "symnmf negative": (lambda: SymNMF(2).fit(SIMILARITY - 10), ValueError, "Negative values in data passed to"),
    "symnmf NaN": (lambda: SymNMF(2).fit(_with(np.nan, x=SIMILARITY)), ValueError, "Input X contains NaN"),
    "symnmf asymmetric": (lambda: SymNMF(2).fit(np.triu(SIMILARITY)), ValueError, "`X`"),
    "symnmf no edges": (lambda: SymNMF(2).fit(np.zeros((5, 5))), ValueError, "`X`"),
    "symnmf str": (lambda: SymNMF(2).fit(np.array([["a"] * 6] * 6)), TypeError, "`X`"),
    "symnmf init shape": (lambda: SymNMF(2).fit(SIMILARITY, init=np.ones((6, 3))), ValueError, "`init`"),
    "symnmf init negative": (lambda: SymNMF(2).fit(SIMILARITY, init=-np.ones((6, 2))), ValueError, "`init`"),
    "symnmf unfitted": (lambda: SymNMF(2).objective(SIMILARITY), NotFittedError, "fit"),
    # graph
    "knn n_neighbors 0": (lambda: graph.knn_graph(X, n_neighbors=0), ValueError, "`n_neighbors`"),
    "knn n_neighbors >= n": (lambda: graph.knn_graph(X, n_neighbors=40), ValueError, "`n_neighbors`"),
    "knn local_scale": (lambda: graph.knn_graph(X, n_neighbors=3, local_scale=5), ValueError, "`local_scale`"),
    "knn block_size 0": (lambda: graph.knn_graph(X, block_size=0), ValueError, "`block_size`"),
    "knn 3-D points": (lambda: graph.knn_graph(X.reshape(4, 10, 6)), ValueError, "`x`"),
    "knn str points": (lambda: graph.knn_graph(np.array([["a"] * 6] * 40)), TypeError, "`x`"),
    "knn NaN points": (lambda: graph.knn_graph(_with(np.nan)), ValueError, "`x`"),
    "gaussian sigma 0": (lambda: graph.gaussian_similarity(X, sigma=0.0), ValueError, "`sigma`"),
    "gaussian sigma str": (lambda: graph.gaussian_similarity(X, sigma="1"), ValueError, "`sigma`"),
    "gaussian NaN points": (lambda: graph.gaussian_similarity(_with(np.inf), sigma=1.0), ValueError, "`x`"),
    "normalize isolated": (lambda: graph.normalize_adjacency(np.zeros((3, 3))), ValueError, "isolated"),
    "laplacian non-square": (lambda: graph.laplacian(np.ones((3, 4))), ValueError, "`w`"),
    "knn_graph one point": (
        lambda: graph.knn_graph(np.zeros((1, 2)), 1),
        ValueError,
        "`x`, expected at least 2 points",
    ),
    "nearest_neighbors one point": (
        lambda: graph.nearest_neighbors(np.zeros((1, 2)), 1),
        ValueError,
        "`x`, expected at least 2 points",
    ),
    "fuzzy_knn_graph two points": (
        lambda: graph.fuzzy_knn_graph(np.zeros((2, 2)), 2),
        ValueError,
        "`x`, expected at least 3 points",
    ),
    "degrees 1-D": (lambda: graph.degrees(np.ones(3)), ValueError, "`w`"),
    "squared_distances widths": (
        lambda: linalg.squared_distances(np.ones((2, 3)), np.ones((2, 4))),
        ValueError,
        "`b`",
    ),
    "gram_accumulator center str": (lambda: linalg.gram_accumulator("yes"), TypeError, "`center`"),
    "gram_accumulator dtype unknown": (lambda: linalg.gram_accumulator(True, "foo"), ValueError, "`dtype`"),
    "connected_components asymmetric": (
        lambda: graph.connected_components(np.triu(np.ones((3, 3)))),
        ValueError,
        "`w`, expected a symmetric",
    ),
    "spectral n_clusters 0": (lambda: graph.spectral_clustering(SIMILARITY, 0), ValueError, "`n_clusters`"),
    "spectral n_clusters > n": (lambda: graph.spectral_clustering(SIMILARITY, 7), ValueError, "`n_clusters`"),
    "spectral negative w": (lambda: graph.spectral_embedding(-SIMILARITY, 2), ValueError, "`w`"),
    "fiedler asymmetric": (lambda: graph.fiedler_vector(np.triu(SIMILARITY)), ValueError, "`w`"),
    "fiedler_bisection asymmetric": (lambda: graph.fiedler_bisection(np.triu(SIMILARITY)), ValueError, "`w`"),
    "nearest_neighbors k 0": (lambda: graph.nearest_neighbors(X, 0), ValueError, "`k`"),
    "nearest_neighbors k >= n": (lambda: graph.nearest_neighbors(X, 40), ValueError, "`k`"),
    "nearest_neighbors NaN points": (lambda: graph.nearest_neighbors(_with(np.nan), 2), ValueError, "`x`"),
    "fuzzy_knn_graph n_neighbors 1": (lambda: graph.fuzzy_knn_graph(X, 1), ValueError, "`n_neighbors`"),
    "fuzzy_knn_graph NaN points": (lambda: graph.fuzzy_knn_graph(_with(np.nan), 3), ValueError, "`x`"),
    "neighbor_layout n_components 0": (lambda: graph.neighbor_layout(_fuzzy(), 0), ValueError, "`n_components`"),
    "neighbor_layout steps 0": (lambda: graph.neighbor_layout(_fuzzy(), 2, steps=0), ValueError, "`steps`"),
    "neighbor_layout asymmetric": (lambda: graph.neighbor_layout(np.triu(SIMILARITY), 2), ValueError, "`w`"),
    # cluster
    "cluster_codes 1-D": (lambda: cluster.cluster_codes(np.ones(10), 2), ValueError, "`codes`"),
    "cluster_codes n_clusters 0": (lambda: cluster.cluster_codes(X, 0), ValueError, "`n_clusters`"),
    "cluster_codes layouts 0": (lambda: cluster.cluster_codes(X, 3, layouts=0), ValueError, "`layouts`"),
    "partition_heads NaN points": (lambda: cluster.partition_heads(_with(np.nan), 2), ValueError, "`space`"),
    "layout_schedule n_edges 0": (lambda: cluster.layout_schedule(0), ValueError, "`n_edges`"),
    "modularity labels": (lambda: cluster.modularity(SIMILARITY, [0, 1]), ValueError, "`labels`"),
    "best_by_modularity empty": (lambda: cluster.best_by_modularity(SIMILARITY, []), ValueError, "`candidates`"),
    "confident_points fraction 0": (
        lambda: cluster.confident_points(SIMILARITY, [0, 0, 0, 1, 1, 1], fraction=0.0),
        ValueError,
        "`fraction`",
    ),
    "partition_start label too large": (lambda: cluster.partition_start([0, 3], 2), ValueError, "`labels`"),
    "partition_start negative label": (lambda: cluster.partition_start([-1, 0], 2), ValueError, "`labels`"),
    "symnmf_from_partition labels": (
        lambda: cluster.symnmf_from_partition(SIMILARITY, [0, 1, 2, 3, 0, 1], 2),
        ValueError,
        "`labels`",
    ),
    "contingency lengths": (lambda: cluster.contingency_table([0, 1], [0]), ValueError, "`y_pred`"),
    "kmeans NaN": (lambda: cluster.kmeans(np.full((10, 2), np.nan), 2), ValueError, "`x`"),
    "kmeans str": (lambda: cluster.kmeans(np.array([["a", "b"]] * 10), 2), TypeError, "`x`"),
    "kmeans 1-D": (lambda: cluster.kmeans(np.ones(10), 2), ValueError, "`x`"),
    "kmeans n_clusters 0": (lambda: cluster.kmeans(X, 0), ValueError, "`n_clusters`"),
    "kmeans n_clusters > n": (lambda: cluster.kmeans(X, 41), ValueError, "`n_clusters`"),
    "kmeans n_init 0": (lambda: cluster.kmeans(X, 2, n_init=0), ValueError, "`n_init`"),
    "kmeans max_iter 0": (lambda: cluster.kmeans(X, 2, max_iter=0), ValueError, "`max_iter`"),
    "accuracy lengths": (lambda: cluster.clustering_accuracy([0, 1, 1], [0, 1]), ValueError, "y_pred"),
    "accuracy empty": (lambda: cluster.clustering_accuracy([], []), ValueError, "`y_true`"),
    "nmi lengths": (lambda: cluster.normalized_mutual_info([0, 1], [0, 1, 1]), ValueError, "y_pred"),
    "nmi 2-D labels": (
        lambda: cluster.normalized_mutual_info(np.ones((2, 2)), np.ones((2, 2))),
        ValueError,
        "`y_true`",
    ),
    "assignment 3-D cost": (lambda: cluster.linear_sum_assignment(np.ones((2, 2, 2))), ValueError, "`cost`"),
    "assignment NaN cost": (lambda: cluster.linear_sum_assignment(np.full((2, 2), np.nan)), ValueError, "`cost`"),
    # linalg
    "pinv 1-D": (lambda: linalg.pinv(np.ones(3)), ValueError, "`a`"),
    "pinv NaN": (lambda: linalg.pinv(_with(np.nan)), ValueError, "`a`"),
    "pinv str": (lambda: linalg.pinv(np.array([["a"]])), TypeError, "`a`"),
    "svd_inverse non-square": (lambda: linalg.svd_inverse(np.ones((2, 3))), ValueError, "`a`"),
    "svd_inverse singular": (lambda: linalg.svd_inverse(np.ones((2, 2))), ValueError, "singular"),
    "lstsq rows": (lambda: linalg.lstsq(np.ones((3, 2)), np.ones(4)), ValueError, "`b`"),
    "eigendecomposition defective": (
        lambda: linalg.eigendecomposition(np.array([[-1.0, 1, 0], [-4, 3, 0], [1, 0, 2]])),
        ValueError,
        "defective",
    ),
    "eigendecomposition non-square": (lambda: linalg.eigendecomposition(np.ones((2, 3))), ValueError, "`a`"),
    "condition_number 1-D": (lambda: linalg.condition_number(np.ones(3)), ValueError, "`a`"),
    "top_eigh k 0": (lambda: linalg.top_eigh(np.eye(4), 0), ValueError, "`k`"),
    "top_eigh k > n": (lambda: linalg.top_eigh(np.eye(4), 5), ValueError, "`k`"),
    "power_iteration non-square": (lambda: linalg.power_iteration(np.ones((2, 3))), ValueError, "`a`"),
    "principal_angles rows": (lambda: linalg.principal_angles(np.ones((3, 1)), np.ones((4, 1))), ValueError, "`b`"),
    "as_float_tensor str": (lambda: linalg.as_float_tensor(np.array([["a"]])), TypeError, "`a`"),
    "choose_rank 0": (lambda: linalg.choose_rank([1.0], 0, None, 1), ValueError, "`rank`"),
    "choose_rank rank and energy": (lambda: linalg.choose_rank([1.0], 1, 0.5, 1), ValueError, "`energy`"),
    "eigenvector_rank non-square": (lambda: linalg.eigenvector_rank(np.ones((2, 3))), ValueError, "`a`"),
    # datasets
    "read_idx missing file": (lambda: read_idx("/nonexistent/t10k-labels", 1), FileNotFoundError, "/nonexistent"),
    "mnist source": (lambda: load_mnist("test[:10]", source="web"), ValueError, "`source`"),
    "mnist shape": (lambda: load_mnist("test[:10]", source="bundled", shape="cube"), ValueError, "`shape`"),
    "mnist targets": (lambda: load_mnist("test[:10]", source="bundled", targets="both"), ValueError, "`targets`"),
    "mnist batch_size 0": (lambda: load_mnist("test[:10]", source="bundled", batch_size=0), ValueError, "`batch_size`"),
    "mnist unknown split": (lambda: load_mnist("validation", source="bundled"), ValueError, "`split`"),
    "mnist split int": (lambda: load_mnist(3, source="bundled"), ValueError, "`split`"),
    "mnist split percent": (lambda: load_mnist("test[:150%]", source="bundled"), ValueError, "`split`"),
    "mnist as_numpy batch": (
        lambda: load_mnist("test[:10]", source="bundled", as_numpy=True, batch_size=2),
        ValueError,
        "`batch_size`",
    ),
    "mnist idx empty folder": (
        lambda: load_mnist("test", source="idx", data_dir="/nonexistent"),
        ValueError,
        "`data_dir`",
    ),
    "fashion bundled": (lambda: load_fashion_mnist("test", source="bundled"), ValueError, "`source`"),
}

COMMANDS = {
    "autoencoder --latent-dim 0": (train_autoencoder, ["--latent-dim", "0"], "--latent-dim"),
    "autoencoder --epochs -1": (train_autoencoder, ["--epochs", "-1"], "--epochs"),
    "autoencoder --batch-size 0": (train_autoencoder, ["--batch-size", "0"], "--batch-size"),
    "autoencoder --learning-rate 0": (train_autoencoder, ["--learning-rate", "0"], "--learning-rate"),
    "autoencoder --hidden-units x": (train_autoencoder, ["--hidden-units", "x"], "--hidden-units"),
    "autoencoder --data web": (train_autoencoder, ["--data", "web"], "--data"),
    "autoencoder --logdir unwritable": (train_autoencoder, ["--logdir", "/proc/keras_mf/run"], "--logdir"),
    "autoencoder --activation": (train_autoencoder, ["--activation", "nope", "--epochs", "1"], "--activation"),
    "rnn --units 0": (train_rnn, ["--units", "0"], "--units"),
    "rnn --chunks 5": (train_rnn, ["--chunks", "5"], "--chunks"),
    "rnn --mode": (train_rnn, ["--mode", "columns"], "--mode"),
    "compress --fractions 0": (compress_mnist, ["--fractions", "0"], "--fractions"),
    "compress --ranks 0": (compress_mnist, ["--ranks", "0"], "--ranks"),
    "compress --fine-tune-epochs 0": (compress_mnist, ["--fine-tune-epochs", "0"], "--fine-tune-epochs"),
    "cluster --clusters 0": (snmf_mnist, ["--clusters", "0"], "--clusters"),
    "cluster --neighbors 0": (snmf_mnist, ["--neighbors", "0"], "--neighbors"),
    "cluster --max-iter 0": (snmf_mnist, ["--max-iter", "0"], "--max-iter"),
    "cluster --tol 0": (snmf_mnist, ["--tol", "0"], "--tol"),
    "cluster --clusters > images": (
        snmf_mnist,
        ["--clusters", "20", "--split", "test[:10]", "--data", "bundled"],
        "--clusters",
    ),
    "tutorials --bogus": (reproduce_tutorials, ["--bogus"], "--bogus"),
}


# Public names that need no row, with the reason.
NO_ROW_NEEDED = {}
PACKAGES = ("keras_mf", "keras_mf.models", "keras_mf.factorization", "keras_mf.graph", "keras_mf.cluster")
PACKAGES += ("keras_mf.linalg", "keras_mf.datasets")


def _names_used(call):
    """Every global and attribute name a row's call refers to, its helpers' included."""
    names, codes = set(), [call.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        codes.extend(globals()[n].__code__ for n in code.co_names if n.startswith("_") and callable(globals().get(n)))
    return names


def test_every_public_function_and_class_has_a_bad_input_row():
    """Each function and class the library's packages export is called with a bad value by some row (or named in
    NO_ROW_NEEDED with the reason): a new entry point cannot join the library without one."""
    used = set().union(*(_names_used(call) for call, _, _ in LIBRARY.values()))
    missing = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if not callable(value) or isinstance(value, types.ModuleType) or f"{package}.{name}" in NO_ROW_NEEDED:
                continue
            if name not in used:
                missing.append(f"{package}.{name}")
    assert missing == []


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_refuses_bad_input_naming_the_argument(name):
    call, error, text = LIBRARY[name]
    with pytest.raises(error) as caught:
        call()
    assert text in str(caught.value)
    # A backend error would mean the value reached TensorFlow before being checked.
    assert not isinstance(caught.value, tf.errors.OpError)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_commands_refuse_bad_arguments_naming_the_flag(name, capsys, tmp_path, monkeypatch):
    module, argv, flag = COMMANDS[name]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        module.main(
            argv
            + (
                ["--logdir", str(tmp_path / "run")]
                if "--logdir" not in argv and module is not reproduce_tutorials
                else []
            )
        )
    assert stop.value.code == 2
    assert flag in capsys.readouterr().err
