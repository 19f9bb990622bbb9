"""The ``tether`` command line (``pip install 'tether[cli]'``: click and rich).

`main` is importable without the extra, as ``tether.main``; it loads click and rich
only when called, and without them says how to install them.
"""

from __future__ import annotations

import sys
from typing import Any

INSTALL_HINT = (
    "tether's command line needs click and rich, which are not installed: pip install 'tether[cli]'"
)


def main(*args: Any, **kwargs: Any) -> Any:
    """Run the ``tether`` command (a click command; arguments as click's ``main()``)."""
    try:
        from ._command import command
    except ImportError as exc:
        if exc.name not in ("click", "rich") and not str(exc.name).startswith("rich."):
            raise
        print(f"{INSTALL_HINT} ({exc})", file=sys.stderr)
        sys.exit(1)
    return command(*args, **kwargs)
