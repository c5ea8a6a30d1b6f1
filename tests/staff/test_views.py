"""The staff pages: nothing without logging in with a password and a second factor, safe
sessions, throttled log-in, the list with its filters, answering, deleting, the CSV export and
the audit log."""

import csv
import datetime as dt
import html
import io
import re
import time

import pyotp
import pytest
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from app.database import db
from app.questions import records, service
from app.staff.models import AuditEntry, RecoveryCode, StaffUser
from app.staff.views import ABSOLUTE_LIMIT, IDLE_LIMIT, LOGIN_AT, PER_PAGE, SEEN_AT, safe_next
from tests.conftest import BOTH_DATABASES
from tests.helpers import (
    PASSWORD,
    STAFF_URLS,
    Account,
    fresh_code,
    hidden_fields,
    log_in,
    log_in_fully,
    make_account,
    new_query,
    send_code,
)

ARTICLE = "/en/articles/als-stem-cell-therapy"

LOGIN_STEPS = {"staff.login", "staff.second_factor", "staff.setup", "staff.logout"}


@pytest.fixture
def account(app) -> Account:
    return make_account(app)


@pytest.fixture
def user(account) -> str:
    return account.username


@pytest.fixture
def staff(app, client, account):
    """A client logged in as a staff member."""
    assert log_in_fully(app, client, account).status_code == 302
    return client


def stored_user(app, username: str = "nurse") -> StaffUser:
    with app.app_context():
        return db.session.scalar(select(StaffUser).where(StaffUser.username == username))


