"""Where the checkout is, for tests that read its files (README figures, TUTORIALS.md, scripts/)."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
