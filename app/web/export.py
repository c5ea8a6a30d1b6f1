"""``flask export DIR``: every reading page, in every language, as static files for nginx or a
CDN, byte for byte what the app serves.

Layout of ``DIR``::

    builds/<id>/   one complete export: each file with its .gz and .br beside it, and
                   manifest.json (what each file is, and the headers to send with it),
                   and the nginx-*.conf files deploy/nginx.conf includes (``app.web.nginx``)
    current        symlink to the newest complete build; replaced in one rename
    .lock          serialises exports

The pages are rendered by the app itself (its test client, at ``SITE_URL``, asking for no
encoding), so a file holds exactly the body the app sends. Its ``.gz`` and ``.br`` siblings are
the bytes the app sends for a cached page or a fingerprinted file once recompressed at the best
level (brotli 11, gzip 9, ``app.web.caching.compress``).

A build is swapped in only once it is complete, as the search index is (``app.search.index``);
the previous build stays until the next export, for requests still reading it. A file whose
bytes did not change since the previous build is hard-linked from it, not written and
compressed again.

URL to file (``file_for``): the path without its query string; a path ending in ``/`` gets
``index.html``, a last segment without a dot gets ``/index.html``, anything else is the file.
So nginx's ``try_files $uri $uri/index.html`` finds every page::

    /en/                                     en/index.html
    /en/articles/<slug>                      en/articles/<slug>/index.html
    /en/articles/<slug>/figures/<a>.svg?v=…  en/articles/<slug>/figures/<a>.svg
    /static/site.css?v=<hash>                static/site.css
    /sitemap.xml                             sitemap.xml

The ``?v=`` fingerprint only makes a changed file a new address for caches: the app ignores its
value, and nginx ignores the query string when it looks up a file, so ``static/site.css`` is
the file for every ``/static/site.css?v=…``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brotli
import click
from babel.messages.mofile import read_mo, write_mo
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext

from app.builds import locked, swap_current
from app.config import VERSION
from app.content.site import store
from app.i18n import workflow
from app.i18n.languages import languages_of
from app.web import nginx
from app.web.caching import compress

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
BUILDS = "builds"
CURRENT = "current"
ENCODINGS = {"gzip": ".gz", "br": ".br"}
#: Headers that belong to one response, not to every page of a kind: the manifest records
#: them per file (ETag, Last-Modified, type, sizes) or not at all.
PER_RESPONSE = {
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "date",
}
#: How the app serves each kind: ``page`` from the page cache (ETag, Last-Modified, a short
#: Cache-Control), ``asset`` fingerprinted (``?v=``) figures and static files, cached a year.
KINDS = {
    "articles.home": "page",
    "articles.article": "page",
    "articles.about": "page",
    "ask.privacy": "page",
    "status.translations": "page",
    "meta.sitemap": "page",
    "meta.robots": "page",
    "articles.figure": "asset",
    "static": "asset",
}
TRY_FILES = "try_files $uri $uri/index.html"
MAPPING = (
    "the URL path without its query string; a path ending in / gets index.html, a last "
    "segment without a dot gets /index.html"
)
LOCAL_LINK = re.compile(r'(?:href|src|action)="(/[^"#?]*)')
FIGURE_LINK = re.compile(r'src="(/[^"/]+/articles/[^"/]+/figures/[^"/?]+\.svg\?v=[^"&]+)"')


class ExportError(RuntimeError):
    """The export cannot be made; the build being served is left in place."""


class StaleCatalogs(ExportError):
    """Catalogs out of date with the sources or not compiled: the pages would be wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Target:
    """One address to export, as the pages link to it (query string included)."""

    url: str
    kind: str


@dataclass
class ExportResult:
    build: Path
    written: int
    reused: int
    seconds: float
    #: Linked from the pages but not exported: the addresses the app must still serve.
    not_exported: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return self.written + self.reused


