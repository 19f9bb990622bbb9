"""The version of tether-content."""

__version__ = "0.1.0"
