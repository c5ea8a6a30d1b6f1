"""Security headers everywhere, no inline code, safe redirects, hostile input gets a 4xx, secure
cookies behind a trusted proxy, and a friendly page for a failed CSRF check."""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import PASSWORD, log_in

PAGES = [
    "/en/",
    "/ar/articles/als-stem-cell-therapy",
    "/fr/about",
    "/hi/translations",
    "/bn/search?q=stem",
    "/ru/search?q=",
]
RESPONSES = [*PAGES, "/", "/healthz", "/sitemap.xml", "/api/v1/search?q=als", "/en/nowhere"]


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers


@pytest.mark.parametrize("path", RESPONSES)
def test_every_response_carries_the_security_headers(client, path):
    assert_security_headers(client.get(path))


def test_static_files_carry_the_security_headers_too(client):
    with client.get("/static/site.css") as response:
        assert_security_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/en/").headers
    secure = client.get("/en/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(client, path):
    page = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


@pytest.mark.parametrize(
    "path",
    [
        "/language/fr?next=/fr/%0d%0aSet-Cookie:%20x=1",
        "/articles/x%0d%0aSet-Cookie:%20a=b",
        "/articles/als-stem-cell-therapy?a=%0d%0aX-Injected:%201",
        "/en/search?q=%0d%0aX-Injected:%201",
    ],
)
def test_header_injection_attempts_never_reach_the_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert "X-Injected" not in response.headers
    assert "x=1" not in response.headers.get("Set-Cookie", "")
    for value in response.headers.values():
        assert "\r" not in value and "\n" not in value


def test_overlong_address_is_414(client):
    response = client.get("/en/search?q=" + "a" * 5000)
    assert response.status_code == 414
    assert "This address is too long" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/en/articles/%00",
        "/en/search?q=%00%ff%fe",
        "/%ff%fe/",
        "/en/articles/%c0%ae%c0%ae",
        "/static/../setup.cfg",
    ],
)
def test_malformed_bytes_and_traversal_are_4xx_or_pages(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert "[metadata]" not in response.get_data(as_text=True)


def test_search_terms_and_content_are_escaped(client):
    page = client.get("/en/search", query_string={"q": '<b>bold</b> & "quote"'}).get_data(
        as_text=True
    )
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=30
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lang=st.sampled_from(["en", "ar", "xx", "", "EN", "hi-IN"]),
    area=st.sampled_from(
        ["", "articles", "search", "about", "translations", "language", "api/v1/search"]
    ),
    tail=SEGMENT,
    params=st.dictionaries(
        st.sampled_from(["q", "page", "lang", "next", "x"]), SEGMENT, max_size=3
    ),
)
@pytest.mark.slow
def test_no_route_or_parameter_produces_a_server_error(client, lang, area, tail, params):
    path = "/" + "/".join(p for p in (lang, area, quote(tail, safe="")) if p)
    response = client.get(path, query_string=params)
    assert response.status_code < 500, (path, params)
    assert_security_headers(response)
    response.close()


def test_behind_a_trusted_proxy_https_is_recognised_and_cookies_are_secure(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    with app.app_context():
        from app.staff import accounts

        accounts.create_user("nurse", PASSWORD)
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    client.environ_base["HTTP_REFERER"] = "https://localhost/staff/login"
    assert "Secure" in log_in(client).headers["Set-Cookie"]


def test_proxy_headers_are_ignored_unless_the_proxy_is_trusted(app):
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    response = client.get("/en/ask")
    assert "Secure" not in response.headers["Set-Cookie"]


def test_forwarded_headers_that_are_ignored_are_reported_once_and_in_healthz(app, caplog):
    """Behind an untrusted proxy every patient shares the proxy's rate-limit bucket."""
    client = app.test_client()
    assert client.get("/healthz").json["forwarded_headers_ignored"] is False
    with caplog.at_level("WARNING", logger=app.logger.name):
        for _ in range(3):
            client.get("/en/", headers={"X-Forwarded-For": "203.0.113.9"})
    warnings = [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1
    assert client.get("/healthz").json["forwarded_headers_ignored"] is True


def test_forwarded_headers_from_a_trusted_proxy_are_not_reported(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    client.get("/en/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert client.get("/healthz").json["forwarded_headers_ignored"] is False


def test_a_failed_csrf_check_elsewhere_is_a_clear_400_page(client):
    response = client.post("/staff/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
