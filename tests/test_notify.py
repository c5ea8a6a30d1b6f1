"""Staff notifications through the outbox, sent to a real SMTP server that the test starts:
a server that is down delays a notification, never loses it, and no email carries health data."""

import datetime as dt

from flask import url_for
from sqlalchemy import select

from app import notify
from app.storage import queries
from app.storage.db import db
from app.storage.models import PENDING, SENT, OutboxMessage
from tests.conftest import BOTH_DATABASES
from tests.storage.test_queries import new_query

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
        return queries.submit(new, lambda ref: notify.new_query_messages(ref, "hi"))


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage)).all()


def test_no_notification_without_a_staff_address(app):
    with app.test_request_context("/en/ask"):
        assert notify.new_query_messages("ABCD2345", "hi") == []


def test_the_notification_names_the_reference_and_language_and_nothing_else(app, mail_server):
    configure(app, mail_server)
    with app.test_request_context("/en/ask"):
        (message,) = notify.new_query_messages("ABCD2345", "hi")
        link = url_for("staff.detail", ref="ABCD2345", _external=True)
    assert message.recipient == "staff@clinic.example"
    assert "ABCD2345" in message.subject
    assert "Hindi" in message.body and link in message.body


@BOTH_DATABASES
def test_a_mail_server_outage_delays_the_notification_without_losing_it(app, mail_server):
    configure(app, mail_server)
    ref = store_query(app)

    with app.app_context():
        assert notify.send_due() == notify.Report(sent=0, failed=1)
    (message,) = outbox(app)
    assert message.status == PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > dt.datetime.now(dt.UTC)

    mail_server.start()
    with app.app_context():
        # Not due yet: the back-off is respected...
        assert notify.send_due() == notify.Report(sent=0, failed=0)
        # ...unless the operator asks for a retry now.
        assert notify.send_due(retry_now=True) == notify.Report(sent=1, failed=0)
        assert notify.send_due(retry_now=True) == notify.Report(sent=0, failed=0)
    (message,) = outbox(app)
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
        notify.send_due()
        mail_server.start()
        later = dt.datetime.now(dt.UTC) + notify.backoff(1) + dt.timedelta(seconds=1)
        assert notify.send_due(now=later).sent == 1
    assert len(mail_server.messages) == 1


def test_only_one_sender_claims_a_message(app, mail_server):
    configure(app, mail_server)
    store_query(app)
    with app.app_context():
        (message_id, seen) = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        ).one()
        now = dt.datetime.now(dt.UTC)
        assert notify._claim(message_id, seen, now) is True
        assert notify._claim(message_id, seen, now) is False


def test_back_off_grows_and_is_capped():
    assert [notify.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert notify.backoff(30) == notify.MAX_BACKOFF
