"""The running site's search: the one service an app opens (``install``). Every other module
reaches it through ``service()``, never by its key."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, current_app

from app.content.site import store
from app.search.service import SearchService

KEY = "search"
#: Modules Whoosh imports on the first search rather than with the index module: the server's
#: master imports them before the fork (``app.warm``), so its workers share them. Importing a
#: module opens no index file.
ENGINE_MODULES = (
    "whoosh.codec.whoosh3",
    "whoosh.collectors",
    "whoosh.sorting",
    "whoosh.filedb.compound",
    "whoosh.automata.lev",
)


def install(app: Flask, languages: list[str]) -> SearchService:
    found = app.extensions[KEY] = SearchService(
        Path(app.config["SEARCH_INDEX_DIR"]),
        store(app),
        languages,
        budget_ms=app.config.get("SEARCH_TIME_BUDGET_MS"),
    )
    return found


def service(app: Flask | None = None) -> SearchService:
    return (app or current_app).extensions[KEY]


def import_engine() -> None:
    for name in ENGINE_MODULES:
        importlib.import_module(name)
