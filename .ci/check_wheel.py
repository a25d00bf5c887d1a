"""Checks a built wheel holds what users need: the licence, the bundled MNIST split and its checksums, the
console commands. Exits 1 naming each missing file.

    python .ci/check_wheel.py dist/keras_mf-*.whl
"""

import configparser
import sys
import zipfile

REQUIRED = (
    "keras_mf/__init__.py",
    "keras_mf/datasets/data/MD5SUMS",
    "keras_mf/datasets/data/t10k-images-idx3-ubyte.gz",
    "keras_mf/datasets/data/t10k-labels-idx1-ubyte.gz",
)
COMMANDS = (
    "keras-mf-autoencoder",
    "keras-mf-rnn",
    "keras-mf-compress",
    "keras-mf-cluster",
    "keras-mf-deep-cluster",
    "keras-mf-tutorials",
)


def problems(path):
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        found = [f"missing file {name}" for name in REQUIRED if name not in names]
        if not any(
            name.endswith(".dist-info/licenses/LICENSE") or name.endswith(".dist-info/LICENSE") for name in names
        ):
            found.append("missing file LICENSE (in the .dist-info folder)")
        entry_points = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        parser = configparser.ConfigParser()
        if entry_points:
            parser.read_string(wheel.read(entry_points[0]).decode())
        scripts = parser["console_scripts"] if parser.has_section("console_scripts") else {}
        found += [f"missing console command {command}" for command in COMMANDS if command not in scripts]
    return found


def main(paths):
    if not paths:
        sys.exit("usage: python .ci/check_wheel.py WHEEL")
    failed = False
    for path in paths:
        for problem in problems(path):
            print(f"{path}: {problem}", file=sys.stderr)
            failed = True
    if failed:
        sys.exit(1)
    print(f"wheel check passed: {', '.join(paths)}")


if __name__ == "__main__":
    main(sys.argv[1:])
