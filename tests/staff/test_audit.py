"""The audit log's table: purged with the queries, by the same retention rule, on SQLite and
PostgreSQL; and the migration that adds it (and the staff 2FA columns) undone and redone."""

import datetime as dt

import flask_migrate
from sqlalchemy import inspect, select

from app.database import db, utcnow
from app.questions import records, service
from app.staff import audit
from app.staff.models import AuditEntry
from tests.conftest import BOTH_DATABASES
from tests.helpers import new_query

pytestmark = BOTH_DATABASES


def test_purge_deletes_audit_entries_as_old_as_the_queries(app, runner):
    old = utcnow() - dt.timedelta(days=400)
    with app.app_context():
        ref = service.submit(new_query()).ref
        records.by_ref(ref).created_at = old
        db.session.add_all(
            AuditEntry(at=at, actor="nurse", action=action, query_ref=ref)
            for at, action in ((old, audit.VIEWED), (utcnow(), audit.ANSWERED))
        )
        db.session.commit()
    result = runner.invoke(args=["queries", "purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all() == [audit.ANSWERED]
        assert records.by_ref(ref) is None


def test_the_migration_can_be_undone_and_redone(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0001")
        assert "audit_log" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
        flask_migrate.upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("staff_users")}
        assert {"totp_secret", "failed_logins", "locked_until"} <= columns
        assert "audit_log" in inspect(db.engine).get_table_names()
