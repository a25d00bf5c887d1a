"""keras_mf.training.tables: every text file we write stays well-formed whatever the values hold (#24 item 9)."""

import numpy as np
import pytest

from keras_mf import training
from keras_mf.training.tables import tsv_cell


def test_markdown_table_escapes_pipes_and_line_breaks():
    table = training.markdown_table(["a|b", "c"], [["x|y", "two\nlines"], [0.123456789, 3]])
    assert table.splitlines() == ["| a\\|b | c |", "|---|---|", "| x\\|y | two<br>lines |", "| 0.12346 | 3 |"]


@pytest.mark.parametrize("value", ["tab\there", "new\nline", "carriage\rreturn", "", "  "])
def test_tsv_cells_refuse_tabs_line_breaks_and_blanks(value):
    with pytest.raises(ValueError, match="`labels`.*non-blank values without tabs or line breaks"):
        tsv_cell("labels", value)


@pytest.mark.parametrize("column", ["labels", "clusters"])
def test_projector_metadata_refuses_a_label_that_would_break_its_rows(tmp_path, column):
    values = np.array(["1", "2", "three\tcolumns"])
    arguments = {"codes": np.zeros((3, 2)), "labels": np.array(["a", "b", "c"]), column: values}
    with pytest.raises(ValueError, match=f"`{column}`"):
        training.write_projector(str(tmp_path), **arguments)
    assert not (tmp_path / "metadata.tsv").exists()


def test_projector_metadata_keeps_one_row_per_point_for_any_printable_label(tmp_path):
    labels = np.array(["a b", "ü|x", "#1", " 0"])
    training.write_projector(str(tmp_path), np.zeros((4, 2)), labels)
    assert (tmp_path / "metadata.tsv").read_text().split("\n") == ["a b", "ü|x", "#1", " 0", ""]
