"""The error hierarchy: documented classes, clear messages, every one pickles."""

from __future__ import annotations

import pickle

import pytest

from tether_cookies import CookieConflict, CookieError, CookieFileError, Cookies, InvalidCookie


def test_hierarchy() -> None:
    assert issubclass(CookieConflict, CookieError)
    assert issubclass(InvalidCookie, CookieError)
    assert issubclass(InvalidCookie, ValueError)
    assert issubclass(CookieFileError, CookieError)
    assert issubclass(CookieFileError, ValueError)
    assert issubclass(CookieError, Exception)


@pytest.mark.parametrize(
    "error",
    [
        CookieError("cannot parse URL"),
        CookieConflict("Multiple cookies exist with name=a"),
        InvalidCookie("invalid cookie name ''"),
        CookieFileError("cookies.txt", 3, "expected 7 TAB-separated fields, got 2"),
        CookieFileError("cookies.json", None, "a JSON cookies file must be a list"),
    ],
)
def test_every_exception_pickles(error: CookieError) -> None:
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error)
    assert str(clone) == str(error)
    if isinstance(error, CookieFileError):
        assert isinstance(clone, CookieFileError)
        assert (clone.filename, clone.lineno, clone.reason) == (
            error.filename,
            error.lineno,
            error.reason,
        )


def test_file_error_message_with_and_without_a_line() -> None:
    assert str(CookieFileError("f.txt", 2, "bad")) == "f.txt, line 2: bad"
    assert str(CookieFileError("f.txt", None, "bad")) == "f.txt: bad"


def test_raised_exceptions_pickle_too() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="x.example")
    cookies.set("a", "2")
    with pytest.raises(CookieConflict) as conflict:
        cookies["a"]
    with pytest.raises(InvalidCookie) as invalid:
        cookies["bad name"] = "x"
    with pytest.raises(CookieError) as url_error:
        cookies.cookie_header("not a url")
    for info in (conflict, invalid, url_error):
        assert str(pickle.loads(pickle.dumps(info.value))) == str(info.value)
