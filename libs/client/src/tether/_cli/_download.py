"""``--download FILE``: save a response's body, with a progress bar on a terminal.

The bar goes to stderr, so stdout stays free for the response head: it shows the bytes
received against ``Content-Length`` (when the server sent one), the speed and the time
left. Progress counts bytes as they arrive on the wire (`num_bytes_downloaded`), which is
what ``Content-Length`` measures even when the body is compressed; the file gets the
decoded body. Without a terminal there is no bar, only the closing summary line.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from rich.console import Console
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .._response import Response


def expected_size(response: Response) -> int | None:
    """The ``Content-Length`` of the response, if it has a usable one."""
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def progress_bar(console: Console) -> Progress:
    """The bar: name, bar, received/total, speed, time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def download(response: Response, path: Path, console: Console) -> int:
    """Write the body to `path` and return its size; a failed download leaves no file."""
    started = time.monotonic()
    size = 0
    file = path.open("wb")  # before the try: a file that cannot be opened is not removed
    try:
        with file:
            if console.is_terminal:
                with progress_bar(console) as progress:
                    task = progress.add_task(path.name, total=expected_size(response))
                    for chunk in response.iter_bytes():
                        file.write(chunk)
                        size += len(chunk)
                        progress.update(task, completed=response.num_bytes_downloaded)
                    progress.update(task, completed=response.num_bytes_downloaded)
            else:
                for chunk in response.iter_bytes():
                    file.write(chunk)
                    size += len(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    seconds = max(time.monotonic() - started, 1e-6)
    console.print(
        f"Saved {decimal(size)} to {path} in {seconds:.2f} s ({decimal(int(size / seconds))}/s)",
        markup=False,
        highlight=False,
    )
    return size
