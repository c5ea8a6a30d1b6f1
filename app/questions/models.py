"""The questions' tables: the patient's question and the outbox of emails about it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Model, UTCDateTime, utcnow

NEW = "new"
ANSWERED = "answered"
STATUSES = (NEW, ANSWERED)

PENDING = "pending"
SENT = "sent"


class Question(Model):
    """A patient's question and how to reply. Health data: read only by logged-in staff."""

    #: The table keeps the name it was created with: renaming it would need a migration and
    #: would gain nothing.
    __tablename__ = "queries"
    __table_args__ = (
        CheckConstraint(f"status IN ('{NEW}', '{ANSWERED}')", name="status"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="contact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What the patient is shown and quotes; the only identifier in logs and emails.
    ref: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Language of the page the question was written on.
    language: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    whatsapp: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2))
    answer_language: Mapped[str] = mapped_column(String(16), index=True)
    question: Mapped[str] = mapped_column(Text)
    article_slug: Mapped[str | None] = mapped_column(String(120))
    section_id: Mapped[str | None] = mapped_column(String(120))
    #: When the person ticked the consent box: our record of their consent.
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=NEW, index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answer_note: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Model):
    """An email waiting to be sent, written in the same transaction as the query it announces,
    so that a mail server outage delays a notification but never loses it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN ('{PENDING}', '{SENT}')", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    #: Never health data or contact details: a reference and where to read it.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