def audit_rows(app) -> list[tuple]:
    with app.app_context():
        return [
            (e.actor, e.action, e.query_ref, e.detail)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def add_queries(app, *changes: dict) -> list[str]:
    with app.app_context():
        return [service.submit(new_query(**c)).ref for c in changes]


def csrf_of(client, path: str) -> str:
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def test_every_staff_address_is_in_the_login_test(app):
    routes = {
        (method, re.sub(r"<\w+>", "ABCD2345", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and rule.endpoint not in LOGIN_STEPS
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


def test_log_in_goes_back_to_the_page_asked_for(app, client, account):
    response = client.get("/staff/?status=new")
    target = response.headers["Location"]
    hidden = hidden_fields(client.get(target).get_data(as_text=True))
    response = client.post(target, data={**hidden, "username": "nurse", "password": PASSWORD})
    assert response.headers["Location"] == "/staff/login/code"
    response = send_code(client, fresh_code(app, account))
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


def test_log_in_to_an_unsafe_next_goes_to_the_list(app, client, account):
    response = log_in_fully(app, client, account, next_url="https://evil.example/")
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


def test_log_in_starts_a_new_session(app, client, account):
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    log_in(client)
    with client.session_transaction() as between:
        assert "planted" not in between and "_user_id" not in between
    planted = client.get_cookie("session").value
    log_in_fully(app, client, account)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert not after.permanent  # a browser session; the server checks its limits
    assert client.get_cookie("session").value != planted
    # The cookie from between the two steps gives nothing.
    other = app.test_client()
    other.set_cookie("session", planted)
    assert other.get("/staff/").status_code == 302


def test_log_out_ends_every_session_of_the_account(app, account):
    first, second = app.test_client(), app.test_client()
    log_in_fully(app, first, account)
    log_in_fully(app, second, account)
    response = first.post("/staff/logout")
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


def test_logged_in_work_is_not_throttled_by_the_login_limit(make_app, account):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    (ref,) = add_queries(app, {})
    assert log_in_fully(app, client, account).status_code == 302
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
        records.by_ref(refs[0]).created_at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        records.mark_answered(records.by_ref(refs[1]), "nurse", None)

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
        assert records.by_ref(ref) is None


def test_staff_forms_need_their_csrf_token(app, staff):
    (ref,) = add_queries(app, {})
    assert staff.post(f"/staff/queries/{ref}/answer", data={"note": "x"}).status_code == 400
    assert staff.post(f"/staff/queries/{ref}/delete", data={"confirm": "y"}).status_code == 400


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


# Two-factor log-in


def test_the_first_log_in_sets_up_two_factor_log_in_with_a_qr_code_shown_once(app, client):
    make_account(app, two_factor=False)
    assert log_in(client).headers["Location"] == "/staff/login/setup"
    page = client.get("/staff/login/setup").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml[^"]*" alt="[^"]+"', page)
    secret = re.sub(r"\s", "", re.search(r'<code translate="no">([A-Z2-7 ]+)</code>', page)[1])
    field = re.search(r'<input[^>]*name="code"[^>]*>', page)[0]
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert client.get("/staff/").status_code == 302  # not logged in before the code

    hidden = hidden_fields(page)
    assert client.post("/staff/login/setup", data={**hidden, "code": "000000"}).status_code == 400
    response = client.post("/staff/login/setup", data={**hidden, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(
        r'<code translate="no">([A-Z0-9-]{19})</code>', response.get_data(as_text=True)
    )
    assert len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & set(hashes)
    assert "data:image/svg" not in client.get("/staff/").get_data(as_text=True)

    client.post("/staff/logout")
    assert log_in(client).headers["Location"] == "/staff/login/code"
    # Once set up, the QR code and secret are never shown again.
    assert client.get("/staff/login/setup").headers["Location"] == "/staff/login/code"
    assert stored_user(app).totp_secret == secret


def test_log_in_needs_a_current_code_used_only_once(app, account):
    first, second = app.test_client(), app.test_client()
    log_in(first)
    page = first.get("/staff/login/code").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="code"[^>]*>', page)[0]
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert first.get("/staff/").status_code == 302
    assert send_code(first, "123456").status_code == 400
    stale = pyotp.TOTP(account.secret).at(time.time() - 300)
    assert send_code(first, stale).status_code == 400
    code = fresh_code(app, account)
    assert send_code(first, code).headers["Location"] == "/staff/"
    assert first.get("/staff/").status_code == 200
    log_in(second)
    response = send_code(second, code)  # replayed within its 30 seconds
    assert response.status_code == 400
    assert "was used already" in response.get_data(as_text=True)
    assert second.get("/staff/").status_code == 302


def test_a_recovery_code_logs_in_once(app, account):
    client = app.test_client()
    log_in(client)
    response = send_code(client, recovery_code=account.recovery_codes[0].lower())
    assert response.headers["Location"] == "/staff/"
    assert "9 are left" in client.get("/staff/").get_data(as_text=True)
    client.post("/staff/logout")
    log_in(client)
    assert send_code(client, recovery_code=account.recovery_codes[0]).status_code == 400


def test_the_code_step_needs_a_recent_password_step(app, client, account):
    response = client.get("/staff/login/code")
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/login/setup").headers["Location"] == "/staff/login"
    log_in(client)
    with client.session_transaction() as current:
        current["staff_pending"] = {**current["staff_pending"], "at": time.time() - 11 * 60}
    token = csrf_of(client, "/staff/login")
    response = client.post(
        "/staff/login/code", data={"csrf_token": token, "code": fresh_code(app, account)}
    )
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


# Lock-out


@BOTH_DATABASES
def test_repeated_failures_lock_the_account_on_every_worker(make_app, account):
    """Five failures from two workers and two addresses lock the account for 15 minutes; the
    account holder is told at the next log-in."""
    one, two = make_app(), make_app()
    first, second = one.test_client(), two.test_client()
    second.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    for client in (first, second, first, second):
        assert log_in(client, password="wrong password!").status_code == 400
    log_in(first)
    assert send_code(first, "000000").status_code == 400  # a wrong code counts too

    response = log_in(second)  # the right password, during the lock
    assert response.status_code == 429
    assert "locked until" in response.get_data(as_text=True)
    locked = stored_user(one).locked_until
    assert dt.timedelta(minutes=14) < locked - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)

    with one.app_context():  # 15 minutes later
        db.session.execute(
            update(StaffUser).values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        db.session.commit()
    assert log_in_fully(one, first, account).headers["Location"] == "/staff/"
    page = html.unescape(first.get("/staff/").get_data(as_text=True))
    assert "There were 5 failed log-in attempts on your account since your last log-in" in page
    assert stored_user(one).failed_logins == 0


def test_unknown_usernames_lock_nothing(client, account):
    for _ in range(6):
        assert log_in(client, "nobody", "wrong password!").status_code == 400
    assert log_in(client).status_code == 302


# Sessions


@pytest.mark.parametrize(
    ("seen_ago", "logged_in_ago", "still_in"),
    [
        (IDLE_LIMIT - 60, IDLE_LIMIT, True),
        (IDLE_LIMIT + 1, IDLE_LIMIT + 1, False),
        (60, ABSOLUTE_LIMIT - 60, True),
        (60, ABSOLUTE_LIMIT + 1, False),
    ],
)
def test_sessions_end_when_idle_30_minutes_or_12_hours_after_log_in(
    staff, seen_ago, logged_in_ago, still_in
):
    now = int(time.time())
    with staff.session_transaction() as current:
        current[SEEN_AT], current[LOGIN_AT] = now - seen_ago, now - logged_in_ago
    response = staff.get("/staff/")
    assert response.status_code == (200 if still_in else 302)
    if not still_in:
        assert response.headers["Location"].startswith("/staff/login")
        # Ended for good: putting the times back does not bring it back.
        with staff.session_transaction() as current:
            current[SEEN_AT] = current[LOGIN_AT] = now
        assert staff.get("/staff/").status_code == 302


def test_a_session_is_bound_to_the_address_not_to_x_forwarded_for(app, staff):
    staff.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    assert staff.get("/staff/").status_code == 200
    staff.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert staff.get("/staff/").status_code == 302


def test_the_session_cookie_is_sent_only_with_staff_pages(staff):
    for path in ("/en/", "/static/site.css", ARTICLE, ARTICLE):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        response.close()
    assert "Set-Cookie" in staff.get("/staff/").headers


# Log-out


def test_log_out_works_without_a_csrf_token_from_our_own_pages(staff):
    with staff.session_transaction() as current:
        current["csrf_token"] = "expired long ago"
    response = staff.post(
        "/staff/logout",
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.headers["Location"] == "/staff/login"
    assert staff.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_log_out_from_another_site_is_refused(staff, headers):
    assert staff.post("/staff/logout", headers=headers).status_code == 403
    assert staff.get("/staff/").status_code == 200


def test_log_out_without_a_session_goes_to_the_log_in_page(client):
    assert client.post("/staff/logout").headers["Location"] == "/staff/login"


# Audit log


@BOTH_DATABASES
def test_the_audit_log_says_who_did_what_to_which_query_without_its_text(app, staff):
    ref, other = add_queries(app, {"question": "Secret health detail"}, {})
    staff.get(f"/staff/queries/{ref}")
    token = csrf_of(staff, f"/staff/queries/{other}")
    staff.post(f"/staff/queries/{ref}/answer", data={"csrf_token": token, "note": "Phoned"})
    staff.get("/staff/export.csv?status=new")
    staff.post(f"/staff/queries/{ref}/delete", data={"csrf_token": token, "confirm": "y"})
    assert audit_rows(app) == [
        ("nurse", "logged-in", None, None),
        ("nurse", "viewed", ref, None),
        ("nurse", "viewed", other, None),
        ("nurse", "answered", ref, None),
        ("nurse", "exported", None, "status=new"),
        ("nurse", "deleted", ref, None),
    ]
    assert "Secret health detail" not in str(audit_rows(app))
    page = staff.get("/staff/audit").get_data(as_text=True)
    assert page.index("deleted") < page.index("marked as answered") < page.index("logged in")
    assert ref in page and "Secret health detail" not in page
    assert staff.get("/staff/audit?page=2").status_code == 200


def test_reset_2fa_is_in_the_audit_log_and_asks_for_a_new_set_up(app, staff):
    assert app.test_cli_runner().invoke(args=["staff", "reset-2fa", "nurse"]).exit_code == 0
    assert staff.get("/staff/").status_code == 302  # its sessions ended
    assert log_in(staff).headers["Location"] == "/staff/login/setup"
    assert audit_rows(app)[-1] == ("nurse", "2fa-reset", None, "flask staff reset-2fa")


# Passwords


@pytest.mark.slow
@pytest.mark.parametrize("method", ["scrypt", "scrypt:16384:8:1", "pbkdf2:sha256"])
def test_a_weaker_password_hash_is_redone_at_log_in(make_app, method):
    """With the production cost (OWASP's minimum), as a deployment runs it."""
    app = make_app(PASSWORD_SCRYPT_N=2**17)
    make_account(app)
    client = app.test_client()
    with app.app_context():
        db.session.execute(
            update(StaffUser).values(password_hash=generate_password_hash(PASSWORD, method))
        )
        db.session.commit()
    assert log_in(client).status_code == 302
    assert stored_user(app).password_hash.startswith("scrypt:131072:8:1$")
    assert log_in(app.test_client()).status_code == 302


# Hostile parameters


def test_mailto_links_carry_only_the_address(app, staff):
    (ref,) = add_queries(app, {"email": "x?bcc=attacker%40evil.com&x=@example.org"})
    page = staff.get(f"/staff/queries/{ref}").get_data(as_text=True)
    (href,) = re.findall(r'href="(mailto:[^"]*)"', page)
    assert href == "mailto:x%3Fbcc%3Dattacker%2540evil.com%26x%3D@example.org"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("endpoint=x", 200),
        ("_external=1&_scheme=javascript", 200),
        ("status=new&endpoint=x", 200),
        ("page=10**30", 200),
        ("page=" + "1" + "0" * 30, 404),
        ("page=0", 404),
        ("page=-3", 404),
    ],
)
@pytest.mark.parametrize("path", ["/staff/", "/staff/export.csv", "/staff/audit"])
def test_list_parameters_never_reach_url_for_or_overflow(staff, path, query, status):
    if path == "/staff/export.csv" and query.startswith("page="):
        status = 200  # the export has no pages
    response = staff.get(f"{path}?{query}")
    assert response.status_code == status
    assert "endpoint" not in response.get_data(as_text=True)


def test_a_copy_of_the_data_goes_only_to_the_email_stored_with_the_question(app, staff):
    """Knowing a reference is not enough: whatever address is sent with the request, the copy
    is written to the outbox for the stored address, in the patient's answer language."""
    from app.questions.models import OutboxMessage

    (ref,) = add_queries(app, {"email": "asha@example.com", "answer_language": "fr"})
    token = csrf_of(staff, f"/staff/queries/{ref}")
    response = staff.post(
        f"/staff/queries/{ref}/send-copy",
        data={"csrf_token": token, "email": "attacker@evil.example", "recipient": "x@evil.example"},
    )
    assert response.status_code == 303
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "asha@example.com"
    assert ref in message.subject and "Is the procedure painful?" in message.body
    assert "Vos données" in message.subject or "vous" in message.body.lower()
    assert ("nurse", "copy-sent", ref, None) in audit_rows(app)
    assert "evil.example" not in message.body + message.recipient


def test_no_copy_can_be_sent_for_a_question_without_an_email(app, staff):
    from app.questions.models import OutboxMessage

    (ref,) = add_queries(app, {"email": None, "phone": "+91 98765 43210"})
    token = csrf_of(staff, f"/staff/queries/{ref}")
    response = staff.post(f"/staff/queries/{ref}/send-copy", data={"csrf_token": token})
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "has no email address" in page
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
