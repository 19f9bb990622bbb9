"""`NetRCAuth`: Basic credentials looked up per host in a netrc file."""

from __future__ import annotations

import os

from ._auth import Auth, Flow
from ._basic import basic_header
from ._exceptions import CredentialsError
from ._protocols import RequestLike


class NetRCAuth(Auth):
    """Add Basic credentials for the request's host from a netrc file.

    `file` defaults to ``~/.netrc``. The file is read once, here, with the standard
    library's ``netrc`` module; a missing file raises ``FileNotFoundError`` as it does in
    httpx, a malformed one `CredentialsError`. A host with no entry (and no ``default``
    entry), or whose entry has no password, is sent without credentials.
    """

    __slots__ = ("_file", "_netrc")

    def __init__(self, file: str | os.PathLike[str] | None = None) -> None:
        # Imported here: most programs never use netrc.
        import netrc

        self._file = file
        try:
            self._netrc = netrc.netrc(None if file is None else os.fspath(file))
        except netrc.NetrcParseError as exc:
            # Not `from exc`: the parser's message may quote a token of the file, and a
            # token of a netrc file may be a password.
            raise CredentialsError(
                f"cannot parse the netrc file {exc.filename!r}: line {exc.lineno}"
            ) from None

    def __repr__(self) -> str:
        return f"NetRCAuth(file={self._file!r})"

    def auth_flow(self, request: RequestLike) -> Flow:
        """Set ``Authorization: Basic ...`` when the file has credentials for the host."""
        entry = self._netrc.authenticators(request.url.host)
        if entry is not None and entry[2]:
            request.headers["Authorization"] = basic_header(entry[0], entry[2])
        yield request
