"""The embedded Public Suffix List snapshot and its lookups."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from tether_cookies import is_public_suffix
from tether_cookies._psl import snapshot_version


@pytest.mark.parametrize(
    "domain",
    [
        "com",
        "uk",
        "co.uk",
        "org.au",
        "github.io",  # PRIVATE section
        "s3.amazonaws.com",
        "anything.ck",  # wildcard rule *.ck
        "xn--55qx5d.cn",  # IDN rule, stored as A-labels
        "localhost",  # implicit "*" rule: every single label
        "example",
        "co.uk.",  # a trailing dot is the same name
    ],
)
def test_public_suffixes(domain: str) -> None:
    assert is_public_suffix(domain)


@pytest.mark.parametrize(
    "domain",
    ["example.com", "example.co.uk", "foo.github.io", "www.ck", "city.kawasaki.jp", "a.b.ck", ""],
)
def test_registrable_domains_are_not_public_suffixes(domain: str) -> None:
    assert not is_public_suffix(domain)


def test_snapshot_header_states_licence_and_version() -> None:
    text = resources.files("tether_cookies").joinpath("public_suffix_list.dat").read_text("utf-8")
    header = text[:1000]
    assert "Mozilla Public" in header
    assert "MPL/2.0" in header
    assert "// Source VERSION: " in header
    assert snapshot_version()[:4].isdigit()


def test_snapshot_contains_both_sections_in_a_labels() -> None:
    text = resources.files("tether_cookies").joinpath("public_suffix_list.dat").read_text("utf-8")
    rules = [line for line in text.splitlines() if line and not line.startswith("//")]
    assert len(rules) > 9000
    assert all(line.isascii() for line in rules)
    assert "// ===PRIVATE===" in text


def test_generator_script_converts_the_official_format(tmp_path: Path) -> None:
    script = (
        Path(__file__).resolve().parents[2] / "libs" / "cookies" / "scripts" / "generate_psl.py"
    )
    spec = importlib.util.spec_from_file_location("generate_psl", script)
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    official = "\n".join(
        [
            "// VERSION: 2030-01-01_00-00-00_UTC",
            "// COMMIT: abc",
            "not-in-a-section",
            "// ===BEGIN ICANN DOMAINS===",
            "// comment",
            "Com",
            "*.ck",
            "!www.ck",
            "公司.cn trailing text",
            "// ===END ICANN DOMAINS===",
            "// ===BEGIN PRIVATE DOMAINS===",
            "github.io",
            "// ===END PRIVATE DOMAINS===",
        ]
    )
    icann, private, version, commit = generator.convert(official)
    assert icann == ["com", "*.ck", "!www.ck", "xn--55qx5d.cn"]
    assert private == ["github.io"]
    assert (version, commit) == ("VERSION: 2030-01-01_00-00-00_UTC", "COMMIT: abc")
