"""The running site's articles: the one store an app loads (``install``). Every other module
reaches it through ``store()``, never by its key."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask, current_app

from app.content.store import ContentStore

KEY = "content"


def install(app: Flask, languages: Sequence[str], source: str) -> ContentStore:
    """Load the articles and their compiled translations in ``languages``."""
    found = app.extensions[KEY] = ContentStore(
        Path(app.config["CONTENT_DIR"]), Path(app.config["TRANSLATIONS_DIR"]), languages, source
    )
    return found


def store(app: Flask | None = None) -> ContentStore:
    return (app or current_app).extensions[KEY]
