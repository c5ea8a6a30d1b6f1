"""Reading and changing stored questions, as plain functions over the database session.

The pages and the ``flask queries`` commands call these; none of them knows about requests.
Storing a new question is ``service.submit``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, select

from app.database import db, utcnow
from app.questions.models import ANSWERED, SENT, OutboxMessage, Question
from app.staff import audit

#: No 0/O, 1/I/L or U/V: nothing a person can misread or mishear on the phone.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REF_LENGTH = 8
REF_RE = re.compile(f"[{REF_ALPHABET}]{{{REF_LENGTH}}}")


def new_ref() -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def normalise_ref(text: str) -> str | None:
    """A reference as a person may type it ("abcd-2345 "), or None if it cannot be one."""
    ref = re.sub(r"[\s-]", "", text).upper()
    return ref if REF_RE.fullmatch(ref) else None


def by_ref(ref: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.ref == ref))


@dataclasses.dataclass(frozen=True)
class Filters:
    status: str | None = None
    answer_language: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    ref: str | None = None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def search(filters: Filters) -> Select[Question]:
    """Queries matching ``filters``, newest first. Dates are whole days, in UTC."""
    stmt = select(Question).order_by(Question.created_at.desc(), Question.id.desc())
    if filters.status:
        stmt = stmt.where(Question.status == filters.status)
    if filters.answer_language:
        stmt = stmt.where(Question.answer_language == filters.answer_language)
    if filters.since:
        stmt = stmt.where(Question.created_at >= _start_of(filters.since))
    if filters.until:
        stmt = stmt.where(Question.created_at < _start_of(filters.until + dt.timedelta(days=1)))
    if filters.ref:
        stmt = stmt.where(Question.ref == (normalise_ref(filters.ref) or filters.ref))
    return stmt


def each(stmt: Select[Question], batch: int = 500) -> Iterator[Question]:
    """Stream the rows of ``stmt`` in batches, for exports larger than memory."""
    yield from db.session.execute(stmt.execution_options(yield_per=batch)).scalars()


def mark_answered(query: Question, by: str, note: str | None) -> None:
    query.status = ANSWERED
    query.answered_at = utcnow()
    query.answered_by = by
    query.answer_note = note
    db.session.commit()


def remove(query: Question) -> None:
    """Delete one query for good, e.g. when the patient asks for it."""
    db.session.delete(query)
    db.session.commit()


@dataclasses.dataclass(frozen=True)
class Purged:
    queries: int
    notifications: int


def purge(older_than: dt.timedelta, now: dt.datetime | None = None) -> Purged:
    """Delete queries sent before ``now - older_than``, sent notifications and audit log
    entries as old, in one transaction.

    Notifications still waiting to be sent are kept: they carry no personal data.
    """
    cutoff = (now or utcnow()) - older_than
    queries = db.session.execute(delete(Question).where(Question.created_at < cutoff))
    sent = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == SENT, OutboxMessage.created_at < cutoff)
    )
    audit.purge(cutoff)
    db.session.commit()
    return Purged(cast(CursorResult[Any], queries).rowcount, cast(CursorResult[Any], sent).rowcount)


@dataclasses.dataclass(frozen=True)
class Restored:
    added: int
    present: int


def restore(rows: Iterable[dict]) -> Restored:
    """Add the backed-up queries whose reference is not stored yet, in one transaction.

    The reference is a query's identity: one already present is left exactly as it is (it may
    have been answered since the backup). Either every missing query is added or none is.
    """
    rows = list(rows)
    refs = [row["ref"] for row in rows]
    present: set[str] = set()
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        present.update(db.session.scalars(select(Question.ref).where(Question.ref.in_(chunk))))
    added = 0
    try:
        for row in rows:
            if row["ref"] in present:
                continue
            db.session.add(Question(**row))
            added += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Restored(added=added, present=len(present))
