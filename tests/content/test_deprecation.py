"""The one deprecation helper and its message shape."""

from __future__ import annotations

import pytest

from tether_content._deprecation import warn_deprecated


def test_message_shape_and_caller() -> None:
    def api() -> None:
        warn_deprecated("old=", since="tether-content 0.1.0", instead="new=")

    with pytest.warns(DeprecationWarning, match="old=") as record:
        api()
    assert (
        str(record[0].message) == "old= is deprecated since tether-content 0.1.0; use new= instead"
    )
    assert record[0].filename == __file__
