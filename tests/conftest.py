"""Fixtures shared by every package's tests.

`standalone_imports` proves the packaging promise of DESIGN.md: a package builds
into a wheel and works installed alone, next to nothing but its declared
third-party dependencies. `check_public_api` proves the "one public door" habit:
`__all__` is sorted and complete, and public classes name their own package.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import types
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent

# CI draws the same examples on every run, so a landing never hangs on a lucky draw;
# local runs keep exploring at random (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Run inside the bare venv: import the package, then report which top-level
# modules outside the standard library were loaded.
_PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
exec(sys.argv[2], {"module": module})
loaded = {name.split(".")[0] for name in sys.modules}
print(json.dumps(sorted(loaded - set(sys.stdlib_module_names) - {"__main__"})))
"""


def _build_wheel(lib_dir: Path, out_dir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out_dir)],
        cwd=lib_dir,
        check=True,
        capture_output=True,
    )
    (wheel,) = out_dir.glob("*.whl")
    return wheel


def _copy_distribution(name: str, site_packages: Path) -> None:
    """Install an already-installed distribution into another venv by copying its files."""
    dist = importlib.metadata.distribution(name)
    for file in dist.files or ():
        source = Path(str(dist.locate_file(file)))
        if source.is_file() and "__pycache__" not in file.parts and not file.is_absolute():
            target = site_packages / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _install_alone(lib: str, tmp: Path) -> Path:
    wheel = _build_wheel(REPO / "libs" / lib, tmp / "dist")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    scheme = "nt" if sys.platform == "win32" else "posix_prefix"
    purelib = sysconfig.get_path("purelib", scheme, vars={"base": str(venv)})
    site_packages = Path(purelib)
    # A pure-Python wheel is installed by unpacking it into site-packages.
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site_packages)
    metadata = importlib.metadata.Distribution.at(next(site_packages.glob("*.dist-info"))).metadata
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            _copy_distribution(requirement.name, site_packages)
    return venv / ("Scripts" if sys.platform == "win32" else "bin") / "python"


@pytest.fixture(scope="session")
def standalone_imports(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., set[str]]:
    """Install `libs/<lib>` alone in a fresh venv; import it; return the non-stdlib modules loaded.

    `check` is Python source run with the imported package bound to `module`.
    """

    def run(lib: str, import_name: str, check: str = "") -> set[str]:
        python = _install_alone(lib, tmp_path_factory.mktemp(f"alone-{lib}"))
        result = subprocess.run(
            [str(python), "-I", "-c", _PROBE, import_name, check],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return set(json.loads(result.stdout))

    return run


@pytest.fixture
def check_public_api() -> Callable[[types.ModuleType], None]:
    """Assert that a package's `__all__` is sorted, complete and owned by the package."""

    def check(module: types.ModuleType) -> None:
        exported = list(module.__all__)
        assert exported == sorted(exported)
        public = {name for name in vars(module) if not name.startswith("_")}
        public.discard("annotations")
        assert set(exported) - {"__version__"} == public, "public names not in __all__"
        for name in exported:
            value = getattr(module, name)
            if isinstance(value, type):
                assert value.__module__ == module.__name__, name

    return check
