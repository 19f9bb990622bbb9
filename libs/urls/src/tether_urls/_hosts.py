"""Hosts: validation and normalisation of IPv4, IPv6 and registered names (IDNA).

Invariants:

* An encoded host is lower-case ASCII: a dotted-quad IPv4 address, an IPv6 address
  without its brackets, or a registered name whose non-ASCII labels are IDNA A-labels.
* An all-ASCII host never reaches the `idna` package, unless it holds an ``xn--`` label,
  which is checked once here so that decoding it later cannot fail.
* Every refusal is an `InvalidURL` naming the host.
"""

from __future__ import annotations

import ipaddress
import re

import idna

from ._exceptions import InvalidURL

# Four runs of digits: RFC 3986 section 3.2.2 reads such a host as an IPv4 address.
_IPV4_LIKE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
# What httpx 0.28 leaves unencoded in a registered name: RFC 3986's unreserved and
# sub-delims, "%" for escapes, and the WHATWG extras '"', "`", "{", "}", "|", "\".
# Anything else in an ASCII host (a space, "<", ">", "[", "]", "^", "/", "@"...) is refused.
_REG_NAME_INVALID = re.compile(r"""[^A-Za-z0-9\-._~!$&'()*+,;=%"`{}|\\]""")


def _check_ipv4(host: str) -> None:
    for octet in host.split("."):
        # As Python's ipaddress module: no leading zeros (they read as octal elsewhere).
        if len(octet) > 3 or int(octet) > 255 or (len(octet) > 1 and octet[0] == "0"):
            raise InvalidURL(f"Invalid IPv4 address: {host!r} (octet {octet!r})")


def _check_a_labels(host: str) -> None:
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                idna.ulabel(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise InvalidURL(f"Invalid IDNA hostname: {host!r} ({exc})") from None


def encode_host(host: str) -> str:
    """Validate `host` and return its normalised ASCII form (IPv6 without brackets)."""
    if not host:
        return ""
    if host[0] == "[":
        if host[-1] != "]":
            raise InvalidURL(f"Invalid IPv6 address: {host!r} (no closing ']')")
        address = host[1:-1]
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            raise InvalidURL(f"Invalid IPv6 address: {host!r}") from None
        return address.lower()
    if host.isascii():
        bad = _REG_NAME_INVALID.search(host)
        if bad is not None:
            raise InvalidURL(
                f"Invalid character {bad.group()!r} in host {host!r} at position {bad.start()}."
            )
        host = host.lower()
        if _IPV4_LIKE.fullmatch(host):
            _check_ipv4(host)
        elif "xn--" in host:
            _check_a_labels(host)
        return host
    return _encode_idna(host)


def _encode_idna(host: str) -> str:
    """Encode a host with non-ASCII labels: IDNA 2008 (RFC 5891) after the UTS 46 mapping.

    The mapping folds case and full-width forms; it is non-transitional, as browsers now
    are, so "ß" stays "ß". ASCII labels then follow the ASCII rules; each non-ASCII label
    becomes an A-label, so an ASCII label is never passed through `idna` for nothing.
    """
    labels: list[str] = []
    try:
        for piece in host.split("."):
            if piece.isascii():
                labels.append(piece.lower())
            else:
                # The mapping may produce dots (from U+3002, U+FF0E...): split again.
                mapped = idna.uts46_remap(piece, std3_rules=False, transitional=False)
                labels.extend(mapped.split("."))
        for index, label in enumerate(labels):
            if not label.isascii():
                labels[index] = idna.alabel(label).decode("ascii")
            elif not label and index != len(labels) - 1:
                raise idna.IDNAError("Empty Label")
            elif label.startswith("xn--"):
                idna.ulabel(label)
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidURL(f"Invalid IDNA hostname: {host!r} ({exc})") from None
    encoded = ".".join(labels)
    # RFC 1035 section 2.3.4, as `idna.encode` checks it: 253 characters, a final dot aside.
    if len(encoded.rstrip(".")) > 253:
        raise InvalidURL(f"Invalid IDNA hostname: {host!r} (longer than 253 characters)")
    bad = _REG_NAME_INVALID.search(encoded)
    if bad is not None:
        raise InvalidURL(f"Invalid character {bad.group()!r} in host {host!r}.")
    return encoded


def decode_host(host: str) -> str:
    """Return an encoded host for display: each ``xn--`` label as Unicode."""
    if "xn--" not in host:
        return host
    return ".".join(
        idna.ulabel(label) if label.startswith("xn--") else label for label in host.split(".")
    )
