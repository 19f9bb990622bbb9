"""Every example in the package's docstrings runs, so none can rot."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import tether_headers

# module=False: find examples in everything the package exports, including methods of
# classes whose __module__ was moved to the package from a private module.
_TESTS = [
    test
    for test in doctest.DocTestFinder(exclude_empty=True).find(
        tether_headers, module=False, globs=vars(tether_headers).copy()
    )
    if test.examples
]


def test_examples_were_found() -> None:
    names = {test.name.rsplit(".", 1)[-1] for test in _TESTS}
    assert {"Headers", "validate", "parse_header_params", "parse_http_date"} <= names


@pytest.mark.parametrize("test", _TESTS, ids=[test.name for test in _TESTS])
def test_docstring_examples(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0
    assert results.attempted > 0


def test_testmod_runs_the_module_level_examples() -> None:
    results = doctest.testmod(tether_headers, optionflags=doctest.ELLIPSIS)
    assert results.failed == 0
    assert results.attempted > 0


def test_readme_examples_run() -> None:
    readme = Path(__file__).resolve().parents[2] / "libs" / "headers" / "README.md"
    results = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert results.failed == 0
    assert results.attempted >= 30
