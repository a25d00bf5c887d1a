"""Draw the README's figures (docs/*.png) from the bundled MNIST test images.

The code lives in `keras_mf/cli/make_figures.py`.
"""

from keras_mf.cli.make_figures import main

if __name__ == "__main__":
    main()
