"""tebiki (手引き): telework security self-assessment from the MIC guideline v5 and CSAJ 2018."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tebiki")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
