"""The exception hierarchy: httpx's names and bases, messages, and pickling."""

from __future__ import annotations

import pickle

import httpx
import pytest

import tether
import tether_content

HIERARCHY = [
    "HTTPError",
    "RequestError",
    "TransportError",
    "TimeoutException",
    "ConnectTimeout",
    "ReadTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "NetworkError",
    "ConnectError",
    "ReadError",
    "WriteError",
    "CloseError",
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
    "ProxyError",
    "UnsupportedProtocol",
    "DecodingError",
    "TooManyRedirects",
    "HTTPStatusError",
    "InvalidURL",
    "CookieConflict",
    "StreamError",
    "StreamConsumed",
    "StreamClosed",
    "ResponseNotRead",
    "RequestNotRead",
]


def _httpx_bases(name: str) -> set[str]:
    cls = getattr(httpx, name)
    return {base.__name__ for base in cls.__mro__ if base.__module__ == "httpx"} - {name}


@pytest.mark.parametrize("name", HIERARCHY)
def test_every_class_has_httpxs_bases(name: str) -> None:
    ours = getattr(tether, name)
    for base in _httpx_bases(name):
        assert issubclass(ours, getattr(tether, base)), f"{name} is not a {base}"
    assert issubclass(ours, Exception)


def test_stream_errors_are_runtime_errors() -> None:
    for name in ("StreamConsumed", "StreamClosed", "ResponseNotRead", "RequestNotRead"):
        error = getattr(tether, name)()
        assert isinstance(error, RuntimeError)
        assert isinstance(error, tether.StreamError)
        assert str(error)


def test_decoding_error_is_also_the_content_packages() -> None:
    error = tether.DecodingError("bad gzip")
    assert isinstance(error, tether_content.DecodingError)
    assert isinstance(error, tether.RequestError)


def test_request_error_without_a_request_says_so() -> None:
    error = tether.ConnectError("refused")
    with pytest.raises(RuntimeError, match=r"ConnectError has no \.request"):
        _ = error.request


def test_request_can_be_attached_later() -> None:
    error = tether.ReadTimeout("slow")
    marker = object()
    error.request = marker  # type: ignore[assignment]
    assert error.request is marker


@pytest.mark.parametrize("name", [n for n in HIERARCHY if n.endswith(("Error", "Timeout"))])
def test_exceptions_pickle_with_their_message(name: str) -> None:
    cls = getattr(tether, name)
    if name == "HTTPStatusError":
        error = cls("boom", request="req", response="resp")
    elif issubclass(cls, tether.StreamError) and cls is not tether.StreamError:
        error = cls()
    else:
        error = cls("boom")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)
    if name == "HTTPStatusError":
        assert (copy.request, copy.response) == ("req", "resp")


def test_request_error_pickles_its_request() -> None:
    error = tether.ConnectError("refused", request="the request")  # type: ignore[arg-type]
    copy = pickle.loads(pickle.dumps(error))
    assert copy.request == "the request"


def test_exception_classes_belong_to_tether() -> None:
    assert tether.ConnectError.__module__ == "tether"
    assert tether.InvalidURL.__module__ == "tether_urls"
