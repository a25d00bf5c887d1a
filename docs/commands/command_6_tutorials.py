"""
keras-mf-tutorials
==================

Recomputes every worked example of the five tutorials and prints, for each, the tutorial's value, ours and a
verdict ("agrees", or "slip" with a one-line why); ``--markdown PATH`` also writes the table as Markdown
(the repository's ``TUTORIALS.md``). The examples are the functions shown on the five tutorial pages, in
context; this command runs them all at once. It trains nothing and takes no data.
"""

# %%
# Options
# -------
#
# .. argparse::
#    :module: keras_mf.cli.reproduce_tutorials
#    :func: build_parser
#    :prog: keras-mf-tutorials

# %%
# A run
# -----
#
# ``keras-mf-tutorials --markdown TUTORIALS.md``:

import os
import tempfile

from keras_mf.cli import reproduce_tutorials

markdown = os.path.join(tempfile.mkdtemp(prefix="keras-mf-tutorials-"), "TUTORIALS.md")
examples = reproduce_tutorials.run(["--markdown", markdown])

# %%
# Where each example is shown, by tutorial:

pages = {
    "000": "tutorial_000_autoencoders_rnns",
    "001": "tutorial_001_inverse",
    "002": "tutorial_002_linear_algebra",
    "003": "tutorial_003_maths",
    "004": "tutorial_004_svd",
}
for number, example in enumerate(examples, 1):
    seeds = sorted({part.strip()[:3] for part in example.source.split("/")})
    print(f"{number:2d}. {example.verdict:6s} {example.name:55s} {', '.join(pages[s] for s in seeds)}")

# %%
# The first lines of the Markdown it wrote:

with open(markdown, encoding="utf-8") as f:
    print("".join(f.readlines()[:9]))
