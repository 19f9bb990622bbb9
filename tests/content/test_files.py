"""Questions asked of file-like objects: size, offset, text or binary."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tether_content import InvalidInput
from tether_content._files import as_bytes, is_text_file, position, rewind, total_size


class Broken:
    """Every file method raises, as a closed or exotic file might."""

    def fileno(self) -> int:
        raise OSError("no fd")

    def seekable(self) -> bool:
        raise ValueError("closed")

    def tell(self) -> int:
        raise OSError("no tell")

    def seek(self, offset: int, whence: int = 0) -> int:
        raise OSError("no seek")


class SeekReturnsNone:
    """Some file-likes return None from seek(); the offset then comes from tell()."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def tell(self) -> int:
        return self._data.tell()

    def seek(self, offset: int, whence: int = 0) -> None:
        self._data.seek(offset, whence)


def test_sizes(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    with path.open("rb") as file:
        file.seek(2)
        assert total_size(file) == 5
        assert position(file) == 2
    assert total_size(io.BytesIO(b"abc")) == 3
    assert total_size(SeekReturnsNone(b"abcd")) == 4
    assert total_size(Broken()) is None
    assert position(Broken()) is None
    assert total_size(object()) is None


def test_a_bad_descriptor_falls_back_to_seeking() -> None:
    class BadFd(io.BytesIO):
        def fileno(self) -> int:
            return -1  # os.fstat raises OSError

    assert total_size(BadFd(b"abcde")) == 5


def test_a_file_that_tells_but_cannot_seek_has_no_size() -> None:
    class NoSeek:
        def tell(self) -> int:
            return 0

        def seek(self, offset: int, whence: int = 0) -> int:
            raise OSError("not seekable after all")

    assert position(NoSeek()) == 0
    assert total_size(NoSeek()) is None


def test_a_closed_file_has_no_size_or_offset(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x")
    file = path.open("rb")
    file.close()
    assert position(file) is None
    assert total_size(file) is None


def test_rewind() -> None:
    data = io.BytesIO(b"abc")
    data.read()
    assert rewind(data, 1)
    assert data.read() == b"bc"
    assert not rewind(Broken(), 0)


def test_text_files_are_recognised() -> None:
    assert is_text_file(io.StringIO())
    assert not is_text_file(io.BytesIO())


@pytest.mark.parametrize(
    ("chunk", "match"),
    [("s" * 100, r"produced str 'sss.*\.\.\., not bytes"), (None, "produced NoneType None")],
)
def test_chunks_that_are_not_bytes_are_named(chunk: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        as_bytes(chunk, "the source")
