"""Folders of builds served through a ``current`` symlink: the search index and the static
export. A build is written whole, then swapped in with one rename, under a lock so that two
builders never meet; readers see the old build or the new one, never half of either."""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One builder at a time in ``root``, across processes."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def swap_current(root: Path, build: Path, name: str = "current") -> None:
    """Point ``root/name`` at ``build`` in one rename of a fresh relative symlink."""
    link = root / f".{name}-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(build, root), link)
    os.replace(link, root / name)
