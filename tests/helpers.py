"""Helpers shared by test modules (fixtures live in conftest.py): what a browser or an
operator does (fill in a form, log in, run a command), and sample data. Test modules import
from here, never from one another."""

from __future__ import annotations

import html
import re
from pathlib import Path

from app import create_app
from app.questions import service

QUESTION = "Is it safe for my father's ALS?\nHe was diagnosed <2 years ago> & walks with help."


PASSWORD = "correct horse battery"


HEADERS_REQUIRED = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
)


GOOD = """---
slug: sample
title: A sample article
summary: What the sample says.
published: 2026-01-01
reviewed: 2026-02-01
next_review: 2027-02-01
reviewed_by:
  name: Editors
  role: Checked the sources
sources:
  - id: one
    title: First source
    publisher: A journal
    url: https://doi.org/10.1000/sample
related: []
---

## Start here {#start}

A paragraph with a citation [@one].

- First item
- Second item

> A note.

## Second part {#second}

### A sub-heading

1. Step one
2. Step two
"""


def hidden_fields(page: str) -> dict[str, str]:
    """The CSRF token and fill-time stamp of a form page, as a browser would send them back."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            found[name[1]] = html.unescape(value[1]) if value else ""
    return found


def form_data(**changes) -> dict[str, str]:
    data = {
        "name": "Asha Rao",
        "email": "asha@example.com",
        "phone": "",
        "country": "IN",
        "answer_language": "hi",
        "topic": "",
        "question": QUESTION,
        "consent": "y",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def send(client, lang: str = "en", hidden: dict | None = None, **changes):
    if hidden is None:
        hidden = hidden_fields(client.get(f"/{lang}/ask").get_data(as_text=True))
    return client.post(f"/{lang}/ask", data={**hidden, **form_data(**changes)})


def log_in(client, username="nurse", password=PASSWORD, next_url=None):
    """The log-in's first step, the password."""
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**hidden, "username": username, "password": password})


def new_query(**changes) -> service.NewQuestion:
    values = dict(
        language="en",
        name="Asha Rao",
        email="asha@example.com",
        phone=None,
        whatsapp=False,
        country="IN",
        answer_language="hi",
        question="Is the procedure painful?",
    )
    values.update(changes)
    return service.NewQuestion(**values)


def invoke(config: dict, *args: str):
    return create_app(config).test_cli_runner().invoke(args=["translate", *args])


def write(tmp_path: Path, text: str, name: str = "sample.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
