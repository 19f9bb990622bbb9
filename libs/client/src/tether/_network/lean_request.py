"""Request heads for `LeanEngine`: validated, serialised once, and what they announce.

`plan_request` checks a request head as h11 0.16 does (the same refusals, with
tether's messages), serialises it (Host first, then the fields in the caller's order)
and reads what its fields say about the body and the connection. A repeated
(method, target, fields) is answered from a cache; so is a field seen before.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from .._exceptions import LocalProtocolError
from .engine import bad_field_name, bad_field_value, bad_method, bad_target
from .lean_grammar import DIGITS, FIELD_VALUE, TOKEN, comma_tokens

__all__ = ["RequestPlan", "plan_request"]

HeaderList = list[tuple[bytes, bytes]]

_TARGET: Final = re.compile(rb"[\x21-\x7e]+")
_KNOWN_METHODS: Final = frozenset({b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH"})
# Lengths of the request field names acted on: others are never lowered.
_WATCHED_LENGTHS: Final = frozenset({4, 6, 7, 10, 14, 17})


class RequestPlan(NamedTuple):
    """A serialised request head and what its fields say."""

    head: bytes
    declared: bytes  # the Content-Length as sent (b"0" without one), for messages
    length: int  # the body bytes to send when not chunked
    chunked: bool
    keep_alive: bool  # no ``Connection: close``
    expect: bool  # ``Expect: 100-continue``
    upgrade: bool  # an ``Upgrade`` proposal


# Request fields already validated (bytes only; bounded, cleared when full).
_KNOWN_FIELDS: Final[set[tuple[bytes, bytes]]] = set()
_KNOWN_FIELDS_MAX: Final = 4096
# Request heads already planned, keyed by (method, target, *fields): a client repeating
# a request skips the work. Only exact-bytes methods and targets are looked up; a field
# equal to a cached one (bytes or a read-only memoryview) serialises to the same bytes.
# Bounded, cleared when full; like `_KNOWN_FIELDS`, it holds field values (credentials
# included) in memory, as the caller's own headers do. Never a reason for an error: the
# origin in a message comes from the caller.
_PLANS: Final[dict[tuple[object, ...], RequestPlan]] = {}
_PLANS_MAX: Final = 256


def plan_request(method: bytes, target: bytes, headers: HeaderList, where: str) -> RequestPlan:
    """Check and serialise a request head; `where` (``host:port``) names the server."""
    key: tuple[object, ...] | None = None
    if type(method) is bytes and type(target) is bytes:
        try:
            key = (method, target, *headers)
            cached = _PLANS.get(key)
        except TypeError:  # an unhashable field (a list, a bytearray): the long way
            key = cached = None
        if cached is not None:
            return cached
    plan = _plan(method, target, headers, where)
    if key is not None:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _plan(method: bytes, target: bytes, headers: HeaderList, where: str) -> RequestPlan:
    """Validate a request head and serialise it (its framing and intentions beside it)."""
    if method not in _KNOWN_METHODS and (
        type(method) is not bytes or TOKEN.fullmatch(method) is None
    ):
        raise bad_method(method, where)
    if type(target) is not bytes or _TARGET.fullmatch(target) is None:
        raise bad_target(target, where)
    known = _KNOWN_FIELDS
    lines = [b"%s %s HTTP/1.1" % (method, target)]
    host_line = b""
    hosts = 0
    length: bytes | None = None
    chunked = False
    keep_alive = True
    expect = upgrade = False
    for name, value in headers:
        if type(name) is not bytes or type(value) is not bytes or (name, value) not in known:
            name, value = _checked_field(name, value, where)
            if len(known) > _KNOWN_FIELDS_MAX:
                known.clear()
            known.add((name, value))
        if len(name) in _WATCHED_LENGTHS:
            lowered = name.lower()
            if lowered == b"host":
                hosts += 1
                host_line = name + b": " + value
                continue
            if lowered == b"content-length":
                value, duplicate = _request_length(value, length, where)
                if duplicate:
                    continue
                length = value
            elif lowered == b"transfer-encoding":
                if chunked:
                    raise _bad_framing(where, b"Transfer-Encoding", "multiple headers")
                value = value.lower()
                if value != b"chunked":
                    raise _bad_framing(
                        where, b"Transfer-Encoding", "Only Transfer-Encoding: chunked is supported"
                    )
                chunked = True
            elif lowered == b"connection":
                if b"close" in comma_tokens(value):
                    keep_alive = False
            elif lowered == b"expect":
                if b"100-continue" in comma_tokens(value):
                    expect = True
            elif lowered == b"upgrade":
                upgrade = upgrade or bool(comma_tokens(value))
        lines.append(name + b": " + value)
    if hosts != 1:
        reason = "Missing mandatory Host: header" if not hosts else "Found multiple Host: headers"
        raise LocalProtocolError(
            f"a request to {where} needs exactly one Host header (RFC 9112 §3.2): {reason}"
        )
    if chunked and length is not None:
        raise LocalProtocolError(
            f"a request to {where} cannot have both Content-Length and "
            "Transfer-Encoding headers (RFC 9112 §6.2)"
        )
    lines.insert(1, host_line)
    lines.append(b"")
    lines.append(b"")
    head = b"\r\n".join(lines)
    if length is None:
        return RequestPlan(head, b"0", 0, chunked, keep_alive, expect, upgrade)
    return RequestPlan(head, length, int(length), chunked, keep_alive, expect, upgrade)


def _checked_field(name: object, value: object, where: str) -> tuple[bytes, bytes]:
    name = _bytesify(name)
    value = _bytesify(value)
    if TOKEN.fullmatch(name) is None:
        raise bad_field_name(name, where)
    if FIELD_VALUE.fullmatch(value) is None:
        raise bad_field_value(name, value, where)
    return name, value


def _request_length(value: bytes, seen: bytes | None, where: str) -> tuple[bytes, bool]:
    lengths = {part.strip() for part in value.split(b",")}
    if len(lengths) != 1:
        raise _bad_framing(where, b"Content-Length", "conflicting Content-Length headers")
    value = lengths.pop()
    if DIGITS.fullmatch(value) is None:
        raise _bad_framing(where, b"Content-Length", "bad Content-Length")
    if seen is None:
        return value, False
    if seen != value:
        raise _bad_framing(where, b"Content-Length", "conflicting Content-Length headers")
    return value, True


def _bad_framing(where: str, name: bytes, reason: str) -> LocalProtocolError:
    return LocalProtocolError(f"invalid request header {name!r} for {where}: {reason}")


def _bytesify(value: object) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        return value.encode("ascii")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"expected bytes, got {type(value).__name__}")
