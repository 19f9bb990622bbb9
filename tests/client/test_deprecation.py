"""The one deprecation helper: one message shape, pointing at the caller's line."""

from __future__ import annotations

import pytest

from tether._deprecation import warn_deprecated


def _public_api() -> None:
    warn_deprecated("allow_redirects=", since="0.1.0", instead="follow_redirects=")


def test_message_shape_and_category() -> None:
    with pytest.warns(DeprecationWarning, match="allow_redirects=") as caught:
        _public_api()
    (warning,) = caught
    assert str(warning.message) == (
        "allow_redirects= is deprecated since 0.1.0; use follow_redirects= instead."
    )


def test_warning_blames_the_callers_line() -> None:
    with pytest.warns(DeprecationWarning, match="allow_redirects=") as caught:
        _public_api()  # this line is blamed
    assert caught[0].filename == __file__
