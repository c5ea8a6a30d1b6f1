"""HTTP caching and compression: pages rendered once per content version, static files
fingerprinted, and every body compressed for slow connections.

A reading page's HTML depends only on its address and the content-and-catalog version (nothing
personal is in it), so it is rendered once, compressed once with gzip and brotli, and served from
memory with a strong ETag until the content changes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, request
from flask_compress import Compress
from werkzeug.security import safe_join

from app.lru import LRUCache

STATIC_MAX_AGE = 365 * 24 * 3600
PAGE_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"


@dataclass
class CachedPage:
    """A body and, made the first time a client asks for them, its compressed forms."""

    body: bytes
    etag: str
    mimetype: str
    #: Brotli quality: the highest for pages read many times, lower for one-off pages.
    quality: int = 11
    encoded: dict[str, bytes] = field(default_factory=dict)

    def encode(self, encoding: str | None) -> bytes:
        if encoding is None:
            return self.body
        found = self.encoded.get(encoding)
        if found is None:
            if encoding == "br":
                found = brotli.compress(self.body, quality=self.quality)
            else:
                found = gzip.compress(
                    self.body, compresslevel=9 if self.quality > 9 else 6, mtime=0
                )
            self.encoded[encoding] = found
        return found


def compress(body: bytes, mimetype: str, quality: int = 11) -> CachedPage:
    return CachedPage(body, hashlib.sha256(body).hexdigest()[:32], mimetype, quality)


def _encoding() -> str | None:
    accepted = request.accept_encodings
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def _send(page: CachedPage, cache_control: str, modified: dt.datetime | None) -> Response:
    encoding = _encoding()
    response = Response(page.encode(encoding), mimetype=page.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(page.etag + (f"-{encoding}" if encoding else ""))
    if modified:
        response.last_modified = modified
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def cached_page(cache: str = "page_cache", quality: int = 11) -> Callable[[Callable], Callable]:
    """Serve a GET view from the named page cache; only 200 responses are kept.

    Reading pages share one cache at the highest compression; search results, many of them
    asked for once, have their own so they never push articles out, compressed more lightly.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            store = current_app.extensions["content"]
            pages: LRUCache = current_app.extensions[cache]
            path = request.full_path if request.query_string else request.path
            key = (request.host, path, store.version)
            page = pages.get(key)
            if page is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                page = pages.put(key, compress(response.get_data(), response.mimetype, quality))
            return _send(page, PAGE_CACHE_CONTROL, store.modified)

        return wrapper

    return decorate


def serve_static(filename: str) -> Response:
    """Static files from memory, compressed once; a fingerprinted address is cached a year."""
    app = current_app
    path = safe_join(app.static_folder or "", filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    cache: LRUCache = app.extensions["static_cache"]
    key = ("", path, str(os.stat(path).st_mtime_ns))
    page = cache.get(key)
    if page is None:
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        page = cache.put(key, compress(Path(path).read_bytes(), mimetype))
    if request.args.get("v"):
        cache_control = f"public, max-age={STATIC_MAX_AGE}, immutable"
    else:
        cache_control = "public, max-age=300"
    return _send(page, cache_control, None)


def _static_version(app: Flask, filename: str) -> str:
    versions: dict[str, str] = app.extensions.setdefault("static_versions", {})
    if filename not in versions:
        path = Path(app.static_folder or "") / filename
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"
        versions[filename] = digest
    return versions[filename]


def init_app(app: Flask) -> None:
    # Keyed by host too (pages carry absolute alternate links), and bounded so a flood of
    # made-up hosts or query strings cannot grow memory.
    app.extensions["page_cache"] = LRUCache(512)
    app.extensions["search_page_cache"] = LRUCache(1024)
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
    app.view_functions["static"] = serve_static
