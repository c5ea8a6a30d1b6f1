"""The staff pages: nothing without logging in, safe sessions, throttled log-in, the list with
its filters, answering, deleting and the CSV export."""

import csv
import datetime as dt
import io
import re

import pytest

from app import auth
from app.storage import queries
from app.views.staff import PER_PAGE, safe_next
from tests.conftest import BOTH_DATABASES
from tests.storage.test_queries import new_query
from tests.views.test_ask import hidden_fields

PASSWORD = "correct horse battery"

#: Every staff address with its method; a test checks none is missing.
STAFF_URLS = [
    ("GET", "/staff/"),
    ("GET", "/staff/queries/ABCD2345"),
    ("POST", "/staff/queries/ABCD2345/answer"),
    ("POST", "/staff/queries/ABCD2345/delete"),
    ("GET", "/staff/export.csv"),
    ("POST", "/staff/logout"),
]


@pytest.fixture
def user(app):
    with app.app_context():
        auth.create_user("nurse", PASSWORD)
    return "nurse"


def log_in(client, username="nurse", password=PASSWORD, next_url=None):
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**hidden, "username": username, "password": password})


@pytest.fixture
def staff(client, user):
    """A client logged in as a staff member."""
    assert log_in(client).status_code == 302
    return client


def add_queries(app, *changes: dict) -> list[str]:
    with app.app_context():
        return [queries.submit(new_query(**c)) for c in changes]


