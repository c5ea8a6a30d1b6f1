"""Helpers shared by test modules (fixtures live in conftest.py): what a browser or an
operator does (fill in a form, log in, run a command), and sample data. Test modules import
from here, never from one another."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pyotp
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from app import create_app
from app.database import db
from app.questions import service
from app.staff import accounts
from app.staff.models import StaffUser

QUESTION = "Is it safe for my father's ALS?\nHe was diagnosed <2 years ago> & walks with help."


PASSWORD = "correct horse battery"

#: Every staff address with its method, but the log-in steps; a test checks none is missing.
STAFF_URLS = [
    ("GET", "/staff/"),
    ("GET", "/staff/queries/ABCD2345"),
    ("POST", "/staff/queries/ABCD2345/answer"),
    ("POST", "/staff/queries/ABCD2345/delete"),
    ("POST", "/staff/queries/ABCD2345/send-copy"),
    ("GET", "/staff/export.csv"),
    ("GET", "/staff/audit"),
]


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


@dataclass
class Account:
    username: str
    secret: str
    recovery_codes: list[str]


@functools.cache
def password_hash() -> str:
    """Hashed once per run, at the test settings' scrypt cost (conftest)."""
    return generate_password_hash(PASSWORD, method="scrypt:16384:8:1")


def make_account(app, username: str = "nurse", two_factor: bool = True) -> Account:
    """An account with two-factor log-in set up, as its first log-in would leave it."""
    with app.app_context():
        user = StaffUser(username=username, password_hash=password_hash())
        db.session.add(user)
        db.session.commit()
        if not two_factor:
            return Account(username, "", [])
        secret = accounts.start_totp_setup(user)
        codes = accounts.confirm_totp_setup(user, pyotp.TOTP(secret).now())
    return Account(username, secret, codes)


def fresh_code(app, account: Account) -> str:
    """The app's current code, with the account's record of used codes cleared first: the site
    refuses a code twice, and tests log in more often than every 30 seconds."""
    with app.app_context():
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.username == account.username)
            .values(totp_last_counter=None)
        )
        db.session.commit()
    return pyotp.TOTP(account.secret).now()


def send_code(client, code: str = "", recovery_code: str = ""):
    hidden = hidden_fields(client.get("/staff/login/code").get_data(as_text=True))
    return client.post(
        "/staff/login/code", data={**hidden, "code": code, "recovery_code": recovery_code}
    )


def log_in_fully(app, client, account: Account, next_url=None):
    response = log_in(client, account.username, next_url=next_url)
    assert response.headers["Location"] == "/staff/login/code"
    return send_code(client, fresh_code(app, account))


#: The paragraph the catalog tests change: the MS article's first, in section what-is-ms.
MS_PARAGRAPH = "Multiple sclerosis (MS) is "


def edit_paragraph(project: Path, old: str, new: str, starts: str = MS_PARAGRAPH) -> str:
    """Replace ``old`` with ``new`` in the MS article's paragraph that starts with ``starts``
    (in a private copy of the project); return the paragraph as it was."""
    article = project / "content" / "ms-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(starts))
    article.write_text(text.replace(line, line.replace(old, new)), encoding="utf-8")
    return line