def file_for(url: str) -> str:
    """The file, relative to a build, that holds ``url`` (see the module's docstring)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    parts = path.lstrip("/").split("/")
    if not path.startswith("/") or any(p in (".", "..") for p in parts[:-1]) or parts[-1] == "..":
        raise ExportError(f"{url!r} cannot be a file")
    if not parts[-1]:
        return "/".join([*parts[:-1], "index.html"])
    if "." not in parts[-1]:
        return "/".join([*parts, "index.html"])
    return "/".join(parts)


# Catalogs


def _compiled(catalog: Any) -> bytes:
    """The .mo ``flask translate compile`` writes for ``catalog`` (fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _mo_text(data: bytes) -> tuple[dict, list]:
    """What a .mo says: its messages and its headers but the creation date, which a .po
    written by the workflow leaves out, so that every compile stamps its own minute."""
    catalog = read_mo(io.BytesIO(data))
    # A plural's id and forms are lists: tuples, to be a key and compare alike.
    messages = {(_frozen(m.id), m.context): _frozen(m.string) for m in catalog if m.id}
    headers = [(k, v) for k, v in catalog.mime_headers if k != "POT-Creation-Date"]
    return messages, headers


def stale_catalogs(config: workflow.Settings) -> list[str]:
    """Every reason the compiled catalogs do not match the sources; none means fresh.

    A template (.pot) whose messages differ from a fresh extraction, a .po not updated from
    its template, and a .mo that is missing, older than its .po or not what the .po compiles
    to. Unlike ``workflow.check`` this neither compiles anything nor asks for complete
    translations: a fuzzy or untranslated entry is shown in English, and that is a page too.
    """
    problems = []
    for domain in config.domains:
        template = config.template(domain)
        if not template.is_file():
            problems.append(f"{template} is missing: run 'flask translate extract'")
            continue
        fresh = {(m.id, m.context) for m in workflow.extract(config, domain) if m.id}
        committed = {(m.id, m.context) for m in workflow.read(template, domain) if m.id}
        if fresh != committed:
            problems.append(
                f"{template} is out of date with the sources ({len(fresh - committed)} new, "
                f"{len(committed - fresh)} removed): run 'flask translate extract'"
            )
        for lang in config.languages():
            po = config.po(lang, domain)
            if not po.is_file():
                problems.append(f"{po} is missing: run 'flask translate update'")
                continue
            catalog = workflow.read(po, domain, lang)
            if {(m.id, m.context) for m in catalog if m.id} != committed:
                problems.append(
                    f"{po} is not updated from {template.name}: run 'flask translate update'"
                )
            mo = po.with_suffix(".mo")
            if not mo.is_file():
                problems.append(f"{mo} is missing: run 'flask translate compile'")
            elif po.stat().st_mtime_ns > mo.stat().st_mtime_ns:
                problems.append(f"{po} is newer than {mo.name}: run 'flask translate compile'")
            elif _mo_text(_compiled(catalog)) != _mo_text(mo.read_bytes()):
                problems.append(
                    f"{mo} is not what {po.name} compiles to: run 'flask translate compile'"
                )
    return problems


# What to export


def targets(app: Flask) -> list[Target]:
    """Every page and static file to export, in every language. Figures are not listed: their
    addresses carry their drawing's fingerprint, so they are exported as the pages link to them
    (``FIGURE_LINK``)."""
    content = store(app)
    found: list[tuple[str, dict[str, Any]]] = []
    for lang in (language.code for language in languages_of(app)):
        found += [
            ("articles.home", {"lang": lang}),
            ("articles.about", {"lang": lang}),
            ("ask.privacy", {"lang": lang}),
            ("status.translations", {"lang": lang}),
        ]
        for article in content.library.articles:
            found.append(("articles.article", {"lang": lang, "slug": article.slug}))
    found += [("meta.sitemap", {}), ("meta.robots", {})]
    static = Path(app.static_folder or "")
    if static.is_dir():
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            found.append(("static", {"filename": path.relative_to(static).as_posix()}))
    # Built from SERVER_NAME (set from SITE_URL), with the app's URL defaults (``?v=``).
    with app.app_context():
        return [
            Target(url_for(endpoint, _external=False, **args), KINDS[endpoint])
            for endpoint, args in found
        ]


# Builds


def read_manifest(build: Path) -> dict[str, Any] | None:
    try:
        found = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("format") == MANIFEST_FORMAT else None


def current_build(root: Path) -> Path | None:
    """The build ``current`` points at, or None when there is none."""
    try:
        return (Path(root) / CURRENT).resolve(strict=True)
    except OSError:
        return None


def _prune(root: Path, keep: set[Path]) -> None:
    """The new build and the one it replaced stay (nginx may still be sending a file of the
    old one); older builds and any left half-written by a failed export go."""
    for build in (root / BUILDS).iterdir():
        if build.resolve() not in keep:
            shutil.rmtree(build, ignore_errors=True)


def _compression() -> dict[str, Any]:
    """Levels and library versions: a file made with other ones is made again, not reused."""
    probe = compress(b"", "text/plain")
    return {
        "br": probe.best_level("br"),
        "gzip": probe.best_level("gzip"),
        "brotli": brotli.__version__,
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reusable(previous: Path, entry: dict[str, Any], digest: str) -> bool:
    """The previous build's file has these very bytes, and its siblings are complete."""
    if entry.get("sha256") != digest:
        return False
    base = previous / entry["file"]
    try:
        if _sha256(base.read_bytes()) != digest:
            return False
        return all(
            (previous / (entry["file"] + suffix)).stat().st_size == entry["sizes"][encoding]
            for encoding, suffix in ENCODINGS.items()
        )
    except (OSError, KeyError, TypeError):
        return False


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower() not in PER_RESPONSE}


def _write_build(
    app: Flask, build: Path, previous: Path | None, before: dict[str, Any] | None
) -> tuple[dict[str, Any], int, int]:
    content = store(app)
    compression = _compression()
    old: dict[str, dict[str, Any]] = {}
    if previous is not None and before and before.get("compression") == compression:
        # By file, not address: a figure's address changes with every content version (``?v=``)
        # while its drawing may not.
        old = {e["file"]: e for e in before.get("files", []) if isinstance(e, dict) and "file" in e}
    site_url = app.config["SITE_URL"]
    client = app.test_client(use_cookies=False)
    headers: dict[str, dict[str, str]] = {}
    entries: list[dict[str, Any]] = []
    links: set[str] = set()
    written = reused = 0
    pending = targets(app)
    queued = {target.url for target in pending}
    for target in pending:  # grows with the figures the pages link to
        with client.get(
            target.url, base_url=site_url, headers={"Accept-Encoding": "identity"}
        ) as response:
            if response.status_code != 200:
                raise ExportError(f"{target.url} answered {response.status_code}, not 200")
            if "Set-Cookie" in response.headers or "Content-Encoding" in response.headers:
                raise ExportError(f"{target.url} sets a cookie or an encoding: not a static file")
            body = response.get_data()
            sent = _headers(response)
            etag = response.headers.get("ETag")
            modified = response.last_modified
            last_modified = response.headers.get("Last-Modified")
            content_type = response.headers["Content-Type"]
            mimetype = response.mimetype or "application/octet-stream"
        # The headers nginx must add are the same for every file of a kind, or it cannot.
        if headers.setdefault(target.kind, sent) != sent:
            raise ExportError(
                f"{target.url} is sent with other headers than the rest of its kind "
                f"({target.kind}): {sent} instead of {headers[target.kind]}"
            )
        if mimetype == "text/html":
            html = body.decode("utf-8")
            links.update(LOCAL_LINK.findall(html))
            for url in FIGURE_LINK.findall(html):
                if url not in queued:
                    queued.add(url)
                    pending.append(Target(url, KINDS["articles.figure"]))
        page = compress(body, mimetype)
        if etag is not None and etag != f'"{page.etag}"':
            raise ExportError(f"{target.url} has the ETag {etag}, not the hash of its body")
        digest = _sha256(body)
        name = file_for(target.url)
        path = build / name
        path.parent.mkdir(parents=True, exist_ok=True)
        entry: dict[str, Any] = {
            "url": target.url,
            "file": name,
            "kind": target.kind,
            "content_type": content_type,
            "etag": etag,
            "etags": None,
            "last_modified": last_modified,
            "sha256": digest,
            "content_version": content.version,
            "app_version": VERSION,
        }
        before_entry = old.get(name)
        if (
            previous is not None
            and before_entry
            and before_entry.get("etag") == etag
            and _reusable(previous, before_entry, digest)
        ):
            # A hard link shares the file's time, which nginx sends as Last-Modified: when the
            # app's Last-Modified moved on (another article changed), the bytes are copied and
            # given the new time instead, and the old build's files are left as they were.
            same_time = before_entry.get("last_modified") == last_modified
            for suffix in ("", *ENCODINGS.values()):
                source = previous / (before_entry["file"] + suffix)
                if same_time:
                    _link(source, build / (name + suffix))
                else:
                    shutil.copyfile(source, build / (name + suffix))
            sizes = before_entry["sizes"]
            encoded_etags = before_entry.get("etags") or {}
            reused += 1
        else:
            path.write_bytes(body)
            sizes = {"identity": len(body)}
            encoded_etags = {}
            for encoding, suffix in ENCODINGS.items():
                page.recompress(encoding)
                data, tag = page.encode(encoding)
                (build / (name + suffix)).write_bytes(data)
                sizes[encoding] = len(data)
                encoded_etags[encoding] = f'"{tag}"'
            written += 1
            same_time = False
        if modified is not None and not same_time:
            # nginx sends a file's time as its Last-Modified: the app's, as it sent it.
            stamp = modified.timestamp()
            for suffix in ("", *ENCODINGS.values()):
                os.utime(build / (name + suffix), (stamp, stamp))
        # The app sends an encoded body's tag only with an identity tag to derive it from.
        entry["etags"] = encoded_etags if etag is not None else None
        entry["sizes"] = sizes
        entries.append(entry)
    exported = {e["url"].split("?", 1)[0] for e in entries}
    manifest = {
        "format": MANIFEST_FORMAT,
        "build": build.name,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "app_version": VERSION,
        "content_version": content.version,
        "site_url": site_url,
        "languages": [language.code for language in languages_of(app)],
        "mapping": {"rule": MAPPING, "nginx": TRY_FILES, "query_string": "ignored"},
        "encodings": {encoding: suffix for encoding, suffix in ENCODINGS.items()},
        "compression": compression,
        "headers": headers,
        "not_exported": sorted(links - exported),
        "written": written,
        "reused": reused,
        "files": entries,
    }
    return manifest, written, reused


def _check(build: Path, manifest: dict[str, Any]) -> None:
    for entry in manifest["files"]:
        for suffix in ("", *ENCODINGS.values()):
            if not (build / (entry["file"] + suffix)).is_file():
                raise ExportError(f"{entry['file']}{suffix} is missing from the build")


def export(app: Flask, root: Path) -> ExportResult:
    """Export every reading page into a new build under ``root`` and make it ``current``.

    Raises ``StaleCatalogs`` before anything is written when the catalogs are not fresh, and
    ``ExportError`` (the new build removed, ``current`` unchanged) when a page cannot be
    exported as a static file.
    """
    started = time.perf_counter()
    problems = stale_catalogs(workflow.settings(app.config))
    if problems:
        raise StaleCatalogs(problems)
    root = Path(root)
    with locked(root):
        previous = current_build(root)
        before = read_manifest(previous) if previous is not None else None
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        build = root / BUILDS / f"{stamp}-{secrets.token_hex(3)}"
        build.mkdir(parents=True)
        try:
            # Each page renders in an application context of its own, as a served request does:
            # under the command's context, ``g`` (and the locale Flask-Babel keeps there) would
            # carry over from one page to the next. An empty context has none to reuse.
            manifest, written, reused = contextvars.Context().run(
                _write_build, app, build, previous, before
            )
            manifest["nginx"] = nginx.write(build, manifest)
            _check(build, manifest)
            draft = build / f".{MANIFEST}.tmp"
            draft.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")
            os.replace(draft, build / MANIFEST)
        except nginx.UnsafeForNginx as exc:
            shutil.rmtree(build, ignore_errors=True)
            raise ExportError(str(exc)) from None
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        swap_current(root, build, CURRENT)
        _prune(root, keep={p for p in (build.resolve(), previous) if p is not None})
    return ExportResult(
        build, written, reused, time.perf_counter() - started, manifest["not_exported"]
    )


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write every reading page of every language, its figures, sitemap.xml, robots.txt and
    the static files under DIRECTORY/builds/<id>/, with .gz and .br beside each, and point
    DIRECTORY/current at it (see README, "Static export")."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        result = export(app, directory)
    except StaleCatalogs as exc:
        lines = "\n".join(f"  {problem}" for problem in exc.problems)
        raise click.ClickException(
            f"the catalogs are stale, nothing was exported:\n{lines}\nRun 'flask translate "
            "extract', 'flask translate update' and 'flask translate compile', then export again."
        ) from None
    except ExportError as exc:
        raise click.ClickException(f"export failed, current build left in place: {exc}") from None
    click.echo(
        f"exported {result.files} pages and files (each with .gz and .br) in "
        f"{result.seconds:.1f} s: {result.written} written, {result.reused} reused; "
        f"{Path(directory) / CURRENT} -> {BUILDS}/{result.build.name}"
    )
    if result.not_exported:
        click.echo(f"served by the app, not exported: {', '.join(result.not_exported)}")
