"""The one error content problems raise, from an article or a figure: editors see the file
and line to fix, whichever part of the loader found it."""

from __future__ import annotations

from pathlib import Path


class ContentError(ValueError):
    """Invalid content (an article or a figure), with the file and line where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message
