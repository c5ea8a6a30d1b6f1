"""``flask export DIR``: every reading page as static files, byte for byte what the app serves,
swapped in whole, reused when unchanged, and never made from stale catalogs (issue 16).

Every test works on a private copy of the articles and catalogs (``project``), compiled first,
as a deployment does before it starts the app."""

from __future__ import annotations

import email.utils
import gzip
import json
import os
import re
import shutil
from pathlib import Path

import brotli
import pytest

from app.config import VERSION
from tests.helpers import HEADERS_REQUIRED

CHANGED = "ms-stem-cell-therapy"
SENTENCE = "Talk to your own MS doctor before you pay or travel."
IDENTITY = {"Accept-Encoding": "identity"}


def translate(make_app, *steps: str) -> None:
    runner = make_app().test_cli_runner()
    for step in steps:
        result = runner.invoke(args=["translate", step])
        assert result.exit_code == 0, result.output


@pytest.fixture
def compiled(make_app, project_config):
    """Makes an app on the project copy after compiling its catalogs, as a deployment starts."""

    def make():
        translate(make_app, "compile")
        return make_app()

    return make


def export(app, out: Path):
    return app.test_cli_runner().invoke(args=["export", str(out)])


def current(out: Path) -> Path:
    """The build ``current`` points at, checked complete: its manifest and every file it lists,
    with both compressed siblings."""
    link = out / "current"
    assert link.is_symlink()
    target = os.readlink(link)
    assert target.startswith("builds/") and not os.path.isabs(target)
    build = link.resolve(strict=True)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build"] == build.name
    for entry in manifest["files"]:
        for suffix in ("", ".gz", ".br"):
            assert (build / (entry["file"] + suffix)).is_file(), entry["file"] + suffix
    return build


def manifest_of(build: Path) -> dict:
    return json.loads((build / "manifest.json").read_text(encoding="utf-8"))


def change_english(project: Path) -> None:
    article = project / "content" / f"{CHANGED}.md"
    text = article.read_text(encoding="utf-8")
    assert SENTENCE in text
    article.write_text(text.replace(SENTENCE, SENTENCE[:-1] + " anywhere."), encoding="utf-8")


