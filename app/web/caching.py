"""HTTP caching and compression: pages rendered once per content version, static files
fingerprinted, and every body compressed for slow connections.

A reading page's HTML depends only on its address and the content-and-catalog version (nothing
personal is in it), so it is rendered once, compressed with gzip and brotli (at a fast level
first, at the best level once it is read again) and served from memory with a strong ETag until
the content changes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mimetypes
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Protocol

import brotli
from flask import Flask, Response, abort, current_app, request
from flask_compress import Compress
from werkzeug.security import safe_join

from app.lru import LRUCache

STATIC_MAX_AGE = 365 * 24 * 3600
PAGE_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"


#: Levels for a page's first compression, on the request path: a few milliseconds for an
#: article, where brotli 11 takes a hundred or more.
FAST_BROTLI = 4
FAST_GZIP = 5
#: Pages waiting to be recompressed at their best level; more are dropped, and asked again
#: the next time they are served.
RECOMPRESS_QUEUE = 64


@dataclass
class CachedPage:
    """A body and, made the first time a client asks for them, its compressed forms.

    A form is first made at a fast level, so an uncached page (one nobody asked for before,
    perhaps invented to cost us work) never pays for the best compression on the request path.
    Once the page is served again it is worth more: it is recompressed at ``quality`` in the
    background (``Recompressor``), and served from then on at that level.
    """

    body: bytes
    etag: str
    mimetype: str
    #: Brotli quality at best: the highest for pages read many times, lower for one-off pages.
    quality: int = 11
    #: Encoding to (bytes, level they were made at).
    encoded: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    served: int = 0
    _pending: set[str] = field(default_factory=set, repr=False)

    def best_level(self, encoding: str) -> int:
        if encoding == "br":
            return self.quality
        return 9 if self.quality > 9 else 6

    def level(self, encoding: str) -> int | None:
        """The level the page's ``encoding`` form was made at, or None if not made yet."""
        found = self.encoded.get(encoding)
        return found[1] if found else None

    def _compress(self, encoding: str, level: int) -> bytes:
        if encoding == "br":
            return brotli.compress(self.body, quality=level)
        return gzip.compress(self.body, compresslevel=level, mtime=0)

    def encode(self, encoding: str | None) -> tuple[bytes, str]:
        """The body in ``encoding`` and its entity tag (the level is part of it: a strong
        ETag changes with the bytes)."""
        if encoding is None:
            return self.body, self.etag
        found = self.encoded.get(encoding)
        if found is None:
            fast = FAST_BROTLI if encoding == "br" else FAST_GZIP
            level = min(fast, self.best_level(encoding))
            found = self.encoded[encoding] = (self._compress(encoding, level), level)
        data, level = found
        suffix = encoding if level == self.best_level(encoding) else f"{encoding}{level}"
        return data, f"{self.etag}-{suffix}"

    def recompress(self, encoding: str) -> None:
        """Make the ``encoding`` form at the best level (slow: call it off the request path)."""
        level = self.best_level(encoding)
        if self.level(encoding) != level:
            self.encoded[encoding] = (self._compress(encoding, level), level)
        self._pending.discard(encoding)


def compress(body: bytes, mimetype: str, quality: int = 11) -> CachedPage:
    return CachedPage(body, hashlib.sha256(body).hexdigest()[:32], mimetype, quality)


class Recompressor:
    """One background thread per worker process that recompresses pages served again at their
    best level; started on first use, so a worker forked from a parent starts its own."""

    def __init__(self) -> None:
        self._pid = 0
        self._queue: queue.Queue[tuple[CachedPage, str]] = queue.Queue(RECOMPRESS_QUEUE)
        self._lock = threading.Lock()

    def submit(self, page: CachedPage, encoding: str) -> None:
        if encoding in page._pending or page.level(encoding) == page.best_level(encoding):
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue = queue.Queue(RECOMPRESS_QUEUE)
                threading.Thread(target=self._run, name="recompress", daemon=True).start()
        page._pending.add(encoding)
        try:
            self._queue.put_nowait((page, encoding))
        except queue.Full:
            page._pending.discard(encoding)

    def _run(self) -> None:
        jobs = self._queue
        while True:
            page, encoding = jobs.get()
            try:
                page.recompress(encoding)
            finally:
                jobs.task_done()

    def wait(self) -> None:
        """Until every page submitted so far is recompressed (for tests and benchmarks)."""
        self._queue.join()


