"""The one exception of tether-urls."""

from __future__ import annotations


class InvalidURL(Exception):
    """A URL, or one of its components, is malformed.

    The message names the part that was wrong and the offending value (passwords are
    never echoed). Like httpx's `InvalidURL`, it derives from `Exception` directly.
    """
