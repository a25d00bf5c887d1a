"""The experiments behind the console commands and the documentation: the deep SymNMF clustering pipeline, the
compression sweep, the MNIST classifier it compresses and the tutorials' worked examples. They use the library
(`keras_mf.layers`, `models`, `factorization`, `graph`, `cluster`, `linalg`) and are not part of it."""