def csrf_of(client, path: str) -> str:
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def test_every_staff_address_is_in_the_login_test(app):
    routes = {
        (method, re.sub(r"<\w+>", "ABCD2345", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and rule.endpoint != "staff.login"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(STAFF_URLS)


@pytest.mark.parametrize(("method", "path"), STAFF_URLS)
def test_staff_pages_are_never_reachable_without_logging_in(app, client, user, method, path):
    add_queries(app, {})
    # With the anonymous session's valid CSRF token: the log-in check alone must stop it.
    token = csrf_of(client, "/staff/login")
    response = client.open(path, method=method, data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    assert "Asha" not in response.get_data(as_text=True)


def test_log_in_goes_back_to_the_page_asked_for(client, user):
    response = client.get("/staff/?status=new")
    target = response.headers["Location"]
    hidden = hidden_fields(client.get(target).get_data(as_text=True))
    response = client.post(target, data={**hidden, "username": "nurse", "password": PASSWORD})
    assert response.headers["Location"] == "/staff/?status=new"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/staff/queries/ABCD2345", True),
        ("/staff/?status=new", True),
        ("https://evil.example/staff/", False),
        ("//evil.example/staff/", False),
        ("/\\evil.example", False),
        ("/en/", False),
        ("/staff/login", False),
        ("", False),
    ],
)
def test_next_goes_only_to_staff_pages_of_this_site(target, safe):
    assert (safe_next(target) == target) is safe


def test_log_in_to_an_unsafe_next_goes_to_the_list(client, user):
    response = log_in(client, next_url="https://evil.example/")
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_or_user_is_refused_alike(client, user):
    for username, password in (("nurse", "wrong password!"), ("nobody", PASSWORD)):
        response = log_in(client, username, password)
        assert response.status_code == 400
        assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_login_without_csrf_token_is_refused(client, user):
    response = client.post("/staff/login", data={"username": "nurse", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, user):
    client = app.test_client()
    response = log_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    https = app.test_client()
    page = https.get("/staff/login", base_url="https://localhost").get_data(as_text=True)
    response = https.post(
        "/staff/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/staff/login"},  # checked by CSRF over HTTPS
        data={**hidden_fields(page), "username": "nurse", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_secure_cookies_can_be_forced_for_tls_ended_by_an_untrusted_proxy(make_app, user):
    app = make_app(SESSION_COOKIE_SECURE=True)
    assert "Secure" in log_in(app.test_client()).headers["Set-Cookie"]


def test_log_in_starts_a_new_session(client, user):
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    log_in(client)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.permanent


def test_log_out_ends_every_session_of_the_account(app, user):
    first, second = app.test_client(), app.test_client()
    log_in(first)
    log_in(second)
    token = csrf_of(first, "/staff/")
    response = first.post("/staff/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/login"
    assert first.get("/staff/").status_code == 302
    assert second.get("/staff/").status_code == 302


def test_log_in_is_throttled_per_address(make_app, user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert [log_in(client, password="wrong password!").status_code for _ in range(3)] == [400] * 3
    response = log_in(client)
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert client.get("/staff/login").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    assert log_in(other).status_code == 302


def test_logged_in_work_is_not_throttled_by_the_login_limit(make_app, user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    (ref,) = add_queries(app, {})
    assert log_in(client).status_code == 302
    token = csrf_of(client, f"/staff/queries/{ref}")
    for _ in range(3):
        response = client.post(f"/staff/queries/{ref}/answer", data={"csrf_token": token})
        assert response.status_code == 303


@BOTH_DATABASES
def test_the_list_is_newest_first_and_filters(app, staff):
    refs = add_queries(
        app, {"name": "Old Hindi"}, {"name": "Arabic", "answer_language": "ar"}, {"name": "New"}
    )
    with app.app_context():
        queries.by_ref(refs[0]).created_at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        queries.mark_answered(queries.by_ref(refs[1]), "nurse", None)

    def listed(query: str = "") -> list[str]:
        response = staff.get(f"/staff/?{query}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        return re.findall(r'<a href="/staff/queries/(\w+)">', response.get_data(as_text=True))

    assert listed() == [refs[2], refs[1], refs[0]]
    assert listed("status=answered") == [refs[1]]
    assert listed("status=new&language=hi") == [refs[2], refs[0]]
    assert listed("since=2025-03-01&until=2025-03-01") == [refs[0]]
    assert listed(f"ref={refs[1].lower()}") == [refs[1]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("since=2025-03-02&until=2025-03-01", "until"),
        ("status=lost", "status"),
        ("language=xx", "language"),
    ],
)
def test_bad_filters_are_a_400_with_the_error_at_the_field(staff, query, field):
    response = staff.get(f"/staff/?{query}")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_the_list_has_pages(app, staff):
    refs = add_queries(app, *({"name": f"P{i}"} for i in range(PER_PAGE + 3)))
    first = staff.get("/staff/?status=new").get_data(as_text=True)
    assert 'href="/staff/?page=2&amp;status=new"' in first
    second = staff.get("/staff/?status=new&page=2").get_data(as_text=True)
    assert set(re.findall(r'/staff/queries/(\w+)"', second)) == set(refs[:3])
    assert staff.get("/staff/?page=99").status_code == 200


def test_detail_answer_and_delete(app, staff):
    (ref,) = add_queries(
        app,
        {
            "phone": "+91 98765 43210",
            "whatsapp": True,
            "article_slug": "als-stem-cell-therapy",
            "section_id": "risks",
        },
    )
    page = staff.get(f"/staff/queries/{ref}").get_data(as_text=True)
    assert "Is the procedure painful?" in page and "+91 98765 43210" in page
    assert "Risks and side effects" in page
    assert staff.get("/staff/queries/ZZZZ2222").status_code == 404

    token = csrf_of(staff, f"/staff/queries/{ref}")
    response = staff.post(
        f"/staff/queries/{ref}/answer", data={"csrf_token": token, "note": "Called on WhatsApp"}
    )
    assert response.status_code == 303
    page = staff.get(f"/staff/queries/{ref}").get_data(as_text=True)
    assert "Marked as answered by nurse" in page and "Called on WhatsApp" in page

    response = staff.post(f"/staff/queries/{ref}/delete", data={"csrf_token": token})
    assert response.status_code == 400
    assert 'id="confirm-error"' in response.get_data(as_text=True)
    response = staff.post(
        f"/staff/queries/{ref}/delete", data={"csrf_token": token, "confirm": "y"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert queries.by_ref(ref) is None


def test_staff_forms_need_their_csrf_token(app, staff):
    (ref,) = add_queries(app, {})
    assert staff.post(f"/staff/queries/{ref}/answer", data={"note": "x"}).status_code == 400
    assert staff.post(f"/staff/queries/{ref}/delete", data={"confirm": "y"}).status_code == 400
    assert staff.post("/staff/logout").status_code == 400


def test_csv_export_escapes_and_defuses_formulas(app, staff):
    add_queries(
        app,
        {
            "name": '=HYPERLINK("http://evil.example","x")',
            "phone": "+91 98765 43210",
            "question": 'He said "it hurts", then:\nline two, and more',
        },
        {"name": "@SUM(A1)", "question": "-2+3"},
    )
    response = staff.get("/staff/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [row["name"] for row in rows] == ["'@SUM(A1)", '\'=HYPERLINK("http://evil.example","x")']
    assert rows[0]["question"] == "'-2+3"
    assert rows[1]["question"] == 'He said "it hurts", then:\nline two, and more'
    assert rows[1]["phone"] == "'+91 98765 43210"
    assert rows[1]["email"] == "asha@example.com"


def test_csv_export_follows_the_filters(app, staff):
    add_queries(app, {"name": "Hindi"}, {"name": "Arabic", "answer_language": "ar"})
    body = staff.get("/staff/export.csv?language=ar").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [row["name"] for row in rows] == ["Arabic"]
    assert staff.get("/staff/export.csv?since=never").status_code == 400


def test_session_keeps_no_personal_data(app, staff):
    (ref,) = add_queries(app, {})
    staff.get(f"/staff/queries/{ref}")
    with staff.session_transaction() as current:
        assert "Asha" not in str(dict(current))


def test_a_database_that_is_down_is_a_503_page(app_config):
    from app import create_app

    app_config["DATABASE_URL"] = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    client = create_app(app_config).test_client()
    response = log_in(client)
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.get_data(as_text=True)