def _encoding() -> str | None:
    accepted = request.accept_encodings
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def _send(page: CachedPage, cache_control: str, modified: dt.datetime | None) -> Response:
    encoding = _encoding()
    body, etag = page.encode(encoding)
    page.served += 1
    if encoding and page.served > 1:
        current_app.extensions["recompressor"].submit(page, encoding)
    response = Response(body, mimetype=page.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(etag)
    if modified:
        response.last_modified = modified
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    response.make_conditional(request)  # returns the response itself, typed as Werkzeug's
    return response


class Versioned(Protocol):
    """What every reading page depends on besides its address: ``version`` changes whenever
    any page's text may, ``modified`` is when it last did (sent as Last-Modified)."""

    @property
    def version(self) -> str: ...

    @property
    def modified(self) -> dt.datetime: ...


#: Where ``version_pages_by`` keeps the app's ``Versioned`` source.
PAGES_VERSION = "pages_version"


def version_pages_by(app: Flask, source: Versioned) -> None:
    """Keep cached pages per ``source.version``: the content area gives its store, so the shell
    knows nothing of articles or catalogs."""
    app.extensions[PAGES_VERSION] = source


def cached_page(
    cache: str = "page_cache", quality: int = 11, by_query: bool = False
) -> Callable[[Callable], Callable]:
    """Serve a GET view from the named page cache; only 200 responses are kept, and not those
    the view marks ``Cache-Control: no-store``.

    Reading pages share one cache, recompressed at the highest level once read again; search
    results, many of them asked for once, have their own so they never push articles out, and
    a lighter best level.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            pages: LRUCache = current_app.extensions[cache]
            # Nothing a client can vary goes into the key but what the page depends on: not the
            # Host, and for reading pages not an invented query string either.
            path = request.full_path if by_query and request.query_string else request.path
            content: Versioned = current_app.extensions[PAGES_VERSION]
            key = (path, content.version)
            page = pages.get(key)
            if page is None:
                response = current_app.make_response(view(*args, **kwargs))
                if (
                    response.status_code != 200
                    or response.direct_passthrough
                    or response.cache_control.no_store
                ):
                    return response
                page = pages.put(key, compress(response.get_data(), response.mimetype, quality))
            return _send(page, PAGE_CACHE_CONTROL, content.modified)

        return wrapper

    return decorate


def serve_static(filename: str) -> Response:
    """Static files from memory, compressed once; a fingerprinted address is cached a year."""
    app = current_app
    path = safe_join(app.static_folder or "", filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    stat = os.stat(path)
    key = ("", path, str(stat.st_mtime_ns))
    modified = dt.datetime.fromtimestamp(int(stat.st_mtime), dt.UTC)
    return serve_generated(key, lambda: Path(path).read_bytes(), mimetype, modified)


def serve_generated(
    key: tuple, make: Callable[[], bytes], mimetype: str, modified: dt.datetime | None = None
) -> Response:
    """A file-like response made once per ``key`` (which must change with its bytes) and kept
    with the static files, compressed once; a fingerprinted (``?v=``) address is cached a year.
    ``modified`` is sent as Last-Modified, as a static file server sends a file's time."""
    cache: LRUCache = current_app.extensions["static_cache"]
    page = cache.get(key)
    if page is None:
        page = cache.put(key, compress(make(), mimetype))
    if request.args.get("v"):
        cache_control = f"public, max-age={STATIC_MAX_AGE}, immutable"
    else:
        cache_control = "public, max-age=300"
    return _send(page, cache_control, modified)


def _static_version(app: Flask, filename: str) -> str:
    versions: dict[str, str] = app.extensions.setdefault("static_versions", {})
    if filename not in versions:
        path = Path(app.static_folder or "") / filename
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"
        versions[filename] = digest
    return versions[filename]


def page_bytes(page: CachedPage) -> int:
    """What a cached page holds in memory: its body and each compressed form made so far."""
    return len(page.body) + sum(len(data) for data, _ in list(page.encoded.values()))


def init_app(app: Flask) -> None:
    # Bounded in bytes (and entries), so that neither long articles nor a flood of made-up
    # search queries can grow a worker's memory past the settings. When the static export
    # serves the reading pages (EXPORT_SERVES_PAGES), the few that reach us are not kept.
    reading_bytes = 0 if app.config.get("EXPORT_SERVES_PAGES") else app.config["PAGE_CACHE_BYTES"]
    app.extensions["page_cache"] = LRUCache(512, reading_bytes, page_bytes)
    app.extensions["search_page_cache"] = LRUCache(
        1024, app.config["SEARCH_PAGE_CACHE_BYTES"], page_bytes
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "text/css", "text/javascript", "application/json", "application/xml"],
    )
    Compress(app)

    @app.url_defaults
    def fingerprint_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values.setdefault("v", _static_version(app, values["filename"]))

    app.extensions["static_cache"] = LRUCache(64)
    app.extensions["recompressor"] = Recompressor()
    app.view_functions["static"] = serve_static
