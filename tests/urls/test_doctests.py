"""The examples in the docstrings run, so they cannot rot."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import tether_urls


@pytest.mark.parametrize("name", ["QueryParams", "URL", "quote", "unquote"])
def test_docstring_examples(name: str) -> None:
    # module=False: the public classes name "tether_urls" as their module, not the
    # private module that defines them, which would make doctest skip their members.
    finder = doctest.DocTestFinder()
    tests = finder.find(getattr(tether_urls, name), name, module=False, globs=vars(tether_urls))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_examples() -> None:
    readme = Path(__file__).resolve().parents[2] / "libs" / "urls" / "README.md"
    result = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15
    assert result.failed == 0
