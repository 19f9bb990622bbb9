"""tether-auth against httpx: answering Digest challenges and building Basic headers.

Both candidates run their own ``sync_auth_flow`` on the same ``httpx.Request`` and
``httpx.Response`` objects, driven the way a client drives them, and each uses its
default client nonce. "digest: answer 401" builds a fresh auth object, so every call
parses the challenge and computes the answer; "digest: pre-authenticated" reuses one,
so every call signs a request with the challenge already known (nc counting).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import httpx

import tether_auth
from benchmarks._harness import Result, compare, report

CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
MD5_CHALLENGE = 'Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'  # noqa: E501


class _Flows:
    """Drives any auth object's sync flow against one request and its responses."""

    def __init__(self, www_authenticate: list[tuple[str, str]]) -> None:
        self.request = httpx.Request("GET", "https://www.example.org/dir/index.html?x=1")
        self.challenge = httpx.Response(401, headers=www_authenticate, request=self.request)
        self.ok = httpx.Response(200, request=self.request)

    def answer(self, make: Callable[[], httpx.Auth | tether_auth.Auth]) -> Callable[[], str]:
        """A fresh auth object answers the 401; return the Authorization it sent."""

        def run() -> str:
            flow = make().sync_auth_flow(self.request)
            next(flow)
            retried = flow.send(self.challenge)
            flow.close()
            return retried.headers["Authorization"]

        return run

    def sign(self, make: Callable[[], httpx.Auth | tether_auth.Auth]) -> Callable[[], str]:
        """Each call gets an auth object from `make` and signs one request with it."""

        def run() -> str:
            flow = make().sync_auth_flow(self.request)
            sent = next(flow)
            with contextlib.suppress(StopIteration):
                flow.send(self.ok)
            return sent.headers["Authorization"]

        return run

    def taught(self, auth: httpx.Auth | tether_auth.Auth) -> httpx.Auth | tether_auth.Auth:
        """Return `auth` after it has answered the challenge once."""
        self.answer(lambda: auth)()
        return auth


def main() -> str:
    """Run the auth cases; return the report."""
    results: list[Result] = []
    sha256 = _Flows([("WWW-Authenticate", CHALLENGE)])
    results += compare(
        "digest: answer 401 (SHA-256)",
        {
            "tether": sha256.answer(lambda: tether_auth.DigestAuth("Mufasa", "Circle of Life")),
            "httpx": sha256.answer(lambda: httpx.DigestAuth("Mufasa", "Circle of Life")),
        },
    )
    md5 = _Flows([("WWW-Authenticate", MD5_CHALLENGE)])
    results += compare(
        "digest: answer 401 (MD5)",
        {
            "tether": md5.answer(lambda: tether_auth.DigestAuth("Mufasa", "Circle Of Life")),
            "httpx": md5.answer(lambda: httpx.DigestAuth("Mufasa", "Circle Of Life")),
        },
    )
    several = _Flows(
        [
            ("WWW-Authenticate", 'Basic realm="x", charset="UTF-8"'),
            ("WWW-Authenticate", "Negotiate"),
            ("WWW-Authenticate", CHALLENGE),
        ]
    )
    results += compare(
        "digest: 3 challenges",
        {
            "tether": several.answer(lambda: tether_auth.DigestAuth("Mufasa", "Circle of Life")),
            "httpx": several.answer(lambda: httpx.DigestAuth("Mufasa", "Circle of Life")),
        },
    )
    tether_digest = sha256.taught(tether_auth.DigestAuth("Mufasa", "Circle of Life"))
    httpx_digest = sha256.taught(httpx.DigestAuth("Mufasa", "Circle of Life"))
    results += compare(
        "digest: pre-authenticated",
        {"tether": sha256.sign(lambda: tether_digest), "httpx": sha256.sign(lambda: httpx_digest)},
    )
    basic = _Flows([])
    results += compare(
        "basic: build + sign",
        {
            "tether": basic.sign(lambda: tether_auth.BasicAuth("Aladdin", "open sesame")),
            "httpx": basic.sign(lambda: httpx.BasicAuth("Aladdin", "open sesame")),
        },
    )
    tether_basic = tether_auth.BasicAuth("Aladdin", "open sesame")
    httpx_basic = httpx.BasicAuth("Aladdin", "open sesame")
    results += compare(
        "basic: sign (reused auth)",
        {"tether": basic.sign(lambda: tether_basic), "httpx": basic.sign(lambda: httpx_basic)},
    )
    return report("tether-auth vs httpx 0.28 (sync flows, httpx Request/Response)", results)
