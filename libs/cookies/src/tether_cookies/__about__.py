"""The version of tether-cookies."""

__version__ = "0.1.0"
