"""Result tables."""

from keras_mf import training


def test_format_table():
    table = training.format_table(["a", "b"], [["x", 0.123456789], ["yy", 3]])
    assert table.splitlines()[2].split() == ["x", "0.12346"]
