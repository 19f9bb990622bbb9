"""Checks and conversions of the command line's arguments, as click callbacks.

Each one turns what the user typed into what `tether.Client` takes, or raises
`click.BadParameter` with a message naming the bad value: click prints it as one usage
error and exits with status 2, before any connection is made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import click

from tether_headers import InvalidHeader, validate_header_name, validate_header_value
from tether_urls import URL, InvalidURL

WEB_SCHEMES = ("http", "https")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
AUTH_TYPES = ("basic", "digest")

Pairs = Sequence[tuple[str, str]]


def check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The URL to fetch: absolute, http or https, with a host."""
    if value is None:
        return None
    if "://" not in value:
        # Like curl and HTTPie, `tether example.com/x` means http://example.com/x.
        value = f"http://{value}"
    _web_url(value, "URL", WEB_SCHEMES)
    return value


def check_proxy(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A proxy URL: http, https or socks5, with a host."""
    if value is None:
        return None
    _web_url(value, "proxy URL", PROXY_SCHEMES)
    return value


def redact(url: str) -> str:
    """`url` with the password of its userinfo shown as ``[secure]``, even if malformed."""
    return _PASSWORD.sub(r"\1[secure]@", url)


_PASSWORD = re.compile(r"(//[^/?#@:]*:)[^/?#]*@")


def _web_url(value: str, what: str, schemes: tuple[str, ...]) -> URL:
    shown = repr(redact(value))
    try:
        url = URL(value)
    except InvalidURL as exc:
        # tether_urls' messages name the part at fault, never the password.
        raise click.BadParameter(f"{shown} is not a valid {what}: {exc}") from None
    if url.scheme not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        raise click.BadParameter(
            f"{shown}: the scheme {url.scheme!r} is not supported (use {allowed})"
        )
    if not url.host:
        raise click.BadParameter(f"{shown} is not a valid {what}: it has no host")
    return url


def check_headers(
    ctx: click.Context, param: click.Parameter, value: Pairs
) -> list[tuple[str, str]]:
    """Header names must be tokens, and values free of CR, LF and NUL (RFC 9110)."""
    for name, text in value:
        try:
            validate_header_name(name)
            validate_header_value(name, text)
        except InvalidHeader as exc:
            raise click.BadParameter(str(exc)) from None
    return list(value)


def check_json(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Parse the JSON text (an empty body has no JSON form, so `None` stays `None`)."""
    if value is None:
        return None
    try:
        return JSONBody(json.loads(value))
    except json.JSONDecodeError as exc:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise click.BadParameter(f"{shown!r} is not JSON: {exc}") from None


class JSONBody:
    """A parsed ``--json`` value: wrapped, because ``null`` is a valid document."""

    def __init__(self, value: Any) -> None:
        self.value = value


def check_method(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A method is an RFC 9110 token; it is sent upper-cased, as curl and HTTPie do."""
    if value is None:
        return None
    try:
        validate_header_name(value)  # the same token grammar (RFC 9110 section 5.6.2)
    except InvalidHeader:
        raise click.BadParameter(f"{value!r} is not an HTTP method such as GET") from None
    return value.upper()


def parse_auth(value: str | None, auth_type: str) -> tuple[str, str] | None:
    """``USER:PASS`` (split at the first colon); ``USER`` alone asks for the password."""
    if value is None:
        return None
    user, colon, password = value.partition(":")
    if not user:
        raise click.BadParameter(
            "expected USER:PASS, and the user name is empty", param_hint="'--auth'"
        )
    if not colon:
        password = click.prompt(f"Password for {user!r} ({auth_type})", hide_input=True, err=True)
    return user, password
