"""Optional codecs: what is advertised, lazy imports, and the missing-extra message."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from tether_content import ContentDecoder, DecodingError, supported_encodings


def test_everything_is_supported_when_the_extras_are_installed() -> None:
    assert supported_encodings() == ("gzip", "deflate", "br", "zstd")


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for module in modules:
        # None in sys.modules makes both `import` and `find_spec` report it missing.
        monkeypatch.setitem(sys.modules, module, None)


def test_a_missing_brotli_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "brotli", "brotlicffi")
    assert supported_encodings() == ("gzip", "deflate", "zstd")
    with pytest.raises(DecodingError) as info:
        ContentDecoder("gzip, br")
    assert str(info.value) == (
        "the response uses Content-Encoding 'br', which needs the 'brotli' or 'brotlicffi' "
        "package: install 'tether[brotli]' (or 'tether-content[brotli]')"
    )


def test_an_already_imported_codec_counts_even_without_a_spec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", types.ModuleType("zstandard"))
    assert "zstd" in supported_encodings()


def test_brotlicffi_is_used_when_brotli_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import brotli

    _hide(monkeypatch, "brotli")
    monkeypatch.setitem(sys.modules, "brotlicffi", brotli)
    assert "br" in supported_encodings()
    assert ContentDecoder("br").decode_all(brotli.compress(b"cffi")) == b"cffi"


def test_a_missing_zstandard_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "zstandard")
    assert supported_encodings() == ("gzip", "deflate", "br")
    with pytest.raises(DecodingError, match=r"'zstd'.*install 'tether\[zstd\]'"):
        ContentDecoder("zstd")


def test_optional_codecs_are_imported_only_when_a_body_needs_them() -> None:
    script = (
        "import sys, tether_content as tc\n"
        "tc.supported_encodings(); tc.ContentDecoder('gzip, deflate')\n"
        "assert 'brotli' not in sys.modules and 'zstandard' not in sys.modules\n"
        "tc.ContentDecoder('br')\n"
        "assert 'brotli' in sys.modules and 'zstandard' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
