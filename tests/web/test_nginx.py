"""deploy/nginx.conf in front of the app, for real (Debian's nginx-light): every exported file
is sent byte for byte and header for header as the app sends it, everything else reaches the
app, and hostile requests get nowhere (issue 16). The browser journeys run through it too
(``site_origin`` in tests/conftest.py)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
from urllib.parse import urlsplit

import brotli
import pytest

from app.web.nginx import site_config
from tests.conftest import ROOT
from tests.test_hostile_headers import EVIL, HOSTILE, PAGES

ENCODINGS = {"identity": None, "gzip": "gzip", "br": "br"}
#: Headers that belong to the connection or the server, not to the page; and nginx's
#: ``Accept-Ranges`` (it can send part of a file, which the app cannot).
HOP = {"date", "server", "connection", "keep-alive", "transfer-encoding", "accept-ranges"}


def fetch(origin: str, path: str, headers: dict[str, str] | None = None):
    """One request, nothing added or decoded: status, headers (lower-case names) and body."""
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        found: dict[str, str] = {}
        for name, value in response.getheaders():
            name = name.lower()
            found[name] = f"{found[name]}, {value}" if name in found else value
        return response.status, found, body
    finally:
        connection.close()


def page_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in HOP}


def manifest(site) -> dict:
    return json.loads((site.export / "current" / "manifest.json").read_text(encoding="utf-8"))


def test_the_shipped_configuration_has_only_the_four_documented_values():
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert set(re.findall(r"@([A-Z_]+)@", text)) == {
        "LISTEN",
        "SERVER_NAME",
        "EXPORT_DIR",
        "APP_SERVER",
    }
    rendered = site_config("80", "clinic.example", ROOT / "x", "127.0.0.1:8000")
    assert not re.search(r"@[A-Z_]+@", rendered)


def test_every_exported_file_is_sent_as_the_app_sends_it(nginx_site):
    """Same bytes and same headers in every encoding, ETag included; the app's compressed
    forms compared once it has recompressed them at the best level, as the export has."""
    recompressor = nginx_site.app.extensions["recompressor"]
    files = manifest(nginx_site)["files"]
    assert len(files) > 50
    for entry in files:
        url = entry["url"]
        on_disk = (nginx_site.export / "current" / entry["file"]).read_bytes()
        for encoding, accept in ENCODINGS.items():
            asked = {"Accept-Encoding": accept or "identity"}
            fetch(nginx_site.app_origin, url, asked)  # once, so the app recompresses it
            recompressor.wait()
            app_status, app_headers, app_body = fetch(nginx_site.app_origin, url, asked)
            status, headers, body = fetch(nginx_site.origin, url, asked)
            assert (status, app_status) == (200, 200), url
            assert body == app_body, f"{url} [{encoding}]: nginx's bytes are not the app's"
            assert page_headers(headers) == page_headers(app_headers), f"{url} [{encoding}]"
            if encoding == "identity":
                assert body == on_disk
                assert headers["etag"] == entry["etag"]
            else:
                assert headers["content-encoding"] == encoding
                decoded = brotli.decompress(body) if encoding == "br" else gzip.decompress(body)
                assert decoded == on_disk
                assert headers["etag"] == entry["etags"][encoding]


def test_a_page_with_an_invented_query_string_is_the_same_page(nginx_site):
    _, _, plain = fetch(nginx_site.origin, "/hi/articles/als-stem-cell-therapy")
    status, _, tagged = fetch(nginx_site.origin, "/hi/articles/als-stem-cell-therapy?utm=x&v=1")
    assert status == 200
    assert tagged == plain


def test_a_page_not_changed_since_the_readers_copy_is_not_sent_again(nginx_site):
    _, headers, _ = fetch(nginx_site.origin, "/ar/", {"Accept-Encoding": "br"})
    status, again, body = fetch(
        nginx_site.origin,
        "/ar/",
        {"Accept-Encoding": "br", "If-Modified-Since": headers["last-modified"]},
    )
    assert status == 304
    assert body == b""
    assert again["cache-control"] == headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/search?q=riluzole",
        "/ar/ask",
        "/api/v1/search?q=riluzole&lang=en",
        "/healthz",
        "/staff/login",
        "/language/hi?next=/hi/about",
        "/en/no-such-page",
        "/articles/als-stem-cell-therapy",
    ],
)
def test_what_is_not_exported_is_answered_by_the_app(nginx_site, path):
    asked = {"Accept-Encoding": "identity", "Accept-Language": "hi"}
    app_status, app_headers, app_body = fetch(nginx_site.app_origin, path, asked)
    status, headers, body = fetch(nginx_site.origin, path, asked)
    assert status == app_status
    assert headers.get("location") == app_headers.get("location")
    assert headers.get("cache-control") == app_headers.get("cache-control")
    if "set-cookie" not in app_headers and "csrf" not in app_body.decode("utf-8", "replace"):
        assert body == app_body


@pytest.mark.parametrize(
    "path",
    [
        "/manifest.json",
        "/nginx-etags.conf",
        "/nginx-page-headers.conf",
        "/en/index.html",
        "/en/index.html.br",
        "/sitemap.xml.gz",
        "/en/articles/als-stem-cell-therapy/index.html",
    ],
)
def test_the_exports_own_files_are_not_served(nginx_site, path):
    status, _, body = fetch(nginx_site.origin, path, {"Accept-Encoding": "identity"})
    assert status == 404
    assert b"<html" in body  # the app's page, in the reader's language


def test_a_response_that_sets_a_cookie_is_never_cached(nginx_site):
    """Each reader opening the form gets a session (and a CSRF token) of their own."""
    cookies = set()
    for _ in range(3):
        status, headers, _ = fetch(nginx_site.origin, "/en/ask")
        assert status == 200
        assert headers["cache-control"] == "no-store"
        cookies.add(headers["set-cookie"])
    assert len(cookies) == 3


def test_reading_pages_do_not_vary_on_cookies(nginx_site):
    """A CDN may keep one copy of a reading page for every reader."""
    for url in ("/en/", "/bn/articles/ms-stem-cell-therapy", "/sitemap.xml", "/fr/privacy"):
        for origin in (nginx_site.origin, nginx_site.app_origin):
            _, headers, _ = fetch(origin, url, {"Accept-Encoding": "br"})
            assert headers["vary"] == "Accept-Encoding", (origin, url)
            assert headers["cache-control"].startswith("public")
            assert "set-cookie" not in headers


@pytest.mark.parametrize("path", [*PAGES, "/healthz"])
def test_hostile_headers_never_reach_a_response_through_nginx(nginx_site, path):
    status, headers, body = fetch(
        nginx_site.origin, path, {**HOSTILE, "Accept-Encoding": "identity"}
    )
    assert status in (200, 400), status
    text = "\n".join(f"{k}: {v}" for k, v in headers.items()) + body.decode("utf-8", "replace")
    assert EVIL not in text


@pytest.mark.parametrize(
    "path",
    [
        "/en/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../manifest.json",
        "/en/articles/..%2f..%2fmanifest.json",
        "/static/site.css%00.html",
    ],
)
def test_a_path_outside_the_export_gets_nothing_from_disk(nginx_site, path):
    status, _, body = fetch(nginx_site.origin, path, {"Accept-Encoding": "identity"})
    assert status in (400, 404), status
    assert b"root:" not in body
    assert b'"files"' not in body


def test_nginx_serves_the_build_it_loaded_until_it_is_reloaded(nginx_site):
    """An export alone changes nothing nginx sends (its files, headers and tags stay one
    build's); after ``nginx -s reload`` it serves the new build, and the old one can go."""
    import shutil
    import time

    from app.web.export import export

    def served_by_nginx() -> bool:
        # Only nginx answers a range: a page the build lacks would come from the app, whole.
        status, _, _ = fetch(
            nginx_site.origin, "/ru/about", {"Range": "bytes=0-9", "Accept-Encoding": "identity"}
        )
        return status == 206

    old = (nginx_site.export / "current").resolve()
    export(nginx_site.app, nginx_site.export)
    assert (nginx_site.export / "current").resolve() != old
    assert old.is_dir()  # kept for nginx, which has not been told
    assert served_by_nginx()
    nginx_site.reload()
    shutil.rmtree(old)
    deadline = time.monotonic() + 10
    while not served_by_nginx():  # the old workers finish what they were sending, then go
        assert time.monotonic() < deadline, "nginx did not switch to the new build"
        time.sleep(0.1)
    test_every_exported_file_is_sent_as_the_app_sends_it(nginx_site)


def test_hsts_is_the_apps_own_value_and_only_over_https(nginx_site):
    """nginx reads the value from the export, which takes it from the app: one source."""
    from app.web.security import HSTS

    maps = (nginx_site.export / "current" / "nginx-maps.conf").read_text(encoding="utf-8")
    assert f'https "{HSTS}";' in maps
    assert HSTS not in (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    _, headers, _ = fetch(nginx_site.origin, "/en/")  # plain HTTP: none, as from the app
    assert "strict-transport-security" not in headers
