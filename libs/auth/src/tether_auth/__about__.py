"""The version of tether-auth."""

__version__ = "0.1.0"
