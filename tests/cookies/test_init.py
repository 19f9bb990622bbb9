"""The public door of tether_cookies."""

from __future__ import annotations

import pickle
import types
from collections.abc import Callable

import tether_cookies


def test_public_api(check_public_api: Callable[[types.ModuleType], None]) -> None:
    check_public_api(tether_cookies)


def test_exports() -> None:
    assert set(tether_cookies.__all__) == {
        "CookieConflict",
        "CookieError",
        "CookieFileError",
        "CookieTypes",
        "Cookies",
        "InvalidCookie",
        "RFC6265CookieJar",
        "RequestLike",
        "ResponseLike",
        "SetCookie",
        "__version__",
        "is_public_suffix",
        "parse_cookie_date",
        "parse_set_cookie",
    }
    assert tether_cookies.__version__ == "0.1.0"


def test_pickles_name_the_package_not_private_modules() -> None:
    data = pickle.dumps(tether_cookies.Cookies({"a": "1"}))
    assert b"tether_cookies._" not in data
    assert b"tether_cookies" in data
