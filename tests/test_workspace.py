"""The monorepo's own promises: every package is complete, versioned and wired into the tools."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
LIBS = sorted(path.parent for path in REPO.glob("libs/*/pyproject.toml"))
ROOT: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text())


def _project(lib: Path) -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((lib / "pyproject.toml").read_text())["project"]
    return project


def _import_name(lib: Path) -> str:
    return str(_project(lib)["name"]).replace("-", "_")


def test_the_workspace_has_the_designed_packages() -> None:
    names = {lib.name for lib in LIBS}
    assert {"urls", "headers", "cookies", "auth", "content"} <= names


@pytest.mark.parametrize("lib", LIBS, ids=[lib.name for lib in LIBS])
def test_package_is_complete(lib: Path) -> None:
    src = lib / "src" / _import_name(lib)
    for required in ("README.md", "CHANGELOG.md", "pyproject.toml"):
        assert (lib / required).is_file(), f"{lib.name} lacks {required}"
    assert (src / "py.typed").is_file()
    assert (src / "__about__.py").is_file()
    project = _project(lib)
    assert project["requires-python"] == ">=3.10"
    assert "version" in project["dynamic"]


@pytest.mark.parametrize("lib", LIBS, ids=[lib.name for lib in LIBS])
def test_version_is_released_in_the_changelog(lib: Path) -> None:
    module = importlib.import_module(_import_name(lib))
    version = module.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    changelog = (lib / "CHANGELOG.md").read_text()
    assert f"## [{version}]" in changelog, f"{lib.name} {version} has no CHANGELOG section"


@pytest.mark.parametrize("lib", LIBS, ids=[lib.name for lib in LIBS])
def test_package_is_wired_into_the_tools(lib: Path) -> None:
    src = f"libs/{lib.name}/src"
    import_name = _import_name(lib)
    tool = ROOT["tool"]
    assert src in tool["mypy"]["files"]
    assert src in tool["mypy"]["mypy_path"]
    assert src in tool["ruff"]["src"]
    assert import_name in tool["ruff"]["lint"]["isort"]["known-first-party"]
    assert import_name in tool["coverage"]["run"]["source_pkgs"]
    assert (REPO / "tests" / lib.name / "__init__.py").is_file()


@pytest.mark.parametrize("lib", LIBS, ids=[lib.name for lib in LIBS])
def test_sibling_dependencies_use_ranges(lib: Path) -> None:
    for requirement in _project(lib).get("dependencies", []):
        if requirement.startswith("tether"):
            assert "==" not in requirement, requirement
            assert "<" in requirement, requirement
