"""The database connection: Flask-SQLAlchemy on ``DATABASE_URL``, the schema in Alembic migrations.

SQLite in the instance folder by default (in WAL mode, so readers never block the writer), or
PostgreSQL through psycopg 3. Tables are made only by ``flask db upgrade``, never ``create_all``,
so that every deployment runs the schema the migrations define.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app.config import private_dir

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        """``db.Model`` as a type checker sees it: Flask-SQLAlchemy makes that class at runtime
        from ``Base`` and its own ``Model``, and a class made at runtime is no base for mypy."""

        __abstract__ = True

else:
    #: The base class of the tables.
    Model = db.Model
#: ``render_as_batch`` lets future migrations alter SQLite tables (by copying them).
migrate = Migrate(directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A point in time, always UTC and timezone-aware in Python: SQLite keeps no time zone, so
    without this the same column would read back naive there and aware on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def normalise_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver: hosting platforms hand out ``postgres://``
    and ``postgresql://``, which SQLAlchemy would give to psycopg2, which we do not install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def engine_options(url: str) -> dict[str, Any]:
    """Fail fast when the server is unreachable, so the person sees "not sent" within seconds."""
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    if backend == "sqlite":
        # Seconds a writer waits for another writer's lock before giving up.
        return {"connect_args": {"timeout": 30}}
    return {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys, and ``secure_delete``: a deleted or purged question is overwritten
    with zeros in the file, not left readable in free pages until reused."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def private_file(path: Path) -> None:
    """Create the SQLite file (an empty file is an empty database) readable by its owner only,
    in a folder that is too when we make it; SQLite gives its -wal and -shm files the same
    permissions. An existing file is left as it is."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def init_app(app: Flask) -> None:
    url = normalise_url(app.config["DATABASE_URL"])
    parsed = make_url(url)
    sqlite_file = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        sqlite_file = Path(parsed.database)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = engine_options(url)
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db)
    with app.app_context():
        engine: Engine = db.engine
        event.listen(engine, "connect", _sqlite_pragmas)
        if sqlite_file is not None:
            # On first use, not at start-up: commands that never open the database make none.
            event.listen(engine, "do_connect", lambda *_: private_file(sqlite_file))
