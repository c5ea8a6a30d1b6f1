"""Storing, finding, answering and purging queries, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.database import db
from app.questions import records, service
from app.questions.models import ANSWERED, NEW, PENDING, SENT, OutboxMessage, Question
from tests.conftest import BOTH_DATABASES
from tests.helpers import new_query

pytestmark = BOTH_DATABASES


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_query_is_stored_with_a_short_reference(app):
    with app.app_context():
        ref = service.submit(
            new_query(article_slug="als-stem-cell-therapy", section_id="risks")
        ).ref
        assert records.REF_RE.fullmatch(ref)
        stored = records.by_ref(ref)
        assert stored.question == "Is the procedure painful?"
        assert stored.status == NEW
        assert stored.section_id == "risks"
        assert stored.created_at.tzinfo is not None
        assert abs(stored.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
        assert stored.consent_at == stored.created_at


def test_a_taken_reference_is_drawn_again(app):
    with app.app_context():
        first = service.submit(new_query(), make_ref=lambda: "AAAA2222").ref
        refs = iter(["AAAA2222", "AAAA2222", "BBBB3333"])
        second = service.submit(new_query(name="B"), make_ref=lambda: next(refs)).ref
        assert (first, second) == ("AAAA2222", "BBBB3333")
        assert count(Question) == 2


def test_the_question_and_its_notification_commit_together_or_not_at_all(app):
    app.config["STAFF_NOTIFY_EMAIL"] = "staff@clinic.example"
    with app.test_request_context("/en/ask"):
        submitted = service.submit(new_query())
        assert db.session.scalars(select(OutboxMessage.id)).all() == list(submitted.notifications)
        assert db.session.scalar(select(OutboxMessage.subject)).endswith(submitted.ref)

        with pytest.raises(IntegrityError):
            service.submit(new_query(name="Not stored", email=None, phone=None))
        db.session.rollback()
        assert count(Question) == 1
        assert count(OutboxMessage) == 1


def test_the_database_refuses_a_query_without_a_way_to_reply(app):
    with app.app_context(), pytest.raises(IntegrityError):
        service.submit(new_query(email=None, phone=None))


@pytest.mark.parametrize(
    ("typed", "ref"),
    [("abcd-2345", "ABCD2345"), (" ABCD 2345 ", "ABCD2345"), ("ABCD1234", None), ("AB", None)],
)
def test_references_as_people_type_them(typed, ref, database):
    assert records.normalise_ref(typed) == ref


def test_search_filters_and_orders_newest_first(app):
    with app.app_context():
        refs = [
            service.submit(new_query(name=f"P{i}", answer_language=lang)).ref
            for i, lang in enumerate(["hi", "ar", "hi"])
        ]
        old = records.by_ref(refs[0])
        old.created_at = dt.datetime(2025, 1, 10, 23, 30, tzinfo=dt.UTC)
        records.mark_answered(records.by_ref(refs[1]), "staff", "Phoned her")

        def found(**filters) -> list[str]:
            stmt = records.search(records.Filters(**filters))
            return [q.ref for q in db.session.scalars(stmt)]

        assert found() == [refs[2], refs[1], refs[0]]
        assert found(status=ANSWERED) == [refs[1]]
        assert found(status=NEW, answer_language="hi") == [refs[2], refs[0]]
        assert found(since=dt.date(2025, 1, 10), until=dt.date(2025, 1, 10)) == [refs[0]]
        assert found(until=dt.date(2025, 1, 9)) == []
        assert found(since=dt.date(2025, 1, 11)) == [refs[2], refs[1]]
        assert found(ref=refs[1].lower()) == [refs[1]]


def test_mark_answered_and_remove(app):
    with app.app_context():
        ref = service.submit(new_query()).ref
        records.mark_answered(records.by_ref(ref), "nurse1", "Answered by email")
        stored = records.by_ref(ref)
        assert (stored.status, stored.answered_by, stored.answer_note) == (
            ANSWERED,
            "nurse1",
            "Answered by email",
        )
        assert stored.answered_at is not None
        records.remove(stored)
        assert records.by_ref(ref) is None


def test_purge_deletes_old_queries_and_sent_notifications_only(app):
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        old, recent = (service.submit(new_query(name=n)).ref for n in ("Old", "Recent"))
        records.by_ref(old).created_at = now - dt.timedelta(days=40)
        db.session.add_all(
            [
                OutboxMessage(
                    recipient="s@x",
                    subject="a",
                    body="",
                    status=SENT,
                    created_at=now - dt.timedelta(days=40),
                ),
                OutboxMessage(
                    recipient="s@x",
                    subject="b",
                    body="",
                    status=PENDING,
                    created_at=now - dt.timedelta(days=40),
                ),
            ]
        )
        db.session.commit()
        purged = records.purge(dt.timedelta(days=30))
        assert (purged.queries, purged.notifications) == (1, 1)
        assert records.by_ref(old) is None
        assert records.by_ref(recent) is not None
        assert db.session.scalars(select(OutboxMessage.subject)).all() == ["b"]
