"""Queries written out for people and for backups: CSV for staff spreadsheets, JSON lines for
``flask queries export``. Both stream row by row, so an export never has to fit in memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from app.questions.models import Question

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


def record(query: Question) -> dict[str, Any]:
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


def csv_chunks(queries: Iterable[Question]) -> Iterator[str]:
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


def json_lines(queries: Iterable[Question]) -> Iterator[str]:
    """One JSON object per line and query, every column, times in ISO 8601 with the offset."""
    for query in queries:
        yield json.dumps(record(query), ensure_ascii=False, default=_json_default) + "\n"


class BackupError(ValueError):
    """A backup line that cannot be restored; ``line`` is its 1-based number in the file."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line


#: Columns that hold text, with their longest length (None: any length), and whether they may
#: be empty (null).
_TEXT = {
    "ref": (8, False),
    "status": (16, False),
    "language": (16, False),
    "answer_language": (16, False),
    "name": (120, False),
    "email": (254, True),
    "phone": (32, True),
    "country": (2, False),
    "article_slug": (120, True),
    "section_id": (120, True),
    "question": (None, False),
    "answered_by": (80, True),
    "answer_note": (None, True),
}
_TIMES = {"created_at": False, "consent_at": False, "answered_at": True}


def _parse_time(value: Any, nullable: bool, name: str) -> dt.datetime | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a date and time")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name}: the time has no UTC offset")
    return parsed.astimezone(dt.UTC)


def _parse_record(data: Any, statuses: Iterable[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("expected one JSON object")
    if set(data) != set(COLUMNS):
        missing = sorted(set(COLUMNS) - set(data))
        extra = sorted(set(data) - set(COLUMNS))
        raise ValueError(f"columns differ from an export (missing {missing}, unknown {extra})")
    row: dict[str, Any] = {}
    for name, (longest, nullable) in _TEXT.items():
        value = data[name]
        if value is None and nullable:
            row[name] = None
            continue
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name}: expected text")
        if longest is not None and len(value) > longest:
            raise ValueError(f"{name}: longer than {longest} characters")
        row[name] = value
    for name, nullable in _TIMES.items():
        row[name] = _parse_time(data[name], nullable, name)
    if not isinstance(data["whatsapp"], bool):
        raise ValueError("whatsapp: expected true or false")
    row["whatsapp"] = data["whatsapp"]
    if row["status"] not in statuses:
        raise ValueError(f"status: {row['status']!r} is not one of {', '.join(statuses)}")
    if row["email"] is None and row["phone"] is None:
        raise ValueError("no email and no phone: a question needs one of them")
    return row


def read_json_lines(lines: Iterable[str], statuses: Iterable[str]) -> list[dict[str, Any]]:
    """Every record of a ``flask queries export`` file, checked, in file order.

    Raises ``BackupError`` naming the first bad line; blank lines are allowed. The references
    must be unique within the file.
    """
    statuses = tuple(statuses)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = _parse_record(json.loads(line), statuses)
        except (json.JSONDecodeError, ValueError) as exc:
            raise BackupError(number, str(exc)) from None
        if row["ref"] in seen:
            raise BackupError(number, f"reference {row['ref']} appears twice in the file")
        seen.add(row["ref"])
        rows.append(row)
    return rows
