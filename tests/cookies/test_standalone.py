"""tether-cookies builds into a wheel and works installed alone."""

from __future__ import annotations

from collections.abc import Callable

CHECK = """
import tempfile, os
cookies = module.Cookies({"token": "t"})
cookies.extract_from_headers(
    "https://www.example.com/app/",
    [("set-cookie", "sid=1; Domain=example.com; Path=/"), ("set-cookie", "bad=1; Domain=co.uk")],
)
assert cookies.cookie_header("https://api.example.com/") == "token=t; sid=1", cookies
assert module.is_public_suffix("co.uk")
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "cookies.txt")
    cookies.save(path)
    loaded = module.Cookies()
    loaded.load(path)
assert dict(loaded) == {"token": "t", "sid": "1"}, loaded
"""


def test_installs_and_works_alone(standalone_imports: Callable[..., set[str]]) -> None:
    assert standalone_imports("cookies", "tether_cookies", CHECK) == {"tether_cookies"}
