"""Sphinx configuration of the keras_mf site: five tutorial pages and six command pages executed by
sphinx-gallery at build time, and an API reference written from each module's ``__all__``.

Build (from the repository root): ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
"""

import logging
import os
import sys
import time
import warnings

# Every page runs offline on the bundled MNIST split, quietly, and on the CPU cores it is given.
os.environ.setdefault("KERAS_MF_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
sys.path.insert(0, os.path.dirname(HERE))  # the checkout's keras_mf, ahead of an installed copy

import keras_mf  # noqa: E402
from keras_mf.training.quiet import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up lines stay out of the build log
for noisy in ("tensorflow", "tensorboard", "absl"):
    logging.getLogger(noisy).setLevel(logging.ERROR)

project = "keras_mf"
author = "the keras_mf authors"
copyright = f"{time.strftime('%Y')}, {author}"
release = keras_mf.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "sphinx-mathjax-offline",  # MathJax 3 served with the site: pages render their maths without a network
    "kmf_docs",
]

exclude_patterns = ["_build", "README.md", "**/README.rst", "**/*.ipynb", "**/*.py.md5", "**/*.codeobj.json"]
templates_path = []
html_theme = "furo"
html_title = f"keras_mf {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"  # without one, browsers ask for /favicon.ico and log a 404
html_show_sourcelink = False
html_copy_source = False

# A reference that resolves nowhere is an error under -W; `x` in a docstring is inline code, as in Markdown.
nitpicky = True
default_role = "code"
# Napoleon reads a property docstring "Text: more" as "type: description"; a "type" holding a space is prose
# (the docstring pass rewrites those), never a reference to resolve.
nitpick_ignore_regex = [("py:class", r".*\s.*")]

# The library's docstrings are Google style ("Args:", "Returns:", "Example:").
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autosummary_generate = False

# Modules of the API reference, in the order the pages list them. A name that is not importable is skipped:
# the reorganisation of issue 21 moves the experiments under keras_mf.cli.experiments, and the old names
# are listed after the new ones so that each object is documented once, where it lives.
kmf_api_modules = [
    "keras_mf",
    "keras_mf.layers",
    "keras_mf.models",
    "keras_mf.compression",
    "keras_mf.factorization",
    "keras_mf.graph",
    "keras_mf.graph.pipeline",
    "keras_mf.cluster",
    "keras_mf.linalg",
    "keras_mf.datasets",
    "keras_mf.training",
    "keras_mf.exceptions",
    ("keras_mf.cli.experiments.worked_examples", "keras_mf.tutorials"),
    ("keras_mf.cli.experiments.compression",),
    ("keras_mf.cli.experiments.classifier",),
    ("keras_mf.cli.experiments.deep_symnmf",),
    # The console commands' modules: build_parser(), run(argv) (returns what the table shows) and main().
    "keras_mf.cli.train_autoencoder",
    "keras_mf.cli.train_rnn",
    "keras_mf.cli.compress_mnist",
    "keras_mf.cli.snmf_mnist",
    "keras_mf.cli.cluster_mnist",
    "keras_mf.cli.reproduce_tutorials",
]

sphinx_gallery_conf = {
    "examples_dirs": ["tutorials", "commands"],
    "gallery_dirs": ["auto_tutorials", "auto_commands"],
    "filename_pattern": r".*\.py$",  # every page is executed
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "plot_gallery": "True",
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
    "capture_repr": (),  # a page shows what it prints and plots, not the repr of its last expression
    "reset_modules": ("matplotlib", "seaborn", "kmf_docs.reset_keras"),
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "first_notebook_cell": None,
    "line_numbers": False,
}

# Python warnings from the pages' code (deprecations in TensorFlow, Keras and friends) are not Sphinx warnings;
# they stay out of the build log.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)
