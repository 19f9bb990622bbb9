"""The error hierarchy, and that every error pickles with its message."""

from __future__ import annotations

import pickle

import pytest

import tether_content
from tether_content import (
    ContentError,
    DecodingError,
    InvalidInput,
    StreamConsumed,
    StreamError,
    StreamModeError,
)

ERRORS = [ContentError, DecodingError, InvalidInput, StreamError, StreamConsumed, StreamModeError]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_pickles_with_its_message(error: type[Exception]) -> None:
    original = error("what went wrong: 'value'")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is error
    assert str(copy) == "what went wrong: 'value'"
    assert type(copy).__module__ == "tether_content"


def test_errors_raised_by_the_package_pickle() -> None:
    with pytest.raises(DecodingError) as info:
        tether_content.ContentDecoder("gzip").decode_all(b"corrupt")
    assert str(pickle.loads(pickle.dumps(info.value))) == str(info.value)
    with pytest.raises(InvalidInput) as invalid:
        tether_content.encode_request(content=3)  # type: ignore[arg-type]
    assert type(pickle.loads(pickle.dumps(invalid.value))) is InvalidInput


def test_the_hierarchy() -> None:
    assert all(issubclass(error, ContentError) for error in ERRORS)
    assert issubclass(InvalidInput, TypeError)
    assert issubclass(InvalidInput, ValueError)
    assert issubclass(StreamError, RuntimeError)
    assert issubclass(StreamConsumed, StreamError)
    assert issubclass(StreamModeError, StreamError)
    assert not issubclass(DecodingError, (TypeError, ValueError, RuntimeError))


def test_the_client_can_combine_decoding_error_with_its_own_hierarchy() -> None:
    class RequestError(Exception):
        pass

    class ClientDecodingError(RequestError, DecodingError):
        pass

    error = ClientDecodingError("bad gzip")
    assert isinstance(error, DecodingError)
    assert isinstance(error, RequestError)
