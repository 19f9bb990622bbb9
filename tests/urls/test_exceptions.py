"""InvalidURL: its place in the hierarchy and pickling."""

from __future__ import annotations

import pickle

import pytest

from tether_urls import URL, InvalidURL, QueryParams


def test_invalid_url_is_a_plain_exception() -> None:
    assert issubclass(InvalidURL, Exception)
    assert not issubclass(InvalidURL, ValueError)
    assert InvalidURL.__module__ == "tether_urls"


@pytest.mark.parametrize(
    "make",
    [
        lambda: URL("http://x:bad/"),
        lambda: URL("http://[::1/"),
        lambda: URL("http://☃/"),
        lambda: URL("http://x/\n"),
        lambda: URL("http://x", query="é".encode()),
        lambda: QueryParams(b"\xff"),
    ],
)
def test_every_raised_error_pickles(make: object) -> None:
    with pytest.raises(InvalidURL) as caught:
        make()  # type: ignore[operator]
    clone = pickle.loads(pickle.dumps(caught.value))
    assert type(clone) is InvalidURL
    assert str(clone) == str(caught.value)
    assert b"tether_urls._" not in pickle.dumps(caught.value)
