"""A short tour of tether, offline: the README's main job until the `tether` CLI lands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import tether
from tether_urls import URL, InvalidURL, QueryParams, __version__


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A tiny WSGI app: echoes a JSON body, redirects /old, and counts visits in a cookie."""
    path = environ["PATH_INFO"]
    if path == "/old":
        start_response("301 Moved Permanently", [("Location", "/new")])
        return [b""]
    visits = int(environ.get("HTTP_COOKIE", "visits=0").split("=")[1]) + 1
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(size) or b"null")
    payload = json.dumps({"path": path, "you_sent": body, "visits": visits}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Set-Cookie", f"visits={visits}")]
    )
    return [payload]


def client_tour() -> None:
    print(f"\ntether {tether.__version__}, talking to a WSGI app in-process\n")
    transport = tether.WSGITransport(app=app)
    with tether.Client(transport=transport, base_url="http://tour.local") as client:
        response = client.post("/echo", json={"hello": "world"})
        print(f"POST /echo  {response.status_code} {response.json()}")
        response = client.get("/old", follow_redirects=True)
        print(f"GET /old    {response.status_code} at {response.url} after {response.history}")
        print(f"cookies     {dict(client.cookies)}")


def main() -> None:
    print(f"tether-urls {__version__}\n")

    url = URL("https://user:secret@Bücher.example:443/a/./b/../c?q=1#top")
    print(f"parsed      {url}")
    print(f"repr        {url!r}")
    print(f"host        {url.host} (on the wire: {url.raw_host.decode()})")
    print(f"port        {url.port} (443 is https's default)")
    print(f"path        {url.path}")
    print(f"params      {dict(url.params)}")

    print(f"\njoined      {url.join('../d?x=2')}")
    print(f"merged      {url.copy_merge_params({'page': 2})}")
    print(f"copied      {url.copy_with(scheme='http', fragment=None)}")

    params = QueryParams("tag=a&tag=b").add("tag", "c").set("sort", "new")
    print(f"\nparams      {params} -> tags {params.get_list('tag')}")

    for bad in ("https://example.com:99999/", "http://exa mple.com/", "http://[::1/"):
        try:
            URL(bad)
        except InvalidURL as error:
            print(f"refused     {bad!r}: {error}")

    client_tour()


if __name__ == "__main__":
    main()
