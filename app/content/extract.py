"""Babel extractor for article files: one message per block, with article and section context.

Registered as the ``articles`` entry point in ``babel.extractors`` (see ``pyproject.toml``), so both
``flask translate extract`` and plain ``pybabel extract`` with a mapping line
``[articles: content/*.md]`` use it.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from app.content.catalog import units
from app.content.loader import load_article


def extract_articles(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield Babel's ``(lineno, funcname, (context, message), comments)`` for every block."""
    name = getattr(fileobj, "name", None)
    if not name or not os.path.isfile(name):
        raise ValueError("the articles extractor reads files from content/ by path")
    article = load_article(Path(name))
    for unit in units(article):
        yield unit.line, "pgettext", (unit.context, unit.text), [unit.comment]
