"""Staff notifications through the outbox, sent to a real SMTP server that the test starts:
a server that is down delays a notification, never loses it, and no email carries health data."""

import datetime as dt
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import url_for
from sqlalchemy import select

from app import create_app
from app.database import db
from app.questions import outbox, service
from app.questions.models import PENDING, SENT, OutboxMessage
from tests.conftest import BOTH_DATABASES, MailServer
from tests.helpers import new_query

QUESTION = "My father has ALS and difficulty swallowing. Is the treatment safe for him?"


def configure(app, mail_server) -> None:
    app.config.update(
        STAFF_NOTIFY_EMAIL="staff@clinic.example",
        SMTP_HOST=mail_server.host,
        SMTP_PORT=mail_server.port,
        SMTP_TIMEOUT=5,
        MAIL_FROM="site@clinic.example",
    )


def store_query(app) -> str:
    with app.test_request_context("/en/ask"):
        new = new_query(question=QUESTION, phone="+91 98765 43210")
        return service.submit(new).ref


def stored_messages(app) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage)).all()


def test_no_notification_without_a_staff_address(app):
    with app.test_request_context("/en/ask"):
        assert outbox.new_question_messages("ABCD2345", "hi") == []


def test_the_notification_names_the_reference_and_language_and_nothing_else(app, mail_server):
    configure(app, mail_server)
    with app.test_request_context("/en/ask"):
        (message,) = outbox.new_question_messages("ABCD2345", "hi")
        link = url_for("staff.detail", ref="ABCD2345", _external=True)
    assert message.recipient == "staff@clinic.example"
    assert "ABCD2345" in message.subject
    assert "Hindi" in message.body and link in message.body


@BOTH_DATABASES
def test_a_mail_server_outage_delays_the_notification_without_losing_it(app, mail_server):
    configure(app, mail_server)
    ref = store_query(app)

    with app.app_context():
        assert outbox.send_due() == outbox.Report(sent=0, failed=1)
    (message,) = stored_messages(app)
    assert message.status == PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > dt.datetime.now(dt.UTC)

    mail_server.start()
    with app.app_context():
        # Not due yet: the back-off is respected...
        assert outbox.send_due() == outbox.Report(sent=0, failed=0)
        # ...unless the operator asks for a retry now.
        assert outbox.send_due(retry_now=True) == outbox.Report(sent=1, failed=0)
        assert outbox.send_due(retry_now=True) == outbox.Report(sent=0, failed=0)
    (message,) = stored_messages(app)
    assert message.status == SENT and message.sent_at is not None and message.attempts == 1

    (email,) = mail_server.messages
    assert email["To"] == "staff@clinic.example"
    assert email["From"] == "site@clinic.example"
    text = email.as_string()
    assert ref in email["Subject"] and ref in text
    for private in (QUESTION, "difficulty swallowing", "Asha", "asha@example.com", "98765"):
        assert private not in text


def test_a_due_message_is_sent_later_once_its_time_has_come(app, mail_server):
    configure(app, mail_server)
    store_query(app)
    with app.app_context():
        outbox.send_due()
        mail_server.start()
        later = dt.datetime.now(dt.UTC) + outbox.backoff(1) + dt.timedelta(seconds=1)
        assert outbox.send_due(now=later).sent == 1
    assert len(mail_server.messages) == 1


def test_only_one_sender_claims_a_message(app, mail_server):
    configure(app, mail_server)
    store_query(app)
    with app.app_context():
        (message_id, seen) = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        ).one()
        now = dt.datetime.now(dt.UTC)
        assert outbox._claim(message_id, seen, now) is True
        assert outbox._claim(message_id, seen, now) is False


def test_back_off_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert outbox.backoff(30) == outbox.MAX_BACKOFF


@pytest.fixture
def tls_mail_server(free_port, tmp_path, monkeypatch):
    """A real SMTP server speaking TLS from the first byte (as on port 465), with a certificate
    of this test's own that the app's default TLS context is told to trust; it records log-ins."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = MailServer("127.0.0.1", free_port)
    server.logins = []

    def authenticate(smtp, session, envelope, mechanism, auth_data):
        server.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        ssl_context=context,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield server
    controller.stop()


def test_mail_can_go_over_implicit_tls_with_a_login(app, tls_mail_server):
    configure(app, tls_mail_server)
    app.config.update(SMTP_SSL=True, SMTP_USERNAME="site", SMTP_PASSWORD="mail-secret")
    store_query(app)
    with app.app_context():
        assert outbox.send_due() == outbox.Report(sent=1, failed=0)
    assert tls_mail_server.logins == [(b"site", b"mail-secret")]
    assert len(tls_mail_server.messages) == 1


def test_a_log_in_over_an_unencrypted_connection_is_refused(app_config, app, mail_server):
    unsafe = {"SMTP_HOST": "mail.example", "SMTP_USERNAME": "site"}
    with pytest.raises(ValueError, match="SMTP_STARTTLS=true, or SMTP_SSL=true"):
        create_app({**app_config, **unsafe})
    create_app({**app_config, **unsafe, "SMTP_PORT": 465})

    configure(app, mail_server.start())
    app.config.update(SMTP_USERNAME="site", SMTP_PASSWORD="mail-secret")
    store_query(app)
    with app.app_context():
        assert outbox.send_due() == outbox.Report(sent=0, failed=1)
    (message,) = stored_messages(app)
    assert "unencrypted" in message.last_error
    assert mail_server.messages == []
