"""A short tour of tether-urls: the README's main job until the `tether` CLI lands."""

from __future__ import annotations

from tether_urls import URL, InvalidURL, QueryParams, __version__


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


if __name__ == "__main__":
    main()
