"""Nothing a client sends in a header reaches a page, a cached page, the sitemap or an email
(issue 12): every absolute link is built from SITE_URL, forwarded hosts and prefixes are
believed only when the operator names them, and the page cache key holds no client header."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.database import db
from app.questions.models import OutboxMessage
from tests.helpers import send

EVIL = "evil.example"
HOSTILE = {
    "Host": EVIL,
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Prefix": f"//{EVIL}",
    "Forwarded": f"host={EVIL};proto=https",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.7",
}
PAGES = [
    "/en/",
    "/hi/articles/als-stem-cell-therapy",
    "/ar/about",
    "/en/ask",
    "/en/search?q=riluzole",
    "/sitemap.xml",
    "/robots.txt",
    "/api/v1/search?q=riluzole&lang=en",
    "/api/v1/openapi.json",
    "/en/articles/als-stem-cell-therapy/figures/figure-trial-path.svg",
]


def text_of(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + response.get_data(as_text=True)


@pytest.fixture(params=[0, 1], ids=["direct", "behind-a-trusted-proxy"])
def exposed(request, make_app):
    """The app on its own, and behind one trusted proxy (the README's nginx advice)."""
    return make_app(TRUSTED_PROXIES=request.param, SITE_URL="https://clinic.example")


@pytest.mark.parametrize("path", PAGES)
def test_hostile_headers_never_reach_a_response(exposed, path):
    client = exposed.test_client()
    response = client.get(path, headers={**HOSTILE, "Accept-Encoding": "identity"})
    assert response.status_code in (200, 400), response.status
    assert EVIL not in text_of(response)


@pytest.mark.parametrize("path", PAGES[:3] + ["/en/search?q=stem"])
def test_a_hostile_request_never_poisons_the_page_the_next_reader_gets(exposed, path):
    client = exposed.test_client()
    client.get(path, headers=HOSTILE)
    clean = exposed.test_client().get(path, headers={"Accept-Encoding": "identity"})
    body = clean.get_data(as_text=True)
    assert EVIL not in body
    if path != "/en/search?q=stem":
        assert "https://clinic.example/" in body


def test_links_in_pages_and_the_sitemap_come_from_site_url(exposed):
    client = exposed.test_client()
    page = client.get("/fr/articles/ms-stem-cell-therapy", headers=HOSTILE).get_data(as_text=True)
    assert 'rel="canonical" href="https://clinic.example/fr/articles/ms-stem-cell-therapy"' in page
    assert 'hreflang="ar" href="https://clinic.example/ar/articles/ms-stem-cell-therapy"' in page
    sitemap = client.get("/sitemap.xml", headers=HOSTILE).get_data(as_text=True)
    assert "<loc>https://clinic.example/en/</loc>" in sitemap


def test_the_staff_email_links_to_site_url_whatever_the_request_said(make_app):
    app = make_app(
        TRUSTED_PROXIES=1,
        SITE_URL="https://clinic.example",
        STAFF_NOTIFY_EMAIL="staff@clinic.example",
        ASK_MIN_FILL_SECONDS=0,
    )
    client = app.test_client()
    client.environ_base.update(
        {"HTTP_" + k.upper().replace("-", "_"): v for k, v in HOSTILE.items() if k != "Host"}
    )
    client.environ_base["HTTP_HOST"] = EVIL
    response = send(client)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert EVIL not in message.body + message.subject
    assert "https://clinic.example/staff/queries/" in message.body


def test_forwarded_host_and_prefix_are_believed_only_when_the_operator_names_them(make_app):
    app = make_app(TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS=["prefix"])
    client = app.test_client()
    page = client.get("/en/ask", headers={"X-Forwarded-Prefix": "/patients"})
    assert 'action="/patients/en/ask"' in page.get_data(as_text=True)
    default = make_app(TRUSTED_PROXIES=1).test_client()
    page = default.get("/en/ask", headers={"X-Forwarded-Prefix": "/patients"})
    assert "/patients" not in page.get_data(as_text=True)


def test_an_unknown_forwarded_header_name_stops_the_app(make_app):
    with pytest.raises(ValueError, match="TRUSTED_PROXY_HEADERS"):
        make_app(TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS=["host", "everything"])


def test_trusted_hosts_refuse_any_other_host(make_app):
    app = make_app(TRUSTED_HOSTS=["clinic.example"], SITE_URL="https://clinic.example")
    client = app.test_client()
    assert client.get("/en/", headers={"Host": "clinic.example"}).status_code == 200
    refused = client.get("/en/", headers={"Host": EVIL})
    assert refused.status_code == 400
    assert EVIL not in refused.get_data(as_text=True)


@pytest.mark.parametrize("bad", ["clinic.example", "https://clinic.example/path", "ftp://x"])
def test_site_url_must_be_an_origin(make_app, bad):
    with pytest.raises(ValueError, match="SITE_URL"):
        make_app(SITE_URL=bad)
