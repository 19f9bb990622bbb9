"""tether-auth builds into a wheel and works installed alone, next to nothing else."""

from __future__ import annotations

from collections.abc import Callable

# Runs in the bare venv: a Digest flow answered end to end with plain objects.
CHECK = """
class URL:
    host = "example.org"
    raw_path = b"/dir/index.html"

class Request:
    method = "GET"
    url = URL()
    content = b""
    def __init__(self):
        self.headers = {}
    def read(self):
        return b""

class Response:
    status_code = 401
    headers = {"WWW-Authenticate": 'Digest realm="testrealm@host.com", qop="auth", '
               'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"'}
    request = None

auth = module.DigestAuth("Mufasa", "Circle Of Life", cnonce_factory=lambda: "0a4f113b")
flow = auth.sync_auth_flow(Request())
next(flow)
header = flow.send(Response()).headers["Authorization"]
assert 'response="6629fae49393a05397450978507c4ef1"' in header, header
assert module.to_auth(("u", "p")).__class__ is module.BasicAuth
"""


def test_installs_and_works_alone(standalone_imports: Callable[..., set[str]]) -> None:
    assert standalone_imports("auth", "tether_auth", CHECK) == {"tether_auth"}
