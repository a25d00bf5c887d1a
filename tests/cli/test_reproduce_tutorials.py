"""keras-mf-tutorials: TUTORIALS.md is what the command writes."""

import os

from paths import ROOT

from keras_mf.cli import reproduce_tutorials


def test_reproduce_tutorials_markdown_is_up_to_date(tmp_path):
    path = tmp_path / "t.md"
    examples = reproduce_tutorials.run(["--markdown", str(path)])
    committed = open(os.path.join(ROOT, "TUTORIALS.md")).read()
    assert path.read_text() == committed, "regenerate TUTORIALS.md with keras-mf-tutorials --markdown TUTORIALS.md"
    assert len(examples) >= 20
