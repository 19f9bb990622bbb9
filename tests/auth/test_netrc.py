"""`NetRCAuth`: Basic credentials per host from a netrc file; httpx as the oracle."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tether_auth import CredentialsError, NetRCAuth

NETRC = """\
machine example.org
  login alice
  password wonderland

machine colon.example
  login a:b
  password c
"""


# Python 3.10's netrc refuses an entry without a password; 3.11 accepts it.
NETRC_NEEDS_PASSWORD = sys.version_info < (3, 11)


@pytest.fixture
def netrc_file(tmp_path: Path) -> Path:
    path = tmp_path / "netrc"
    path.write_text(NETRC)
    path.chmod(0o600)
    return path


def _authorization(auth: Any, url: str) -> str | None:
    request = httpx.Request("GET", url)
    flow = auth.sync_auth_flow(request)
    sent = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, request=request))
    header: str | None = sent.headers.get("Authorization")
    return header


@pytest.mark.parametrize(
    "url", ["https://example.org/", "http://example.org:8080/x", "https://other.example/"]
)
@pytest.mark.parametrize("as_path", [False, True])
def test_matches_httpx(netrc_file: Path, url: str, as_path: bool) -> None:
    ours = NetRCAuth(netrc_file if as_path else str(netrc_file))
    assert _authorization(ours, url) == _authorization(httpx.NetRCAuth(str(netrc_file)), url)


def test_known_host_gets_basic_credentials(netrc_file: Path) -> None:
    auth = NetRCAuth(str(netrc_file))
    # base64("alice:wonderland")
    assert _authorization(auth, "https://example.org/") == "Basic YWxpY2U6d29uZGVybGFuZA=="


def test_an_unknown_host_gets_no_header(netrc_file: Path) -> None:
    assert _authorization(NetRCAuth(str(netrc_file)), "https://unknown.example/") is None


def test_an_entry_without_a_password_gets_no_header(tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine nopass.example\n  login bob\n")
    if NETRC_NEEDS_PASSWORD:  # httpx raises then too
        with pytest.raises(CredentialsError, match="line 3"):
            NetRCAuth(str(path))
        return
    auth = NetRCAuth(str(path))
    assert _authorization(auth, "https://nopass.example/") is None
    assert _authorization(httpx.NetRCAuth(str(path)), "https://nopass.example/") is None


def test_the_default_entry_applies_to_other_hosts(tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine a.example login a password b\ndefault login d password e\n")
    auth = NetRCAuth(str(path))
    assert _authorization(auth, "https://other.example/") == "Basic ZDpl"  # "d:e"
    assert _authorization(auth, "https://other.example/") == _authorization(
        httpx.NetRCAuth(str(path)), "https://other.example/"
    )


def test_reads_home_netrc_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".netrc").write_text("machine example.org login u password p\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    assert _authorization(NetRCAuth(), "https://example.org/") == "Basic dTpw"


def test_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        NetRCAuth(str(tmp_path / "absent"))


def test_a_malformed_file_is_a_credentials_error_without_its_tokens(tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine example.org login u password hunter2 bogus hunter3\n")
    with pytest.raises(CredentialsError, match=r"cannot parse the netrc file .*: line 1") as info:
        NetRCAuth(str(path))
    assert "hunter" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_a_colon_in_the_login_is_refused_when_used(netrc_file: Path) -> None:
    auth = NetRCAuth(str(netrc_file))
    with pytest.raises(CredentialsError, match="must not contain ':'"):
        _authorization(auth, "https://colon.example/")


def test_repr_names_the_file_only(netrc_file: Path) -> None:
    auth = NetRCAuth(str(netrc_file))
    assert repr(auth) == f"NetRCAuth(file={str(netrc_file)!r})"
    assert "wonderland" not in repr(auth)


def test_the_file_is_read_once(netrc_file: Path) -> None:
    auth = NetRCAuth(os.fspath(netrc_file))
    netrc_file.write_text("machine example.org login eve password x\n")
    assert _authorization(auth, "https://example.org/") == "Basic YWxpY2U6d29uZGVybGFuZA=="
