"""The release checks CI runs on the built wheel (.ci/check_wheel.py), on wheels made here to order."""

import importlib.metadata
import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(ROOT, ".ci", "check_wheel.py")
DATA = ("MD5SUMS", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
ENTRY_POINTS = "[console_scripts]\n" + "".join(
    f"keras-mf-{name} = keras_mf.cli.x:main\n"
    for name in ("autoencoder", "rnn", "compress", "cluster", "deep-cluster", "tutorials")
)


def _wheel(path, leave_out=()):
    files = {
        "keras_mf/__init__.py": "",
        **{f"keras_mf/datasets/data/{name}": "x" for name in DATA},
        "keras_mf-0.2.0.dist-info/licenses/LICENSE": "Apache License",
        "keras_mf-0.2.0.dist-info/entry_points.txt": ENTRY_POINTS,
    }
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            if not any(name.endswith(part) for part in leave_out):
                wheel.writestr(name, text)
    return str(path)


@pytest.mark.parametrize(
    "leave_out, message",
    [
        ((), None),
        (("t10k-images-idx3-ubyte.gz",), "missing file keras_mf/datasets/data/t10k-images-idx3-ubyte.gz"),
        (("MD5SUMS",), "missing file keras_mf/datasets/data/MD5SUMS"),
        (("LICENSE",), "missing file LICENSE"),
        (("entry_points.txt",), "missing console command keras-mf-autoencoder"),
    ],
)
def test_wheel_check_names_what_is_missing(tmp_path, leave_out, message):
    wheel = _wheel(tmp_path / "keras_mf-0.2.0-py3-none-any.whl", leave_out)
    result = subprocess.run([sys.executable, CHECK, wheel], capture_output=True, text=True, timeout=60)
    if message is None:
        assert result.returncode == 0 and "wheel check passed" in result.stdout
    else:
        assert result.returncode == 1 and message in result.stderr


def test_installed_metadata_carries_the_licence():
    """What pip built from setup.cfg (CI installs the checkout first): the licence's SPDX name in the metadata, and
    the LICENSE file itself in the .dist-info folder, byte for byte the checkout's."""
    # The installed .dist-info, not a keras_mf.egg-info that a build left in the checkout (first on sys.path here).
    (distribution,) = [
        d
        for d in importlib.metadata.distributions(name="keras_mf")
        if any(".dist-info" in str(f) for f in d.files or [])
    ]
    assert distribution.metadata["License"] == "Apache-2.0"
    assert distribution.metadata.get_all("License-File") == ["LICENSE"]
    (shipped,) = [f for f in distribution.files if f.name == "LICENSE" and ".dist-info" in str(f)]
    text = shipped.read_text()
    assert text.lstrip().startswith("Apache License")
    assert text == open(os.path.join(ROOT, "LICENSE")).read()
