"""``flask queries``: outbox sending, purge and export, through the CLI."""

import datetime as dt
import json
import re
import stat

import pytest

from app.database import db
from app.questions import records, service
from tests.conftest import BOTH_DATABASES
from tests.helpers import new_query


def add(app, *names: str, days_old: int = 0) -> list[str]:
    with app.test_request_context("/en/ask"):
        refs = [service.submit(new_query(name=name)).ref for name in names]
        for ref in refs:
            records.by_ref(ref).created_at -= dt.timedelta(days=days_old)
        db.session.commit()
    return refs


def test_send_outbox_retries_until_the_mail_server_is_back(make_app, mail_server):
    app = make_app(
        STAFF_NOTIFY_EMAIL="staff@clinic.example",
        SMTP_HOST=mail_server.host,
        SMTP_PORT=mail_server.port,
    )
    (ref,) = add(app, "Asha")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["queries", "send-outbox"])
    assert result.exit_code == 1
    assert "sent 0, failed 1" in result.output

    mail_server.start()
    result = runner.invoke(args=["queries", "send-outbox", "--retry-now"])
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.output
    (email,) = mail_server.messages
    assert ref in email["Subject"]
    assert "Asha" not in email.as_string()


def test_send_outbox_says_when_smtp_is_not_configured(runner):
    result = runner.invoke(args=["queries", "send-outbox"])
    assert result.exit_code != 0
    assert "SMTP_HOST is not set" in result.output


@BOTH_DATABASES
def test_purge_uses_the_retention_setting_or_the_option(make_app):
    app = make_app(QUERY_RETENTION_DAYS=30)
    (old,) = add(app, "Old", days_old=45)
    (older,) = add(app, "Older", days_old=100)
    (new,) = add(app, "New")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["queries", "purge", "--older-than", "60"])
    assert result.exit_code == 0
    assert "deleted 1 queries" in result.output
    result = runner.invoke(args=["queries", "purge"])
    assert "deleted 1 queries" in result.output and "older than 30 days" in result.output
    with app.app_context():
        assert [records.by_ref(r) is None for r in (old, older, new)] == [True, True, False]
    assert runner.invoke(args=["queries", "purge", "--older-than", "-1"]).exit_code != 0


@BOTH_DATABASES
def test_export_writes_json_lines_to_stdout_or_a_private_file(app, runner, tmp_path):
    refs = add(app, "Asha", "أحمد")
    result = runner.invoke(args=["queries", "export"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["ref"] for r in records] == refs
    assert records[1]["name"] == "أحمد"

    target = tmp_path / "backup.jsonl"
    result = runner.invoke(args=["queries", "export", "--output", str(target)])
    assert result.exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_replaces_a_symlink_at_the_target_and_is_always_private(app, runner, tmp_path):
    add(app, "Asha")
    victim = tmp_path / "victim.txt"
    victim.write_text("not a backup")
    target = tmp_path / "backup.jsonl"
    target.symlink_to(victim)
    assert runner.invoke(args=["queries", "export", "-o", str(target)]).exit_code == 0
    assert victim.read_text() == "not a backup"
    assert not target.is_symlink()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    target.chmod(0o644)
    assert runner.invoke(args=["queries", "export", "-o", str(target)]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".backup.jsonl*"))


def test_exports_to_a_folder_are_dated_and_expire_with_the_queries(make_app, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    app = make_app(QUERY_RETENTION_DAYS=30, EXPORT_DIR=str(folder))
    add(app, "Asha")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["queries", "export"]).exit_code == 0
    (written,) = folder.iterdir()
    assert re.fullmatch(r"queries-\d{8}T\d{6}Z\.jsonl", written.name)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600

    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    (folder / f"queries-{old:%Y%m%dT%H%M%SZ}.jsonl").write_text("")
    (folder / "queries-19990101T000000Z.jsonl").symlink_to(written)
    (folder / "notes.txt").write_text("")
    result = runner.invoke(args=["queries", "purge"])
    assert "deleted 1 export files older than 30 days" in result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [written.name, "queries-19990101T000000Z.jsonl", "notes.txt"]
    )


@BOTH_DATABASES
def test_an_export_restores_exactly_and_importing_twice_adds_nothing(app, runner, tmp_path):
    refs = add(app, "Asha", "أحمد", "Наталья")
    with app.app_context():
        records.by_ref(refs[0]).status = "answered"
        records.by_ref(refs[0]).answered_at = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, dt.UTC)
        records.by_ref(refs[0]).answered_by = "staff1"
        records.by_ref(refs[0]).answer_note = "Rang back =1+1"
        db.session.commit()
    backup = tmp_path / "backup.jsonl"
    assert runner.invoke(args=["queries", "export", "-o", str(backup)]).exit_code == 0

    with app.app_context():
        db.session.execute(db.delete(records.Question))
        db.session.commit()
    result = runner.invoke(args=["queries", "import", str(backup)])
    assert result.exit_code == 0, result.output
    assert "imported 3 queries; 0 were already stored" in result.output

    again = tmp_path / "again.jsonl"
    assert runner.invoke(args=["queries", "export", "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == backup.read_bytes()

    result = runner.invoke(args=["queries", "import", str(backup)])
    assert "imported 0 queries; 3 were already stored" in result.output
    assert runner.invoke(args=["queries", "export", "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == backup.read_bytes()


@BOTH_DATABASES
def test_import_keeps_what_is_stored_and_adds_only_what_is_missing(app, runner, tmp_path):
    first, second = add(app, "Asha", "Ravi")
    backup = tmp_path / "backup.jsonl"
    runner.invoke(args=["queries", "export", "-o", str(backup)])
    with app.app_context():
        records.by_ref(first).answer_note = "answered after the backup"
        db.session.delete(records.by_ref(second))
        db.session.commit()
    result = runner.invoke(args=["queries", "import", str(backup)])
    assert "imported 1 queries; 1 were already stored" in result.output
    with app.app_context():
        assert records.by_ref(first).answer_note == "answered after the backup"
        assert records.by_ref(second).name == "Ravi"


@BOTH_DATABASES
@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("{not json", "line 2: Expecting property name"),
        ('{"ref": "ABCDEFGH"}', "line 2: columns differ from an export"),
        ("[1, 2]", "line 2: expected one JSON object"),
        ("SAME", "line 2: reference"),
        ("BADTIME", "line 2: created_at"),
    ],
)
def test_a_malformed_backup_is_refused_with_its_line_and_nothing_written(
    app, runner, tmp_path, bad_line, reason
):
    (ref,) = add(app, "Asha")
    backup = tmp_path / "backup.jsonl"
    runner.invoke(args=["queries", "export", "-o", str(backup)])
    good = backup.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(good)
    if bad_line == "SAME":
        bad_line = good
    elif bad_line == "BADTIME":
        bad_line = json.dumps({**record, "ref": "ZZZZZZZZ", "created_at": "yesterday"})
    with app.app_context():
        db.session.execute(db.delete(records.Question))
        db.session.commit()
    backup.write_text(good + "\n" + bad_line + "\n", encoding="utf-8")
    result = runner.invoke(args=["queries", "import", str(backup)])
    assert result.exit_code != 0
    assert reason in result.output and "nothing was imported" in result.output
    with app.app_context():
        assert records.by_ref(ref) is None
