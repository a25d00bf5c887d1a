"""Sphinx helpers of the keras_mf site.

- The API reference: at the start of a build, one page per module of ``kmf_api_modules`` is written to
  ``api/generated/``, documenting every name of the module's ``__all__`` (or, without one, every public
  name the module defines itself). A module given as a tuple of names is the first of them that imports,
  so a module that the reorganisation moves is documented once, where it lives.
- ``.. worked-example:: NAME`` shows the source of one worked example function (the single source of truth
  that ``keras-mf-tutorials`` and TUTORIALS.md also use). At the end of the build every example of
  ``EXAMPLES`` must have been shown on some page, or the build warns (an error under ``-W``).
- ``KMF_DOCS_STRICT=1`` also warns for every public name whose docstring lacks a summary, an ``Args:``
  section for a function that takes arguments, or a ``Returns:`` section for a function that returns
  something: the list the docstring pass works through.
"""

import importlib
import inspect
import os
import re
import warnings

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

WORKED_EXAMPLE_MODULES = ("keras_mf.cli.experiments.worked_examples", "keras_mf.tutorials")


def import_first(names):
    """The first module of `names` that imports (its DeprecationWarning, if any, silenced), or None."""
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return importlib.import_module(name)
        except ImportError:
            continue
    return None


def worked_examples():
    module = import_first(WORKED_EXAMPLE_MODULES)
    if module is None:
        raise ImportError(f"none of {WORKED_EXAMPLE_MODULES} imports")
    return module


def public_names(module):
    """`__all__`, or the public functions and classes that `module` defines itself, in source order."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    found = []
    for name, value in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(value) or inspect.isclass(value)):
            continue
        if getattr(value, "__module__", None) == module.__name__:
            found.append(name)
    return found


def _kind(value):
    if inspect.isclass(value):
        return "exception" if issubclass(value, BaseException) else "class"
    if inspect.ismodule(value):
        return "module"
    if callable(value):
        return "function"
    return "data"


def api_page(module, pages=()):
    """reStructuredText of one module's reference page; `pages` names the modules that have one."""
    name = module.__name__
    lines = [name, "=" * len(name), "", f".. automodule:: {name}", "   :no-members:", ""]
    entries = []
    for attribute in public_names(module):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            value = getattr(module, attribute)
        entries.append((attribute, value, _kind(value)))
    if not entries:
        return "\n".join(lines)
    submodules = [(a, v) for a, v, k in entries if k == "module"]
    objects = [(a, v, k) for a, v, k in entries if k != "module"]
    if name == "keras_mf":
        # The top level re-exports: a table of links to where each is documented.
        lines += ["Names importable from the top level:", "", ".. list-table::", "   :header-rows: 0", ""]
        homes = getattr(module, "_ATTRIBUTES", {})
        for attribute, value, _ in objects:
            home = f"keras_mf.{homes[attribute]}" if attribute in homes else value.__module__.rsplit(".", 1)[0]
            lines += [f"   * - :py:obj:`keras_mf.{attribute} <{home}.{attribute}>`", f"     - {_summary(value)}"]
        documented = [f"keras_mf.{a}" for a, _ in submodules if f"keras_mf.{a}" in pages]
        lines += ["", "Modules: " + ", ".join(f":doc:`{n}`" for n in documented) + ".", ""]
        return "\n".join(lines)
    lines += [".. currentmodule:: " + name, "", ".. autosummary::", "   :nosignatures:", ""]
    lines += [f"   {attribute}" for attribute, _, _ in objects]
    lines.append("")
    for attribute, _, kind in objects:
        if kind in ("class", "exception"):
            lines += [
                f".. autoclass:: {attribute}",
                "   :members:",
                "   :exclude-members: build, call, get_config, "
                "from_config, compute_output_shape, build_from_config, get_build_config",
                "",
            ]
        elif kind == "function":
            lines += [f".. autofunction:: {attribute}", ""]
        else:
            lines += [f".. autodata:: {attribute}", "   :annotation:", ""]
    return "\n".join(lines)


def _summary(value):
    doc = inspect.getdoc(value) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    return first.replace("`", "``").replace("````", "``") or "(no docstring)"


def write_api_pages(app):
    """Writes api/generated/<module>.rst for every importable module of `kmf_api_modules`."""
    out = os.path.join(app.srcdir, "api", "generated")
    os.makedirs(out, exist_ok=True)
    modules = []
    for entry in app.config.kmf_api_modules:
        module = import_first(entry if isinstance(entry, (tuple, list)) else (entry,))
        if module is not None:
            modules.append(module)
    pages = {module.__name__ for module in modules}
    written = []
    for module in modules:
        text = api_page(module, pages)
        path = os.path.join(out, f"{module.__name__}.rst")
        # Rewrite only what changed, so that an incremental build re-reads only those pages.
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        written.append(f"{module.__name__}.rst")
    for stale in set(os.listdir(out)) - set(written):
        os.remove(os.path.join(out, stale))
    app.env.kmf_api_pages = written


