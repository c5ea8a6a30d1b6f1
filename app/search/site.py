"""The running site's search: the one service an app opens (``install``). Every other module
reaches it through ``service()``, never by its key."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from app.content.site import store
from app.search.service import SearchService

KEY = "search"


def install(app: Flask, languages: list[str]) -> SearchService:
    found = app.extensions[KEY] = SearchService(
        Path(app.config["SEARCH_INDEX_DIR"]), store(app), languages
    )
    return found


def service(app: Flask | None = None) -> SearchService:
    return (app or current_app).extensions[KEY]
