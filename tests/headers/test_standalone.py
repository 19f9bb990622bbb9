"""tether-headers installs and works alone: no other package is loaded."""

from __future__ import annotations

from collections.abc import Callable

CHECK = """
headers = module.Headers([("Content-Type", 'text/html; charset="UTF-8"'), ("Via", "1.1 a")])
headers.update({"via": "1.1 b"})
headers.validate()
assert headers.raw == [(b"Content-Type", b'text/html; charset="UTF-8"'), (b"via", b"1.1 b")]
assert module.content_type_charset(headers["content-type"]) == "utf-8"
assert module.parse_header_params("attachment; filename*=UTF-8''%C3%A9") == (
    "attachment", {"filename": "\\u00e9"}
)
assert module.parse_links("<https://x.test/2>; rel=next")["next"]["url"] == "https://x.test/2"
assert module.parse_http_date(module.format_http_date(0)).year == 1970
try:
    module.Headers({"Bad Name": "x"}).validate()
except module.InvalidHeader:
    pass
else:
    raise AssertionError("validate() accepted a bad name")
"""


def test_installs_and_works_alone(standalone_imports: Callable[..., set[str]]) -> None:
    assert standalone_imports("headers", "tether_headers", CHECK) == {"tether_headers"}
