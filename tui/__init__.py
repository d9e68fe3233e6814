"""Sidenote's terminal side: the Textual app and the `sidenote` command line."""

# The one place the release number is written: pyproject.toml reads it from here, and
# `sidenote --version` prints it without importlib.metadata's scan of site-packages.
__version__ = "0.1.0"
