"""The version of tether-urls."""

__version__ = "0.1.0"
