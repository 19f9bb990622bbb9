"""tether-urls installs alone and works with idna as its only third-party module."""

from __future__ import annotations

from collections.abc import Callable

CHECK = """
url = module.URL("https://user:pw@Bücher.example:443/a/./b?x=1#f")
assert str(url) == "https://user:pw@xn--bcher-kva.example/a/b?x=1#f", str(url)
assert url.host == "bücher.example"
assert str(url.join("../c")) == "https://user:pw@xn--bcher-kva.example/c"
assert str(url.copy_add_param("y", 2).params) == "x=1&y=2"
try:
    module.URL("http://x:99999/")
except module.InvalidURL:
    pass
else:
    raise SystemExit("InvalidURL was not raised")
"""


def test_installs_and_runs_alone(standalone_imports: Callable[..., set[str]]) -> None:
    assert standalone_imports("urls", "tether_urls", CHECK) == {"tether_urls", "idna"}
