"""Run benchmark suites: ``python -m benchmarks`` (all) or ``python -m benchmarks urls``.

A suite is a module ``benchmarks/bench_<name>.py`` with a ``main() -> str``
function that runs its cases and returns the report to print. ``--docs`` asks the
suites that publish results to the docs (``main(docs=True)``: the transport suite)
to write them under ``docs/assets/benchmarks/``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    """The names of the suites found beside this file."""
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )


def publishes(name: str) -> bool:
    """Whether the suite can write its results for the docs (``main(docs=True)``)."""
    suite = importlib.import_module(f"benchmarks.bench_{name}")
    return "docs" in inspect.signature(suite.main).parameters


def main(argv: list[str]) -> int:
    docs = "--docs" in argv
    names = [arg for arg in argv if arg != "--docs"] or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(available())}")
        return 2
    if docs:
        names = [name for name in names if publishes(name)]
        if not names:
            print("--docs: none of these suites publishes to the docs; try: transport")
            return 2
    for name in names:
        suite = importlib.import_module(f"benchmarks.bench_{name}")
        print(suite.main(docs=True) if docs else suite.main())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
