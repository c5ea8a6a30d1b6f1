"""Email to staff through an outbox: a notification is a row written with the query, sent later.

A mail server that is down, slow or refusing delays a notification but never loses it: a row is
marked sent only after the server accepted the message, and a failed one is retried with a
growing delay, for as long as it takes. The email names the query's reference and language and
links to the staff page; the health question and the contact details stay in the database.
The one email that carries them is a copy of a patient's own data, sent at their request and
only to the address stored with their question.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any, cast

from babel import Locale
from flask import Flask, current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import CursorResult, select, update

from app.config import smtp_implicit_tls
from app.database import db, utcnow
from app.i18n.languages import SOURCE_LANGUAGE
from app.questions import exports
from app.questions.models import PENDING, SENT, OutboxMessage, Question

log = logging.getLogger(__name__)

#: A message being sent is not picked up by another sender for this long.
LEASE = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=6)


def smtp_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("SMTP_HOST"))


def new_question_messages(ref: str, answer_language: str) -> list[OutboxMessage]:
    """The notification of a new query, or none when no staff address is configured.

    Written in the site's source language: staff read it, not the patient.
    """
    recipient = current_app.config.get("STAFF_NOTIFY_EMAIL")
    if not recipient:
        return []
    link = url_for("staff.detail", ref=ref, _external=True)
    language = Locale.parse(answer_language).get_display_name(SOURCE_LANGUAGE)
    subject = f"New patient query {ref}"
    body = (
        f"A new query {ref}, to be answered in {language}, is waiting.\n\n"
        f"Log in to read it:\n{link}\n"
    )
    return [OutboxMessage(recipient=recipient, subject=subject, body=body)]


def copy_of_data_message(query: Question) -> OutboxMessage | None:
    """A copy of everything stored about ``query``, for the patient who asked for it, in their
    answer language. It goes only to the email address stored with the question (whoever
    asks, and from wherever), so knowing a reference is not enough to obtain someone's data;
    with no email stored there is nothing to send it to."""
    if not query.email:
        return None
    with force_locale(query.answer_language):
        subject = gettext("Your data: question %(ref)s", ref=query.ref)
        intro = gettext(
            "You asked for a copy of what we store about your question %(ref)s. Here it is.",
            ref=query.ref,
        )
        footer = gettext("If you did not ask for this, reply to this email to tell us.")
    data = json.dumps(exports.record(query), ensure_ascii=False, indent=2, default=str)
    return OutboxMessage(
        recipient=query.email, subject=subject, body=f"{intro}\n\n{data}\n\n{footer}\n"
    )


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8... minutes after each failure, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclasses.dataclass
class Report:
    sent: int = 0
    failed: int = 0


def send_due(
    now: dt.datetime | None = None, retry_now: bool = False, ids: list[int] | None = None
) -> Report:
    """Send every pending message whose time has come, or every pending one with ``retry_now``
    (after the mail server is fixed, say). Only ``ids`` when given."""
    now = now or utcnow()
    stmt = select(OutboxMessage.id, OutboxMessage.next_attempt_at).where(
        OutboxMessage.status == PENDING
    )
    if not retry_now:
        stmt = stmt.where(OutboxMessage.next_attempt_at <= now)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    report = Report()
    for message_id, seen in db.session.execute(stmt.order_by(OutboxMessage.id)).all():
        if not _claim(message_id, seen, now):
            continue
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            continue
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.attempts += 1
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            db.session.commit()
            log.warning(
                "outbox message %s not sent (attempt %s, %s)",
                message_id,
                message.attempts,
                type(exc).__name__,
            )
            report.failed += 1
            continue
        message.status = SENT
        message.sent_at = utcnow()
        message.last_error = None
        db.session.commit()
        log.info("outbox message %s sent", message_id)
        report.sent += 1
    return report


def _claim(message_id: int, seen: dt.datetime, now: dt.datetime) -> bool:
    """Take the message for the length of a lease, unless another sender took it since we read
    it: the UPDATE only matches while its next attempt is still the time we saw."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at == seen,
        )
        .values(next_attempt_at=now + LEASE)
    )
    db.session.commit()
    return cast(CursorResult[Any], claimed).rowcount == 1


def deliver(message: OutboxMessage) -> None:
    """Hand one message to the SMTP server; raises when it was not accepted."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    host = config.get("SMTP_HOST")
    if not host:
        raise smtplib.SMTPException("SMTP_HOST is not set")
    port, timeout = int(config["SMTP_PORT"]), config["SMTP_TIMEOUT"]
    context = ssl.create_default_context()
    implicit = smtp_implicit_tls(config)
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        if implicit
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with smtp:
        if config.get("SMTP_STARTTLS") and not implicit:
            smtp.starttls(context=context)
        if config.get("SMTP_USERNAME"):
            # Checked at start-up too (config.check); here for settings changed since.
            if not (implicit or config.get("SMTP_STARTTLS")):
                raise smtplib.SMTPException("refusing to log in over an unencrypted connection")
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(email)


def send_soon(app: Flask, ids: Sequence[int]) -> None:
    """Try the new messages right away (after the response has gone): a failure leaves them in
    the outbox for ``flask queries send-outbox``."""
    if not ids or not smtp_configured(app):
        return
    try:
        with app.app_context():
            send_due(ids=list(ids))
    except Exception:  # noqa: BLE001 - the outbox keeps the message; the patient is answered
        log.exception("sending new notifications failed; they stay in the outbox")
