"""Private files: created 0600 whatever the umask grants, existing files left as they are."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from routing.files import PRIVATE_MODE, create_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_private_under_a_permissive_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        path = create_private(tmp_path / "cache.sqlite")
    finally:
        os.umask(old_umask)
    assert PRIVATE_MODE == 0o600
    assert mode(path) == 0o600 and path.read_bytes() == b""


def test_an_existing_file_keeps_its_content_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"data")
    path.chmod(0o640)
    create_private(path)
    assert mode(path) == 0o640 and path.read_bytes() == b"data"
