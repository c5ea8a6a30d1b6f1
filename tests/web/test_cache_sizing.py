"""Page caches bounded in bytes, and reading pages not kept when the static export serves them."""

import brotli

from app.web.caching import page_bytes

ARTICLES = [f"/{lang}/articles/als-stem-cell-therapy" for lang in ("en", "hi", "fr")]


def test_the_reading_page_cache_keeps_no_more_bytes_than_its_setting(make_app):
    app = make_app(PAGE_CACHE_BYTES=200_000)
    client = app.test_client()
    for path in ARTICLES:
        for encoding in ("br", "gzip", "identity"):
            assert client.get(path, headers={"Accept-Encoding": encoding}).status_code == 200
    pages = app.extensions["page_cache"]
    kept = sum(page_bytes(page) for page in pages._items.values())
    assert 0 < len(pages) < len(ARTICLES)
    assert kept <= 200_000


def test_with_the_export_serving_pages_none_is_kept_and_each_is_byte_identical(make_app):
    cached, uncached = make_app(), make_app(EXPORT_SERVES_PAGES=True)
    for path in [*ARTICLES, "/en/", "/fr/about"]:
        for encoding in ("br", "gzip", "identity"):
            headers = {"Accept-Encoding": encoding}
            kept = cached.test_client().get(path, headers=headers)
            fresh = uncached.test_client().get(path, headers=headers)
            assert fresh.status_code == kept.status_code == 200
            assert fresh.data == kept.data
            assert fresh.headers["ETag"] == kept.headers["ETag"]
    assert len(uncached.extensions["page_cache"]) == 0
    assert len(cached.extensions["page_cache"]) > 0
    # Every request renders again, and still answers a revalidation with 304.
    client = uncached.test_client()
    first = client.get(ARTICLES[0], headers={"Accept-Encoding": "br"})
    assert brotli.decompress(first.data) == client.get(ARTICLES[0]).data
    again = client.get(
        ARTICLES[0], headers={"If-None-Match": client.get(ARTICLES[0]).headers["ETag"]}
    )
    assert again.status_code == 304


def test_search_pages_are_still_cached_when_the_export_serves_reading_pages(make_app):
    app = make_app(EXPORT_SERVES_PAGES=True, SEARCH_RATE_LIMIT="1000 per minute")
    assert app.test_client().get("/en/search?q=stem+cell").status_code == 200
    assert len(app.extensions["search_page_cache"]) == 1
