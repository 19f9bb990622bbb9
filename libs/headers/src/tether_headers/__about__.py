"""The version of tether-headers."""

__version__ = "0.1.0"
