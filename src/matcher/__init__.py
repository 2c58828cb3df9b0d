"""matcher: match government cadres to temporary training posts (挂职锻炼) with CP-SAT."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("matcher")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
