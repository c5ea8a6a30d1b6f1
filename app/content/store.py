"""The loaded library with its translations: what the site and the search index read from."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from app.content.catalog import ArticleCatalog, LocalizedArticle, localize
from app.content.conventions import ARTICLES, catalog_path
from app.content.loader import Library, load_library


class ContentStore:
    """Articles loaded once at start-up, and each language's compiled article catalog."""

    def __init__(
        self, content_dir: Path, translations_dir: Path, languages: Iterable[str], source: str
    ) -> None:
        self.library: Library = load_library(content_dir)
        self.source = source
        self.mo_paths = {
            lang: catalog_path(translations_dir, lang, ARTICLES, ".mo")
            for lang in languages
            if lang != source
        }
        self.catalogs = {lang: ArticleCatalog.load(p) for lang, p in self.mo_paths.items()}
        self._cache: dict[tuple[str, str], LocalizedArticle] = {}

    @cached_property
    def version(self) -> str:
        """Fingerprint of the content and the compiled catalogs: changes when any text does."""
        digest = hashlib.sha256(self.library.version.encode())
        for lang in sorted(self.mo_paths):
            path = self.mo_paths[lang]
            digest.update(lang.encode())
            if path.is_file():
                digest.update(path.read_bytes())
        return digest.hexdigest()[:12]

    @cached_property
    def modified(self) -> dt.datetime:
        """When the newest content file or compiled catalog was written (Last-Modified)."""
        paths = [a.path for a in self.library.articles]
        paths += [p for p in self.mo_paths.values() if p.is_file()]
        newest = max(p.stat().st_mtime for p in paths)
        return dt.datetime.fromtimestamp(int(newest), dt.UTC)

    def localized(self, slug: str, lang: str) -> LocalizedArticle | None:
        key = (slug, lang)
        found = self._cache.get(key)
        if found is None:
            article = self.library.get(slug)
            if article is None:
                return None
            catalog = None if lang == self.source else self.catalogs.get(lang, ArticleCatalog({}))
            found = self._cache[key] = localize(article, lang, catalog)
        return found

    def all_localized(self, lang: str) -> list[LocalizedArticle]:
        return [self.localized(a.slug, lang) for a in self.library.articles]  # type: ignore[misc]
