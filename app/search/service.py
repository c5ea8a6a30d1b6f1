"""One open index per worker process, reopened only when a new build has been swapped in.

Whoosh's ``refresh()`` does not notice that ``current`` now points at another directory, so the
service compares the symlink's target (one ``readlink`` per search) with the build it opened.
Indexes opened before a fork are not reused in the child.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from whoosh import index as whoosh_index

from app.content.store import ContentStore
from app.lru import LRUCache
from app.search.index import build_index, current_info, fingerprint
from app.search.query import CleanQuery, SearchPage, clean, run

log = logging.getLogger(__name__)


RESULT_CACHE_SIZE = 2048


class SearchUnavailable(RuntimeError):
    """No usable index right now (missing, half-written, corrupt, or being built)."""


def translations_of(store: ContentStore) -> Path | None:
    """The translations folder the store read its catalogs from (``<it>/<lang>/LC_MESSAGES/``,
    as ``conventions.catalog_path`` lays them out): where the glossaries are."""
    return next((path.parents[2] for path in store.mo_paths.values()), None)


class SearchService:
    def __init__(
        self,
        root: Path,
        store: ContentStore,
        languages: list[str],
        glossaries: Path | None = None,
        budget_ms: float | None = None,
    ) -> None:
        self.root = Path(root)
        self.store = store
        self.languages = languages
        #: The folder whose ``<lang>/glossary.md`` feed the synonyms (by default the store's
        #: translations folder); read once per process, at query time (no rebuild needed).
        self.glossaries = glossaries if glossaries is not None else translations_of(store)
        #: Processor time (ms) a search may spend before it returns what it has, marked partial
        #: (see ``run`` and ``app.search.engine.Budget``).
        self.budget_ms = budget_ms
        self._local = threading.local()
        self._opened: tuple[int, str] | None = None
        self._index = None
        self._lock = threading.Lock()
        self._rebuilding = threading.Event()
        self._results: LRUCache[tuple[CleanQuery, str, int], SearchPage] = LRUCache(
            RESULT_CACHE_SIZE
        )

    def _target(self) -> str | None:
        try:
            return os.readlink(self.root / "current")
        except OSError:
            return None

    def _open(self):
        target = self._target()
        if target is None:
            raise SearchUnavailable("no index has been built")
        key = (os.getpid(), target)
        if self._opened != key:
            with self._lock:
                if self._opened != key:
                    info = current_info(self.root)
                    if info is None:
                        raise SearchUnavailable("the index has no metadata")
                    try:
                        self._index = whoosh_index.open_dir(str(info.path))
                    except Exception as exc:  # noqa: BLE001 - any failure means unusable
                        raise SearchUnavailable(f"the index cannot be opened: {exc}") from exc
                    self._opened = key
                    self._local = threading.local()
                    self._results = LRUCache(RESULT_CACHE_SIZE)
                    if info.fingerprint != fingerprint(self.store):
                        # Built from older content, catalogs or analysis: serve it while a
                        # new one is built.
                        self.rebuild_in_background()
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self._index.searcher()
        return searcher

    def search(self, text: str, lang: str, page: int = 1) -> SearchPage:
        """Results for ``text``; repeated searches on the same build come from memory, except
        partial ones (cut short by the time budget: a quieter moment may find them all)."""
        try:
            searcher = self._open()
            query = clean(text)
            key = (query, lang, page)
            found = self._results.get(key)
            if found is None:
                found = run(
                    searcher,
                    query,
                    lang,
                    page,
                    glossaries=self.glossaries,
                    budget_ms=self.budget_ms,
                )
                if not found.partial:
                    self._results.put(key, found)
            return found
        except SearchUnavailable:
            self.rebuild_in_background()
            raise
        except Exception as exc:  # a corrupt segment shows up only when read
            log.exception("search failed; rebuilding the index")
            self._opened = None
            self.rebuild_in_background()
            raise SearchUnavailable(str(exc)) from exc

    def rebuild_in_background(self) -> None:
        """Start one rebuild in this process; readers get "being rebuilt" until it is done."""
        if self._rebuilding.is_set():
            return
        self._rebuilding.set()

        def rebuild() -> None:
            try:
                build_index(self.store, self.root, self.languages, only_if_stale=True)
            except Exception:
                log.exception("search index rebuild failed")
            finally:
                self._rebuilding.clear()

        threading.Thread(target=rebuild, name="search-rebuild", daemon=True).start()

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding.is_set()
