"""The staff audit log: who viewed, answered, exported or deleted which query, and log-ins.

``record`` only adds the entry to the database session, so it is committed in the same
transaction as the action it describes: an action is never done without its entry, and an
entry never claims an action that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, select

from app.database import db, utcnow
from app.staff.models import AuditEntry

VIEWED = "viewed"
ANSWERED = "answered"
EXPORTED = "exported"
DELETED = "deleted"
LOGGED_IN = "logged-in"
TWO_FACTOR_RESET = "2fa-reset"
COPY_SENT = "copy-sent"
ROLES_CHANGED = "roles-changed"


def record(
    actor: str, action: str, query_ref: str | None = None, detail: str | None = None
) -> None:
    """Add an entry to the current transaction; the caller commits it with its action."""
    db.session.add(
        AuditEntry(
            at=utcnow(),
            actor=actor,
            action=action,
            query_ref=query_ref,
            detail=detail[:200] if detail else None,
        )
    )


def newest_first() -> Select[AuditEntry]:
    return select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def purge(cutoff: dt.datetime) -> int:
    """Delete entries older than ``cutoff`` (the queries' retention), in the caller's
    transaction: the log must not keep, by reference, a trace of queries that are gone."""
    deleted = db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return cast(CursorResult[Any], deleted).rowcount