@pytest.mark.slow
def test_every_page_is_exported_as_the_app_sends_it(compiled, tmp_path):
    app = compiled()
    out = tmp_path / "out"
    result = export(app, out)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"exported (\d+) pages and files \(each with \.gz and \.br\) in [\d.]+ s: "
        r"\1 written, 0 reused",
        result.output,
    )
    build = current(out)
    manifest = manifest_of(build)
    entries = {e["url"]: e for e in manifest["files"]}
    paths = {url.split("?", 1)[0] for url in entries}
    client = app.test_client()

    # Every page of the sitemap, the privacy notice and translation status of every language,
    # and the figures and static files at the very addresses the pages link to.
    sitemap = client.get("/sitemap.xml", headers=IDENTITY).get_data(as_text=True)
    listed = re.findall(r"<loc>http://localhost(/[^<]*)</loc>", sitemap)
    assert len(listed) == 6 * 4
    assert set(listed) <= paths
    for lang in ("en", "hi", "ar", "bn", "ru", "fr"):
        assert {f"/{lang}/privacy", f"/{lang}/translations"} <= paths
        page = client.get(f"/{lang}/articles/als-stem-cell-therapy", headers=IDENTITY)
        linked = re.findall(r'(?:src|href)="(/[^"]*\?v=[^"]+)"', page.text)
        assert len(linked) == 4  # two figures, the stylesheet and the script
        assert set(linked) <= set(entries)
    assert {"/sitemap.xml", "/robots.txt"} <= paths
    static = Path(app.static_folder)
    assert {f"/static/{p.name}" for p in static.iterdir()} <= paths
    assert entries["/en/articles/als-stem-cell-therapy"]["file"] == (
        "en/articles/als-stem-cell-therapy/index.html"
    )
    assert entries["/en/"]["file"] == "en/index.html"
    assert manifest["mapping"]["nginx"] == "try_files $uri $uri/index.html"

    # Byte for byte: the body, its type and ETag; the siblings decompress to the same bytes.
    for url, entry in entries.items():
        response = client.get(url, headers=IDENTITY)
        body = (build / entry["file"]).read_bytes()
        assert response.status_code == 200
        assert response.data == body, url
        assert response.headers["Content-Type"] == entry["content_type"]
        assert response.headers.get("ETag") == entry["etag"]
        assert gzip.decompress((build / (entry["file"] + ".gz")).read_bytes()) == body
        assert brotli.decompress((build / (entry["file"] + ".br")).read_bytes()) == body
        assert entry["sizes"]["identity"] == len(body)
        assert entry["content_version"] == manifest["content_version"]
        assert entry["app_version"] == manifest["app_version"] == VERSION

    # Cached pages and fingerprinted files: the compressed files are exactly what the app
    # sends once it has recompressed them at its best level, with the same ETag.
    recompressor = app.extensions["recompressor"]
    for url, entry in entries.items():
        if entry["kind"] not in ("page", "asset"):
            assert entry["etag"] is None and entry["etags"] is None
            continue
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            headers = {"Accept-Encoding": encoding}
            client.get(url, headers=headers).close()
            recompressor.wait()
            response = client.get(url, headers=headers)
            assert response.data == (build / (entry["file"] + suffix)).read_bytes(), url
            assert response.headers["ETag"] == entry["etags"][encoding]

    # The headers nginx must add: once per kind, as the app sent them.
    page_headers = manifest["headers"]["page"]
    assert {name.lower() for name in page_headers} >= set(HEADERS_REQUIRED)
    response = client.get("/en/articles/als-stem-cell-therapy", headers=IDENTITY)
    for name, value in page_headers.items():
        assert response.headers[name] == value
    assert manifest["headers"]["asset"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "/en/ask" in manifest["not_exported"]


@pytest.mark.slow
def test_an_unchanged_export_reuses_every_file_and_a_changed_article_rewrites_its_pages(
    compiled, make_app, project, tmp_path
):
    out = tmp_path / "out"
    app = compiled()
    assert export(app, out).exit_code == 0
    first = current(out)

    result = export(app, out)
    assert result.exit_code == 0, result.output
    second = current(out)
    assert second != first
    manifest = manifest_of(second)
    count = len(manifest["files"])
    assert (manifest["written"], manifest["reused"]) == (0, count)
    assert f"exported {count} pages and files" in result.output
    assert f"0 written, {count} reused" in result.output
    for entry in manifest["files"]:
        for suffix in ("", ".gz", ".br"):
            name = entry["file"] + suffix
            assert (second / name).stat().st_ino == (first / name).stat().st_ino

    # One article's English changes, and the translators' steps run: a new app serves it.
    old_version = manifest["content_version"]
    before = {e["file"]: (second / e["file"]).read_bytes() for e in manifest["files"]}
    change_english(project)
    translate(make_app, "extract", "update", "compile")
    app = make_app()
    result = export(app, out)
    assert result.exit_code == 0, result.output
    third = current(out)
    manifest = manifest_of(third)
    new_version = manifest["content_version"]
    assert new_version != old_version

    # What changed, asked of the app itself: exactly those files were written, the rest are
    # the previous build's bytes, with the app's new Last-Modified as their time.
    urls = {e["file"]: e["url"] for e in manifest["files"]}
    assert urls.keys() == before.keys()
    client = app.test_client()
    now = {name: client.get(url, headers=IDENTITY).data for name, url in urls.items()}
    written = {name for name in before if now[name] != before[name]}
    assert manifest["written"] == len(written)
    assert manifest["reused"] == len(before) - len(written)
    assert f"{len(written)} written, {len(before) - len(written)} reused" in result.output
    modified = {e["file"]: e["last_modified"] for e in manifest["files"]}
    earlier = {e["file"]: e["last_modified"] for e in manifest_of(second)["files"]}
    for name in before:
        assert (third / name).read_bytes() == now[name]
        if modified[name]:
            stamp = email.utils.parsedate_to_datetime(modified[name]).timestamp()
            for suffix in ("", ".gz", ".br"):
                assert (third / (name + suffix)).stat().st_mtime == stamp, name
        # A file whose time moved is a copy: the build nginx may still be sending keeps its
        # own files and times. Static files keep theirs, and are linked.
        linked = (third / name).stat().st_ino == (second / name).stat().st_ino
        assert linked == (name not in written and modified[name] == earlier[name]), name
    changed = {urls[name].split("?", 1)[0] for name in written}
    paths = {urls[name].split("?", 1)[0]: name for name in urls}

    langs = ("en", "hi", "ar", "bn", "ru", "fr")
    article_pages = {f"/{lang}/articles/{CHANGED}" for lang in langs}
    status_pages = {f"/{lang}/translations" for lang in langs}
    assert article_pages <= changed
    # The status pages count the new English as untranslated. The other article's pages, and
    # its figures' addresses (fingerprinted by each drawing), do not change at all.
    assert changed <= article_pages | status_pages
    for url in ("/en/", "/en/about", "/en/privacy", "/sitemap.xml", "/robots.txt"):
        assert url not in changed
    assert old_version.encode() not in b"".join(now.values())
    assert not {url for url in changed if "/figures/" in url or url.startswith("/static/")}
    assert any("/figures/" in url for url in paths)

    # The build before stays for requests still reading it; older ones go.
    assert sorted(p.name for p in (out / "builds").iterdir()) == sorted([second.name, third.name])


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((), "articles.pot is out of date with the sources (1 new, 1 removed)"),
        (("extract",), "articles.po is not updated from articles.pot"),
        (("extract", "update"), "articles.po is newer than articles.mo"),
    ],
)
@pytest.mark.slow
def test_english_changed_without_the_translators_steps_is_refused(
    compiled, make_app, project, tmp_path, steps, message
):
    app = compiled()
    fresh = tmp_path / "fresh"
    out = tmp_path / "out"
    assert export(app, out).exit_code == 0
    served = current(out)
    builds = sorted((out / "builds").iterdir())

    change_english(project)
    translate(make_app, *steps)
    app = make_app()
    for target in (out, fresh):
        result = export(app, target)
        assert result.exit_code == 1
        assert "the catalogs are stale, nothing was exported" in result.output
        assert message in result.output
    assert not fresh.exists()
    assert current(out) == served
    assert sorted((out / "builds").iterdir()) == builds


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("touch", "fr/LC_MESSAGES/messages.po is newer than messages.mo"),
        ("delete", "fr/LC_MESSAGES/messages.mo is missing"),
        ("other", "fr/LC_MESSAGES/messages.mo is not what messages.po compiles to"),
    ],
)
@pytest.mark.slow
def test_a_catalog_not_compiled_since_its_po_changed_is_refused(
    compiled, make_app, project, tmp_path, spoil, message
):
    app = compiled()
    out = tmp_path / "out"
    assert export(app, out).exit_code == 0
    served = current(out)

    messages = project / "translations" / "fr" / "LC_MESSAGES"
    po, mo = messages / "messages.po", messages / "messages.mo"
    if spoil == "touch":
        # The .po edited after the compile (the .mo dated back rather than the .po forward, so
        # that compiling again makes it current).
        earlier = po.stat().st_mtime - 10
        os.utime(mo, (earlier, earlier))
    elif spoil == "delete":
        mo.unlink()
    else:
        shutil.copy(project / "translations" / "ru" / "LC_MESSAGES" / "messages.mo", mo)
    result = export(make_app(), out)
    assert result.exit_code == 1
    assert message in result.output
    assert current(out) == served
    assert len(list((out / "builds").iterdir())) == 1

    if spoil == "touch":
        # Compiled again, the export goes through.
        result = export(compiled(), out)
        assert result.exit_code == 0, result.output
        assert current(out) != served


@pytest.mark.slow
def test_a_failed_export_leaves_the_current_build_and_clears_half_written_ones(
    compiled, make_app, tmp_path
):
    out = tmp_path / "out"
    assert export(compiled(), out).exit_code == 0
    served = current(out)
    # What an export killed half-way leaves: a build without its manifest.
    leftover = out / "builds" / "00000000T000000000000-dead00"
    (leftover / "en").mkdir(parents=True)
    (leftover / "en" / "index.html").write_text("half")

    # Pages that answer 400 (the app refuses the site's own host): nothing is swapped in.
    result = export(make_app(TRUSTED_HOSTS=["example.org"]), out)
    assert result.exit_code == 1
    assert "export failed, current build left in place: /en/ answered 400" in result.output
    assert current(out) == served
    assert sorted(p.name for p in (out / "builds").iterdir()) == sorted(
        [served.name, leftover.name]
    )

    assert export(make_app(), out).exit_code == 0
    latest = current(out)
    assert sorted(p.name for p in (out / "builds").iterdir()) == sorted([served.name, latest.name])