class WorkedExample(SphinxDirective):
    """``.. worked-example:: name``: the source of one worked example function, highlighted."""

    required_arguments = 1
    option_spec = {"caption": directives.unchanged}

    def run(self):
        name = self.arguments[0]
        module = worked_examples()
        function = getattr(module, name, None)
        if function is None:
            raise self.error(f"worked-example: {module.__name__} has no function {name!r}")
        source = inspect.getsource(function)
        block = nodes.literal_block(source, source, language="python")
        caption = self.options.get("caption", f"{module.__name__}.{name}")
        container = nodes.container("", literal_block=True, classes=["literal-block-wrapper", "kmf-worked-example"])
        parsed, _ = self.state.inline_text(caption, self.lineno)
        container += nodes.caption(caption, "", *parsed)
        container += block
        shown = getattr(self.env, "kmf_worked_examples", {})
        shown.setdefault(name, set()).add(self.env.docname)
        self.env.kmf_worked_examples = shown
        return [container]


def _purge(app, env, docname):
    for pages in getattr(env, "kmf_worked_examples", {}).values():
        pages.discard(docname)


def _merge(app, env, docnames, other):
    shown = getattr(env, "kmf_worked_examples", {})
    for name, pages in getattr(other, "kmf_worked_examples", {}).items():
        shown.setdefault(name, set()).update(pages)
    env.kmf_worked_examples = shown


def check_examples_shown(app, env):
    """Every worked example appears on some page."""
    module = worked_examples()
    shown = {name for name, pages in getattr(env, "kmf_worked_examples", {}).items() if pages}
    for function in module.EXAMPLES:
        if function.__name__ not in shown:
            logger.warning(f"worked example {function.__name__} is shown on no page (.. worked-example::)")
    return []


_ARGS = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$", re.M)
_RETURNS = re.compile(r"^\s*(Returns|Yields):\s*$", re.M)


def strict_docstrings(app, what, name, obj, options, lines):
    """With KMF_DOCS_STRICT=1: warn for a public docstring without a summary, Args or Returns section."""
    if os.environ.get("KMF_DOCS_STRICT") != "1" or what not in ("function", "class", "method", "exception"):
        return
    doc = inspect.getdoc(obj) or ""
    problems = []
    if not doc.strip():
        problems.append("no docstring")
    if what in ("function", "method") or what == "class":
        target = obj.__init__ if what == "class" else obj
        try:
            parameters = [p for p in inspect.signature(target).parameters if p not in ("self", "cls")]
            parameters = [p for p in parameters if p not in ("args", "kwargs")]
        except (TypeError, ValueError):
            parameters = []
        if parameters and doc and not _ARGS.search(doc):
            problems.append(f"no Args: section for {', '.join(parameters)}")
        if what in ("function", "method") and doc and not _RETURNS.search(doc) and _returns_value(obj):
            problems.append("no Returns: section")
    if problems:
        logger.warning(f"docstring of {name}: {'; '.join(problems)}", type="kmf", subtype="docstring")


def _returns_value(function):
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return re.search(r"^[ \t]+return[ \t]+[^\s#]", source, re.M) is not None  # not a bare `return  # why`


_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")


def markdown_docstring(app, what, name, obj, options, lines):
    """Reads the library's plain-text docstrings as they are meant: `|x|` is an absolute value, not an rST
    substitution, and a list of "- " items may follow a line of text without a blank line between.

    Runs after napoleon; doctest blocks (`>>>` and their output) are left as they are.
    """
    out = []
    in_doctest = False
    list_indent = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            in_doctest, list_indent = False, None
            out.append(line)
            continue
        if stripped.startswith(">>>"):
            in_doctest = True
        if in_doctest:
            out.append(line)
            continue
        if list_indent is not None and indent < list_indent:
            out.append("")  # the list ended without the blank line rST needs
            list_indent = None
        if stripped[:2] in ("- ", "* ") and list_indent is None:
            if out and out[-1].strip():
                out.append("")  # the list started without the blank line rST needs
            list_indent = indent
        parts = _LITERAL.split(line)
        out.append("".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts)))
    lines[:] = out


def reset_keras(gallery_conf, fname):
    """sphinx-gallery's reset between pages: a fresh Keras session, so one page's models don't weigh on the next."""
    import sys

    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()


def skip_metadata_requests(app, what, name, obj, skip, options):
    """Leaves out scikit-learn's generated ``set_*_request`` methods.

    scikit-learn writes them for every estimator whose ``fit`` takes keyword arguments; their
    docstrings point into scikit-learn's own glossary, which this site cannot resolve.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.add_config_value("kmf_api_modules", [], "env")
    app.add_directive("worked-example", WorkedExample)
    app.connect("builder-inited", write_api_pages)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", lambda app, env: check_examples_shown(app, env))
    app.connect("autodoc-process-docstring", strict_docstrings)
    app.connect("autodoc-skip-member", skip_metadata_requests)
    app.connect("autodoc-process-docstring", markdown_docstring, priority=600)  # after napoleon (500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
