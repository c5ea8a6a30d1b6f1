"""``flask queries``: outbox sending, purge and export, through the CLI."""

import datetime as dt
import json
import stat

from app import notify
from app.storage import queries
from app.storage.db import db
from tests.conftest import BOTH_DATABASES
from tests.storage.test_queries import new_query


def add(app, *names: str, days_old: int = 0) -> list[str]:
    with app.test_request_context("/en/ask"):
        refs = [
            queries.submit(new_query(name=name), lambda r: notify.new_query_messages(r, "en"))
            for name in names
        ]
        for ref in refs:
            queries.by_ref(ref).created_at -= dt.timedelta(days=days_old)
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
        assert [queries.by_ref(r) is None for r in (old, older, new)] == [True, True, False]
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
