"""Files that hold customer data (the write-back journal, the geocode cache).

Such a file is created readable and writable by its owner only (mode 0600), before
anything else opens it: SQLite then gives its ``-wal`` and ``-shm`` companions the same
mode as the database file. An existing file keeps its mode, so an administrator who chose
another one on purpose is not overruled.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PRIVATE_MODE", "create_private"]

PRIVATE_MODE = 0o600


def create_private(path: Path | str) -> Path:
    """Create ``path`` as an empty 0600 file if it does not exist yet; return it.

    Raises :class:`OSError` like :func:`open` when the file cannot be created.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    return Path(path)
