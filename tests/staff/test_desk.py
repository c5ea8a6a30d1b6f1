"""Roles and the translation desk: a translator sees the desk of their languages and nothing
of patients' questions; staff who answer questions see no desk; the desk shows what changed in
the English, the current translation, the glossary and the page, with the status's counts."""

import pytest
from sqlalchemy import select

from app.database import db
from app.i18n import workflow
from app.questions import service
from app.questions.models import Question
from app.staff.models import AuditEntry
from tests.helpers import (
    STAFF_URLS,
    edit_paragraph,
    hidden_fields,
    invoke,
    log_in_fully,
    make_account,
    new_query,
)

DESK = "/staff/translations/"


def roles(app, username: str, *args: str):
    result = app.test_cli_runner().invoke(args=["staff", "roles", username, *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def translator(app, client):
    """A client logged in as a translator for Hindi only."""
    account = make_account(app, "translator")
    roles(app, "translator", "--role", "translations", "--language", "hi")
    assert log_in_fully(app, client, account).status_code == 302
    return client


def test_a_translator_reaches_no_question_export_or_audit_page(app, translator):
    with app.test_request_context("/en/ask"):
        ref = service.submit(new_query()).ref
    # A valid token of this session (the ask form has one), so only the role check can refuse.
    token = hidden_fields(translator.get("/en/ask").get_data(as_text=True))["csrf_token"]
    for method, path in STAFF_URLS:
        path = path.replace("ABCD2345", ref)
        response = translator.open(path, method=method, data={"csrf_token": token, "confirm": "y"})
        body = response.get_data(as_text=True)
        if path == "/staff/":
            assert (response.status_code, response.headers["Location"]) == (302, DESK)
        else:
            assert response.status_code == 403, (method, path)
        assert "Asha" not in body and ref not in body
    with app.app_context():
        stored = db.session.scalar(select(Question))
        assert (stored.status, stored.answered_by) == ("new", None)
        assert [e.action for e in db.session.scalars(select(AuditEntry))] == [
            "roles-changed",
            "logged-in",
        ]


def test_a_translator_sees_the_desk_of_their_languages_only(translator):
    page = translator.get(DESK).get_data(as_text=True)
    assert '/staff/translations/hi"' in page and "/staff/translations/ar" not in page
    assert "All queries" not in page  # no link to the questions
    assert translator.get(DESK + "hi").status_code == 200
    assert translator.get(DESK + "ar").status_code == 404


def test_staff_who_answer_questions_see_no_desk(app, client):
    make_account(app, "nurse")
    assert log_in_fully(app, client, make_account(app, "nurse2")).status_code == 302
    assert client.get(DESK).status_code == 403
    assert client.get(DESK + "hi").status_code == 403
    assert "Translation desk" not in client.get("/staff/").get_data(as_text=True)


@pytest.mark.slow
def test_the_desk_shows_the_change_the_translation_the_glossary_and_the_page(
    project_config, project, make_app
):
    edit_paragraph(project, "a long-term disease", "a lifelong disease")
    assert invoke(project_config, "extract").exit_code == 0
    assert invoke(project_config, "update").exit_code == 0
    app = make_app()
    client = app.test_client()
    account = make_account(app, "traductrice")
    roles(app, "traductrice", "--role", "translations", "--language", "fr")
    assert log_in_fully(app, client, account).status_code == 302

    page = client.get(DESK + "fr").get_data(as_text=True)
    assert '<del><span class="visually-hidden">removed: </span>long-term</del>' in page
    assert '<ins><span class="visually-hidden">added: </span>lifelong</ins>' in page
    assert "La sclérose en plaques (SEP" in page  # the outdated translation, still shown
    assert '<dt lang="en" dir="ltr">MS (multiple sclerosis)</dt>' in page
    assert 'href="/en/articles/ms-stem-cell-therapy#what-is-ms"' in page
    assert 'href="/fr/articles/ms-stem-cell-therapy#what-is-ms"' in page
    status = workflow.status(workflow.settings(app.config), ["fr"])[0].overall
    assert f"{status.fuzzy + status.untranslated} entry waiting" in page


def test_roles_are_checked_and_changing_them_ends_the_sessions(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "roles", "nurse", "--role", "translations"])
    assert result.exit_code != 0
    account = make_account(app, "nurse")
    refused = runner.invoke(args=["staff", "roles", "nurse", "--role", "translations"])
    assert refused.exit_code != 0 and "--language" in refused.output
    unknown = runner.invoke(
        args=["staff", "roles", "nurse", "--role", "translations", "--language", "xx"]
    )
    assert unknown.exit_code != 0 and "not a language of this site" in unknown.output
    assert log_in_fully(app, client, account).status_code == 302
    assert client.get("/staff/").status_code == 200
    roles(app, "nurse", "--role", "questions", "--role", "translations", "--language", "bn")
    assert client.get("/staff/").status_code == 302  # logged out by the change
    listing = runner.invoke(args=["staff", "list"]).output
    assert "nurse\tquestions,translations\tbn\t2fa" in listing
