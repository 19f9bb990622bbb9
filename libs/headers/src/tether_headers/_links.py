"""The Link header (RFC 8288 section 3): ``<https://x/?page=2>; rel="next", <...>; rel=prev``.

Each link-value is ``"<" URI-Reference ">" *( OWS ";" OWS link-param )``; link-values are
separated by commas outside the brackets and outside quoted-strings, so a URL or a title
may hold commas. Parameters are read by the same rules as `parse_header_params` (names
lowercased, first occurrence wins as RFC 8288 section 3.3 asks for ``rel``, ``title*``
decoded into ``title``). Text before a ``<`` is skipped; a missing ``>`` ends the URL at
the end of the value. The result has httpx's shape: one dict per link, holding the
``"url"`` and its parameters.
"""

from __future__ import annotations

from ._params import parse_params
from ._syntax import WHITESPACE, as_text, find_comma
from ._types import HeaderText


def parse_link_header(value: HeaderText) -> list[dict[str, str]]:
    """Every link in a Link header, in order: ``{"url": ..., param: value, ...}``.

    >>> parse_link_header('<https://api.example/?page=2>; rel="next"; title="a, b"')
    [{'url': 'https://api.example/?page=2', 'rel': 'next', 'title': 'a, b'}]
    """
    text = as_text(value, "Link header")
    links: list[dict[str, str]] = []
    size = len(text)
    pos = 0
    while True:
        opening = text.find("<", pos)
        if opening < 0:
            return links
        closing = text.find(">", opening + 1)
        if closing < 0:
            links.append({"url": text[opening + 1 :].strip(WHITESPACE)})
            return links
        comma = find_comma(text, closing + 1)
        stop = size if comma < 0 else comma
        semicolon = text.find(";", closing + 1, stop)
        link = {"url": text[opening + 1 : closing].strip(WHITESPACE)}
        if semicolon >= 0:
            for name, param in parse_params(text, semicolon, stop).items():
                link.setdefault(name, param)
        links.append(link)
        if comma < 0:
            return links
        pos = comma + 1


def parse_links(value: HeaderText) -> dict[str, dict[str, str]]:
    """The links of a Link header keyed by their ``rel`` (or URL), as httpx's ``Response.links``.

    A later link with the same key replaces an earlier one, as in httpx.

    ```pycon
    >>> links = parse_links('<https://x.test/2>; rel=next, <https://x.test/9>; rel=last')
    >>> links["next"]["url"]
    'https://x.test/2'

    ```
    """
    return {link.get("rel") or link["url"]: link for link in parse_link_header(value)}
