"""The connection and the schema: URLs, SQLite's WAL mode, and migrations that match the models."""

import stat

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.database import db, normalise_url
from tests.conftest import BOTH_DATABASES


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/site", "postgresql+psycopg://u:p@db/site"),
        ("postgresql://u@db/site", "postgresql+psycopg://u@db/site"),
        ("postgresql+psycopg://u@db/site", "postgresql+psycopg://u@db/site"),
        ("sqlite:////srv/queries.sqlite3", "sqlite:////srv/queries.sqlite3"),
    ],
)
def test_postgres_urls_use_psycopg_3(given, used):
    assert normalise_url(given) == used


def test_sqlite_is_in_the_instance_folder_in_wal_mode(app, tmp_path):
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/queries.sqlite3")
    assert (tmp_path / "instance" / "queries.sqlite3").is_file()
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_the_instance_folder_and_the_sqlite_files_are_readable_by_their_owner_only(app, tmp_path):
    instance = tmp_path / "instance"
    with app.app_context():
        db.session.execute(text("SELECT 1 FROM queries")).all()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    files = [p for p in instance.iterdir() if p.name.startswith("queries.sqlite3")]
    assert {p.name for p in files} >= {"queries.sqlite3", "queries.sqlite3-wal"}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}


def test_sqlite_overwrites_what_is_deleted(app):
    """A purged question must not stay readable in the file's free pages."""
    with app.app_context():
        assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1


@BOTH_DATABASES
def test_migrations_make_exactly_the_tables_of_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        assert {"queries", "staff_users", "outbox", "alembic_version"} <= set(
            inspect(connection).get_table_names()
        )
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


@BOTH_DATABASES
def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert "queries" not in inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "queries" in inspect(db.engine).get_table_names()


def test_db_upgrade_command_makes_the_schema(app_config, tmp_path):
    from app import create_app

    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh' / 'q.sqlite3'}"
    fresh = create_app(app_config)
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert "queries" in inspect(db.engine).get_table_names()
        db.engine.dispose()
