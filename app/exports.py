"""Queries written out for people and for backups: CSV for staff spreadsheets, JSON lines for
``flask queries export``. Both stream row by row, so an export never has to fit in memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from app.storage.models import Query

COLUMNS = (
    "ref",
    "created_at",
    "status",
    "language",
    "answer_language",
    "name",
    "email",
    "phone",
    "whatsapp",
    "country",
    "article_slug",
    "section_id",
    "question",
    "consent_at",
    "answered_at",
    "answered_by",
    "answer_note",
)
#: A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def record(query: Query) -> dict[str, Any]:
    return {name: getattr(query, name) for name in COLUMNS}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def safe_cell(value: Any) -> str:
    """The value as text, with a leading quote when a spreadsheet would run it as a formula."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(queries: Iterable[Query]) -> Iterator[str]:
    """A UTF-8 byte-order mark (so Excel reads Hindi or Arabic names right), a header, then one
    properly quoted line per query."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for query in queries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in record(query).values()])
        yield buffer.getvalue()


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_lines(queries: Iterable[Query]) -> Iterator[str]:
    """One JSON object per line and query, every column, times in ISO 8601 with the offset."""
    for query in queries:
        yield json.dumps(record(query), ensure_ascii=False, default=_json_default) + "\n"
