"""The public door: `__all__`, ownership of public names, the version."""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Callable
from pathlib import Path

import tether_auth


def test_public_api(check_public_api: Callable[[types.ModuleType], None]) -> None:
    check_public_api(tether_auth)


def test_the_public_names() -> None:
    assert set(tether_auth.__all__) == {
        "Auth",
        "AuthError",
        "AuthTypes",
        "BasicAuth",
        "ChallengeError",
        "CredentialTypes",
        "CredentialsError",
        "DigestAuth",
        "FunctionAuth",
        "NetRCAuth",
        "RequestLike",
        "ResponseLike",
        "URLLike",
        "__version__",
        "to_auth",
    }


def test_functions_belong_to_the_package() -> None:
    assert tether_auth.to_auth.__module__ == "tether_auth"


def test_version() -> None:
    from tether_auth.__about__ import __version__

    assert tether_auth.__version__ == __version__ == "0.1.0"


def test_imports_only_the_standard_library_and_itself() -> None:
    # The standalone test proves it at run time; this catches lazy imports too.
    imported: set[str] = set()
    for path in Path(tether_auth.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
