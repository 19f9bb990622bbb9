"""Transports: where a client's requests go. Private; `tether` exports the classes."""

from .asgi import ASGITransport as ASGITransport
from .base import AsyncBaseTransport as AsyncBaseTransport
from .base import BaseTransport as BaseTransport
from .mock import MockTransport as MockTransport
from .wsgi import WSGITransport as WSGITransport

__all__ = [
    "ASGITransport",
    "AsyncBaseTransport",
    "BaseTransport",
    "MockTransport",
    "WSGITransport",
]
