"""Secure cookies behind a trusted proxy, and the friendly page for a failed CSRF check."""

from tests.views.test_staff import PASSWORD, log_in


def test_behind_a_trusted_proxy_https_is_recognised_and_cookies_are_secure(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    with app.app_context():
        from app import auth

        auth.create_user("nurse", PASSWORD)
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


def test_a_failed_csrf_check_elsewhere_is_a_clear_400_page(client):
    response = client.post("/staff/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
