"""`import tether as httpx`: every public name and parameter of httpx 0.28 exists here.

httpx serves as the oracle. For every name in ``httpx.__all__`` tether must have the
name; for every callable, every parameter httpx takes (same name, kind and default);
for every class, every public method and property, with the same parameters. tether
may add parameters (``total=`` on Timeout) but never drop one.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest

import tether

# Names that arrive with later work, each with the reason; the list must only shrink.
PENDING: dict[str, str] = {}

NAMES = sorted(name for name in httpx.__all__ if name not in PENDING)


def test_pending_names_are_really_missing() -> None:
    present = [name for name in PENDING if hasattr(tether, name)]
    assert not present, f"remove from PENDING, now implemented: {present}"


@pytest.mark.parametrize("name", NAMES)
def test_every_httpx_name_exists(name: str) -> None:
    assert hasattr(tether, name), f"tether.{name} is missing"


def _default(value: Any) -> Any:
    if value is inspect.Parameter.empty:
        return value
    # Sentinels are compared by role, not identity (httpx's UnsetType, UseClientDefault).
    if "object at 0x" in repr(value):
        return "<sentinel>"
    if type(value).__name__ in ("UseClientDefault", "_Unset", "UnsetType"):
        return "<sentinel>"
    return repr(value)


def _check_signature(where: str, ours: Any, theirs: Any) -> list[str]:
    try:
        their_signature = inspect.signature(theirs)
        our_signature = inspect.signature(ours)
    except (TypeError, ValueError):  # exceptions that keep Exception's own constructor
        return []
    our_params = our_signature.parameters
    problems = []
    for name, param in their_signature.parameters.items():
        if param.kind is param.VAR_KEYWORD:
            if not any(p.kind is p.VAR_KEYWORD for p in our_params.values()):
                problems.append(f"{where}: no **{name}")
            continue
        if name not in our_params:
            problems.append(f"{where}: missing parameter {name!r}")
            continue
        ours_param = our_params[name]
        if ours_param.kind is not param.kind:
            problems.append(f"{where}({name}): kind {ours_param.kind} != {param.kind}")
        if _default(ours_param.default) != _default(param.default):
            problems.append(f"{where}({name}): default {ours_param.default!r} != {param.default!r}")
    return problems


CALLABLES = [name for name in NAMES if callable(getattr(httpx, name))]


@pytest.mark.parametrize("name", CALLABLES)
def test_signatures_keep_every_httpx_parameter(name: str) -> None:
    ours, theirs = getattr(tether, name), getattr(httpx, name)
    problems = _check_signature(name, ours, theirs)
    if inspect.isclass(theirs) and not issubclass(theirs, BaseException):
        for member, value in vars(theirs).items():
            if member.startswith("_") and member not in ("__init__", "__iter__", "__aiter__"):
                continue
            if not hasattr(ours, member):
                problems.append(f"{name}.{member} is missing")
            elif inspect.isfunction(value):
                problems += _check_signature(f"{name}.{member}", getattr(ours, member), value)
    assert not problems, "\n".join(problems)


def test_component_classes_are_re_exported_not_copied() -> None:
    import tether_auth
    import tether_cookies
    import tether_headers
    import tether_urls

    assert tether.URL is tether_urls.URL
    assert tether.QueryParams is tether_urls.QueryParams
    assert tether.InvalidURL is tether_urls.InvalidURL
    assert tether.Headers is tether_headers.Headers
    assert tether.Cookies is tether_cookies.Cookies
    assert tether.CookieConflict is tether_cookies.CookieConflict
    assert tether.DigestAuth is tether_auth.DigestAuth
    assert tether.FunctionAuth is tether_auth.FunctionAuth


def test_public_api_is_one_sorted_door() -> None:
    exported = list(tether.__all__)
    assert exported == sorted(exported)
    public = {name for name in vars(tether) if not name.startswith("_")}
    assert set(exported) - {"__version__"} == public
    for name in exported:
        value = getattr(tether, name)
        if isinstance(value, type):
            # tether's own classes name `tether`; re-exported ones keep their package.
            assert value.__module__ == "tether" or value.__module__.startswith("tether_"), name
