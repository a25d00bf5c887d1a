"""keras-mf-tutorials: TUTORIALS.md is what the command writes; every option is read."""

import os

from option_reads import record_option_reads
from option_reads import unread_options
from paths import ROOT

from keras_mf.cli import reproduce_tutorials


def test_reproduce_tutorials_markdown_is_up_to_date(tmp_path, monkeypatch):
    reads = record_option_reads(monkeypatch)
    path = tmp_path / "t.md"
    reproduce_tutorials.run(["--markdown", str(path)])
    committed = open(os.path.join(ROOT, "TUTORIALS.md")).read()
    assert path.read_text() == committed, "regenerate TUTORIALS.md with keras-mf-tutorials --markdown TUTORIALS.md"
    assert unread_options(reproduce_tutorials, reads) == []
