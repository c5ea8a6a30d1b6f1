"""Filters for form fields, shared by every form: what people type, cleaned the same way
everywhere (trimmed, control characters dropped, digits of any script made 0-9)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value: Any) -> Any:
    """Trimmed, and without control characters (a NUL cannot even be stored in PostgreSQL)."""
    return CONTROL.sub("", value).strip() if isinstance(value, str) else value


def empty_to_none(value: Any) -> Any:
    return value or None


def clean_text(value: Any) -> Any:
    """Trim, keep one kind of line break whatever the browser sent, drop control characters."""
    return CONTROL.sub("", value.replace("\r\n", "\n")).strip() if isinstance(value, str) else value


def ascii_digits(value: Any) -> Any:
    """A phone number typed with Bengali, Devanagari or Arabic digits, or pasted from
    right-to-left text with invisible direction marks, kept as the digits 0-9."""
    if not isinstance(value, str):
        return value
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else c
        for c in value
        if unicodedata.category(c) != "Cf"
    )


def no_spaces(value: Any) -> Any:
    """A code as people copy it, with spaces or a dash in the middle."""
    return re.sub(r"[\s-]", "", value) if isinstance(value, str) else value
