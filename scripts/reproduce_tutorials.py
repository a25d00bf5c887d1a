"""Recompute every worked example of the tutorials and print the tutorial's value, ours and a verdict.

The same command as `keras-mf-tutorials` (installed by `pip install keras_mf`);
see `keras_mf/cli/reproduce_tutorials.py`.
"""

from keras_mf.cli.reproduce_tutorials import main

if __name__ == "__main__":
    main()
