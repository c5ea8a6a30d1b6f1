"""CSV cells that no spreadsheet runs as formulas, and JSON lines for backups."""

import datetime as dt
import json

import pytest

from app.questions import exports
from app.questions.models import Question


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+91 98765", "'+91 98765"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Asha = Rao", "Asha = Rao"),
        (None, ""),
        (True, "yes"),
        (dt.datetime(2025, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC), "2025-01-02T03:04:05+00:00"),
    ],
)
def test_safe_cell(value, cell):
    assert exports.safe_cell(value) == cell


def test_json_lines_hold_every_column():
    query = Question(
        ref="ABCD2345",
        name="أحمد",
        question="?",
        whatsapp=False,
        created_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
    )
    (line,) = exports.json_lines([query])
    record = json.loads(line)
    assert set(record) == set(exports.COLUMNS)
    assert record["name"] == "أحمد"
    assert record["created_at"] == "2025-01-02T00:00:00+00:00"
    assert line.endswith("\n") and "أحمد" in line
