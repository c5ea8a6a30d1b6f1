"""Sending a question: what the ask form hands over, stored with its notifications at once.

Either the question and the emails announcing it are committed together or neither is, so a
notification is never lost and never announces a question that is not there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from app.database import db, utcnow
from app.questions import outbox
from app.questions.models import Question
from app.questions.records import by_ref, new_ref

#: How often to draw a new reference when one is taken: with 29^8 of them, twice is rare.
REF_TRIES = 5


@dataclasses.dataclass(frozen=True)
class NewQuestion:
    """A validated submission, as the form hands it over."""

    language: str
    name: str
    email: str | None
    phone: str | None
    whatsapp: bool
    country: str
    answer_language: str
    question: str
    article_slug: str | None = None
    section_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Submitted:
    """What the page needs once a question is stored: the reference to show the patient, and
    the notifications to try sending right away (``outbox.send_soon``)."""

    ref: str
    notifications: tuple[int, ...]


def submit(new: NewQuestion, make_ref: Callable[[], str] = new_ref) -> Submitted:
    """Store ``new`` and the staff notification in one transaction. A reference already taken
    is drawn again."""
    for _ in range(REF_TRIES):
        ref = make_ref()
        now = utcnow()
        messages = outbox.new_question_messages(ref, new.answer_language)
        db.session.add(Question(ref=ref, created_at=now, consent_at=now, **dataclasses.asdict(new)))
        db.session.add_all(messages)
        try:
            db.session.flush()
            # Read before the commit, which expires them (reading after would query again).
            ids = tuple(message.id for message in messages)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if by_ref(ref) is None:
                raise
            continue
        return Submitted(ref, ids)
    raise RuntimeError(f"no free reference after {REF_TRIES} tries")
