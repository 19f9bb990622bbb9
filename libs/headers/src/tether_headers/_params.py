"""Header values with parameters: ``text/html; charset="utf-8"``.

Grammar (RFC 9110 section 5.6.6): ``value *( OWS ";" OWS [ name "=" ( token /
quoted-string ) ] )``. Parsing is lenient where real servers are sloppy, and never fails:

* parameter names are case-insensitive, so they are lowercased; the first occurrence of
  a name wins (as ``email.message.Message.get_param`` reads them);
* quoted-strings lose their quotes and backslash escapes; an unterminated one runs to the
  end of the value; anything between a closing quote and the next ``;`` is dropped;
* an unquoted value runs to the next ``;``, surrounding whitespace stripped;
* a parameter without ``=`` is kept with the value ``""``; one with an empty name
  (``;=x``) or nothing at all (``;;``) is skipped;
* ``name*=charset'lang'pct-encoded`` (RFC 8187 section 3.2) is decoded, stored under
  ``name`` and preferred over a plain ``name`` wherever it appears (RFC 6266 section
  4.3); UTF-8 and ISO-8859-1 are the charsets RFC 8187 names, and an extended value in
  another charset, or one that does not decode, is ignored.

RFC 2231 continuations (``name*0=``) are not joined: RFC 8187 leaves them out of HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote as percent_encode
from urllib.parse import unquote_to_bytes

from ._exceptions import InvalidHeader, preview
from ._syntax import WHITESPACE, as_text, quote, read_quoted, skip_whitespace
from ._types import HeaderText, ParamTypes
from ._validation import TOKEN

# RFC 8187 section 3.2.1: recipients support UTF-8 and ISO-8859-1 (and US-ASCII is a
# subset of both).
_EXTENDED_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "iso-8859-1", "us-ascii": "ascii"}
# RFC 8187 section 3.2.1 attr-char: what an extended value may hold unencoded.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


def decode_extended(value: str) -> str | None:
    """Decode an RFC 8187 ext-value (``UTF-8'en'%E2%82%AC``), or None if it is not one."""
    charset, sep, rest = value.partition("'")
    _language, sep2, encoded = rest.partition("'")
    codec = _EXTENDED_CHARSETS.get(charset.strip(WHITESPACE).lower())
    if not sep or not sep2 or codec is None:
        return None
    try:
        return unquote_to_bytes(encoded).decode(codec)
    except UnicodeDecodeError:
        return None


# A parameter as found: its name as written and its value, unquoted (None if no "=").
_Field = tuple[str, "str | None"]


def _split_simply(pieces: list[str]) -> list[_Field] | None:
    """The fields of parameters split at every ";", or None if a quoted value holds one.

    Only for text without backslashes: then a quoted value that closes within its piece
    reads the same as `_scan` reads it, and so does everything else.
    """
    fields: list[_Field] = []
    for piece in pieces:
        name, equals, value = piece.partition("=")
        if not equals:
            fields.append((name, None))
            continue
        value = value.strip(WHITESPACE)
        if value[:1] == '"':
            closing = value.find('"', 1)
            if closing < 0:
                return None
            value = value[1:closing]
        fields.append((name, value))
    return fields


def _scan(text: str, pos: int, stop: int) -> list[_Field]:
    """The fields of the parameters in ``text[pos:stop]``, read one at a time."""
    fields: list[_Field] = []
    while pos < stop:
        # pos is at a ";" (or just past the last parameter's value).
        pos += 1
        end = text.find(";", pos, stop)
        if end < 0:
            end = stop
        equals = text.find("=", pos, end)
        if equals < 0:
            fields.append((text[pos:end], None))
            pos = end
            continue
        start = skip_whitespace(text, equals + 1)
        if start < end and text[start] == '"':
            value, after = read_quoted(text, start)
            if after > end:
                # The quoted-string held a ";": the parameter ends at the next one.
                end = text.find(";", after, stop)
                if end < 0:
                    end = stop
        else:
            value = text[start:end].strip(WHITESPACE)
        fields.append((text[pos:equals], value))
        pos = end
    return fields


def parse_params(text: str, pos: int, stop: int) -> dict[str, str]:
    """Parse the ``; name=value`` parameters in ``text[pos:stop]`` (`pos` at a ``;``)."""
    fields = None
    if text.find("\\", pos, stop) < 0:
        fields = _split_simply(text[pos + 1 : stop].split(";"))
    if fields is None:
        fields = _scan(text, pos, stop)
    params: dict[str, str] = {}
    extended: dict[str, str] = {}
    for written, value in fields:
        name = written.strip(WHITESPACE).lower()
        if not name:
            continue
        if name[-1] != "*":
            params.setdefault(name, "" if value is None else value)
        elif value is not None and len(name) > 1:
            decoded = decode_extended(value)
            if decoded is not None:
                extended.setdefault(name[:-1], decoded)
    if extended:
        params.update(extended)
    return params


def parse_header_params(value: HeaderText) -> tuple[str, dict[str, str]]:
    """Split a header value into its main value and its parameters.

    Parameter names are lowercased; quoted values are unquoted and unescaped; an RFC 8187
    ``name*`` value is decoded and preferred over ``name``. Malformed input is tolerated
    (see the module notes), never an error. Bytes are read as latin-1.

    >>> parse_header_params('text/html; Charset="utf-8"')
    ('text/html', {'charset': 'utf-8'})
    >>> parse_header_params("attachment; filename=plain.txt; filename*=UTF-8''%E2%82%AC.txt")
    ('attachment', {'filename': '€.txt'})
    """
    text = as_text(value, "header value")
    semicolon = text.find(";")
    if semicolon < 0:
        return text.strip(WHITESPACE), {}
    return text[:semicolon].strip(WHITESPACE), parse_params(text, semicolon, len(text))


def content_type_charset(value: HeaderText) -> str | None:
    """The charset a Content-Type names, lowercased, or None if it names none.

    An empty or non-ASCII charset counts as none.

    >>> content_type_charset('text/html; charset="UTF-8"')
    'utf-8'
    >>> content_type_charset("application/json") is None
    True
    """
    charset = parse_header_params(value)[1].get("charset", "").strip(WHITESPACE)
    if not charset or not charset.isascii():
        return None
    return charset.lower()


def _format_param(name: str, value: str) -> str:
    if TOKEN.fullmatch(value) is not None:
        return f"{name}={value}"
    quoted = quote(value)
    if quoted is not None:
        return f"{name}={quoted}"
    try:
        encoded = percent_encode(value.encode("utf-8"), safe=_ATTR_CHAR_SAFE)
    except UnicodeEncodeError:
        raise InvalidHeader(
            f"parameter {name!r} has a value that cannot be encoded as UTF-8: {preview(value)}",
            name=name,
        ) from None
    return f"{name}*=UTF-8''{encoded}"


def format_header_params(value: str, params: ParamTypes) -> str:
    """Format a main value and parameters as ``value; name=value; ...``.

    A value that is a token is written bare, one that needs it is quoted and escaped, and
    one that a quoted-string cannot hold (non-ASCII, control characters) is written in the
    RFC 8187 form ``name*=UTF-8''...``, so `parse_header_params` reads back exactly
    `params`. Names must be RFC 9110 tokens, distinct regardless of case, and not end
    in ``*``; the main value must not hold ``;``, CR, LF or NUL. Otherwise
    `InvalidHeader` is raised.

    >>> format_header_params("attachment", {"filename": "résumé.pdf"})
    "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
    >>> format_header_params("text/plain", [("charset", "utf-8"), ("note", "a b")])
    'text/plain; charset=utf-8; note="a b"'
    """
    if not isinstance(value, str):
        raise TypeError(f"the main header value must be str, not {type(value).__name__}")
    for bad in (";", "\r", "\n", "\x00"):
        if bad in value:
            raise InvalidHeader(f"the main header value must not hold {bad!r}: {preview(value)}")
    pairs = params.items() if isinstance(params, Mapping) else params
    parts = [value]
    seen: set[str] = set()
    for name, param_value in pairs:
        if not isinstance(name, str) or not isinstance(param_value, str):
            raise TypeError(
                f"parameter names and values must be str, got {(name, param_value)!r:.80}"
            )
        if TOKEN.fullmatch(name) is None or name.endswith("*"):
            raise InvalidHeader(
                f"parameter name {preview(name)} is not a token without a trailing '*' "
                "(RFC 9110 section 5.6.6)",
                name=name,
            )
        if name.lower() in seen:
            raise InvalidHeader(f"parameter {name!r} is given twice", name=name)
        seen.add(name.lower())
        parts.append(_format_param(name, param_value))
    return "; ".join(parts)
