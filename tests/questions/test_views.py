"""The ask form through HTTP, CSRF on: what a person sees, and that nothing they typed is lost
whatever goes wrong."""

import html
import logging
import re
import threading
import time

import pytest
from babel.messages.pofile import read_po
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app import create_app
from app.database import db
from app.questions.forms import STAMP_SALT
from app.questions.models import OutboxMessage, Question
from tests.conftest import BOTH_DATABASES, ROOT
from tests.helpers import QUESTION, form_data, hidden_fields, send


def stored(app) -> list[Question]:
    with app.app_context():
        return db.session.scalars(select(Question)).all()


def tag_of(page: str, field_id: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', page)[0]


def assert_kept(page: str, **values: str) -> None:
    """What the person typed is in the form again."""
    text = html.unescape(page)
    for value in values.values():
        assert value in text


def test_the_form_has_labelled_fields_csrf_and_a_privacy_link(client):
    response = client.get("/en/ask")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for field in (
        "name",
        "email",
        "phone",
        "whatsapp",
        "country",
        "answer_language",
        "topic",
        "question",
        "consent",
    ):
        assert f'<label class="label" for="{field}"' in page or f'<label for="{field}"' in page
    assert set(hidden_fields(page)) == {"csrf_token", "shown_at"}
    assert 'href="/en/privacy"' in page
    assert '<option value="IN">India</option>' in page
    assert '<option selected value="en">English</option>' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_every_page_links_to_the_form_and_the_privacy_notice(client):
    page = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/ask"' in page and 'href="/en/privacy"' in page


def test_each_article_section_has_an_ask_link_that_prefills_the_form(client):
    from app.content import load_library
    from tests.conftest import ROOT

    article = load_library(ROOT / "content").get("als-stem-cell-therapy")
    page = client.get("/en/articles/als-stem-cell-therapy").get_data(as_text=True)
    for section in article.sections:
        assert f'href="/en/ask?article=als-stem-cell-therapy&amp;section={section.id}"' in page
    form = client.get("/en/ask?article=als-stem-cell-therapy&section=risks").get_data(as_text=True)
    assert '<option selected value="als-stem-cell-therapy#risks">' in form


@pytest.mark.parametrize(
    "query",
    [
        "article=no-such-article&section=risks",
        "article=als-stem-cell-therapy&section=no-such-section",
        "article=%00%ff&section=<script>",
    ],
)
def test_unknown_article_or_section_in_the_link_is_ignored(client, query):
    response = client.get(f"/en/ask?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page
    if "als-stem-cell-therapy" in query:
        assert '<option selected value="als-stem-cell-therapy">' in page
    else:
        assert '<option selected value="">A general question</option>' in page


@BOTH_DATABASES
def test_a_question_is_stored_and_the_person_gets_a_reference(app, client):
    response = send(
        client,
        phone="+91 98765 43210",
        whatsapp="y",
        topic="ms-stem-cell-therapy#risks",
    )
    assert response.status_code == 303
    ref = re.fullmatch(r"/en/ask/sent/([A-Z0-9]{8})", response.headers["Location"])[1]
    (query,) = stored(app)
    assert (query.ref, query.name, query.email, query.phone, query.whatsapp) == (
        ref,
        "Asha Rao",
        "asha@example.com",
        "+91 98765 43210",
        True,
    )
    assert query.question == QUESTION
    assert (query.article_slug, query.section_id) == ("ms-stem-cell-therapy", "risks")
    assert (query.language, query.answer_language, query.country) == ("en", "hi", "IN")


def test_the_confirmation_shows_the_reference_and_next_steps_only(app, client):
    location = send(client).headers["Location"]
    response = client.get(location)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert location.rsplit("/", 1)[1] in page
    assert "What happens next" in page
    for private in ("Asha", "asha@example.com", "diagnosed"):
        assert private not in page
    assert response.headers["Cache-Control"] == "no-store"
    # A stranger with the address sees the same page, whoever sent it.
    assert app.test_client().get(location).get_data(as_text=True) == page


@pytest.mark.parametrize("ref", ["abcd2345", "ABCD234", "ABCD1234", "ABCD23456"])
def test_the_confirmation_of_an_impossible_reference_is_404(client, ref):
    assert client.get(f"/en/ask/sent/{ref}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Please tell us your name."),
        ({"name": "x" * 121}, "name", "Please shorten your name to 120 characters."),
        ({"email": ""}, "email", "Please give an email address or a phone number"),
        ({"email": "asha@"}, "email", "Please check the email address"),
        ({"email": "", "phone": "call me"}, "phone", "Please check the phone number"),
        ({"email": "", "phone": "12"}, "phone", "Please check the phone number"),
        ({"whatsapp": "y"}, "phone", "Please give the phone number you use on WhatsApp."),
        ({"country": ""}, "country", "Please choose your country."),
        ({"country": "XX"}, "country", "Please choose your country from the list."),
        ({"answer_language": "tlh"}, "answer_language", "Please choose a language from"),
        ({"topic": "als-stem-cell-therapy#nope"}, "topic", "Please choose a topic from"),
        ({"question": "  "}, "question", "Please write your question."),
        ({"question": "x" * 4001}, "question", "Please shorten your question to 4000"),
        ({"consent": None}, "consent", "We can only answer if you agree"),
    ],
)
def test_invalid_input_is_a_400_with_the_error_at_its_field_and_the_text_kept(
    app, client, changes, field, message
):
    response = send(client, **changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message in html.unescape(error[1])
    tag = tag_of(page, field)
    assert f"{field}-error" in re.search(r'aria-describedby="([^"]*)"', tag)[1]
    assert 'aria-invalid="true"' in tag
    assert f'href="#{field}"' in page  # the summary at the top links to the field
    kept = {k: v for k, v in form_data(**changes).items() if k in ("name", "question")}
    if field in kept:
        kept.pop(field)
    assert_kept(page, **kept)
    assert stored(app) == []


@pytest.mark.parametrize("lang", ["fr", "ar", "hi"])
def test_validation_messages_are_in_the_readers_language(client, lang):
    """Through the shipped catalogs: the label and the message are the translator's words."""
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    label = catalog["Your question"].string
    message = catalog["Please write your question."].string
    assert label and message
    response = send(client, lang=lang, question="", name="Amélie")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f'<html lang="{lang}"' in page
    assert f'<label class="label" for="question">{label}</label>' in page
    assert '<p class="error" id="question-error">' in page
    assert message in page
    assert 'aria-describedby="question-hint question-error"' in tag_of(page, "question")
    assert 'value="Amélie"' in page


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_csrf_failure_shows_the_form_again_with_the_text_kept(app, client, token):
    hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
    if token is None:
        del hidden["csrf_token"]
    else:
        hidden["csrf_token"] = token
    response = send(client, hidden=hidden)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form had expired, so your question was not sent yet." in page
    assert_kept(page, name="Asha Rao", question=QUESTION)
    assert hidden_fields(page)["csrf_token"] not in ("", "forged")
    assert stored(app) == []


def test_a_form_from_another_session_is_refused(app, client):
    hidden = hidden_fields(app.test_client().get("/en/ask").get_data(as_text=True))
    assert send(client, hidden=hidden).status_code == 400
    assert stored(app) == []


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(app, client):
    response = send(client, website="http://spam.example")
    assert response.status_code == 303
    assert re.fullmatch(r"/en/ask/sent/[A-Z0-9]{8}", response.headers["Location"])
    assert stored(app) == []


def test_the_honeypot_is_hidden_from_people(client):
    page = client.get("/en/ask").get_data(as_text=True)
    trap = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', page, re.S)[1]
    assert 'id="website"' in trap and 'tabindex="-1"' in trap


def test_a_form_sent_faster_than_a_person_can_type_is_dropped(make_app):
    app = make_app(ASK_MIN_FILL_SECONDS=3600)
    response = send(app.test_client())
    assert response.status_code == 303
    assert stored(app) == []


def test_a_form_without_its_stamp_is_shown_again_not_dropped(app, client):
    hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
    hidden["shown_at"] = "tampered"
    response = send(client, hidden=hidden)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_kept(page, question=QUESTION)
    assert hidden_fields(page)["shown_at"] != "tampered"
    assert send(client, hidden=hidden_fields(page)).status_code == 303


def test_a_stamp_older_than_a_day_is_an_expired_form_with_the_text_kept(app, client):
    class DaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 24 * 3600

    hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=STAMP_SALT, signer=DaysAgo)
    hidden["shown_at"] = signer.dumps(1)
    response = send(client, hidden=hidden)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form had expired, so your question was not sent yet." in page
    assert_kept(page, name="Asha Rao", question=QUESTION)
    assert stored(app) == []
    assert send(client, hidden=hidden_fields(page)).status_code == 303


def test_correcting_a_field_keeps_the_first_stamp_so_it_is_not_taken_for_a_bot(client):
    hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
    page = send(client, hidden=hidden, name="").get_data(as_text=True)
    assert hidden_fields(page)["shown_at"] == hidden["shown_at"]


def test_over_the_rate_limit_is_a_429_page_that_keeps_the_question(make_app):
    app = make_app(RATELIMIT_ENABLED=True, ASK_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [send(client).status_code for _ in range(2)] == [303, 303]
    response = send(client, name="Third Person")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "many requests in a short time" in page
    assert_kept(page, name="Third Person", question=QUESTION)
    assert len(stored(app)) == 2
    assert client.get("/en/ask").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    assert send(other).status_code == 303


def test_a_database_that_is_down_gives_a_503_with_the_text_kept(app_config):
    app_config["DATABASE_URL"] = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    client = create_app(app_config).test_client()
    assert client.get("/en/ask").status_code == 200
    response = send(client)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Your question was not sent" in page
    assert_kept(page, name="Asha Rao", email="asha@example.com", question=QUESTION)


@BOTH_DATABASES
def test_simultaneous_submissions_are_each_stored_exactly_once(app):
    count = 50
    start = threading.Barrier(count)
    results: list = [None] * count

    def person(i: int) -> None:
        try:
            client = app.test_client()
            hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
            start.wait(timeout=60)
            results[i] = send(client, hidden=hidden, question=f"Question number {i}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=person, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [getattr(r, "status_code", r) for r in results] == [303] * count
    refs = {r.headers["Location"].rsplit("/", 1)[1] for r in results}
    assert len(refs) == count
    with app.app_context():
        rows = db.session.execute(select(Question.ref, Question.question)).all()
    assert len(rows) == count
    assert {ref for ref, _ in rows} == refs
    assert sorted(q for _, q in rows) == sorted(f"Question number {i}" for i in range(count))


def test_a_new_query_is_announced_to_staff_right_away(make_app, mail_server):
    mail_server.start()
    app = make_app(
        STAFF_NOTIFY_EMAIL="staff@clinic.example",
        SMTP_HOST=mail_server.host,
        SMTP_PORT=mail_server.port,
    )
    response = send(app.test_client())
    response.close()  # the email goes once the response is finished
    ref = response.headers["Location"].rsplit("/", 1)[1]
    (email,) = mail_server.messages
    assert ref in email["Subject"]
    assert "father" not in email.as_string()


def test_a_mail_server_that_is_down_does_not_stop_the_query(make_app, mail_server):
    app = make_app(
        STAFF_NOTIFY_EMAIL="staff@clinic.example",
        SMTP_HOST=mail_server.host,
        SMTP_PORT=mail_server.port,
    )
    response = send(app.test_client())
    response.close()
    assert response.status_code == 303
    assert len(stored(app)) == 1
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("pending", 1)


def test_logs_name_the_reference_but_no_personal_data(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    ref = send(client, phone="+91 98765 43210").headers["Location"].rsplit("/", 1)[1]
    send(client, name="")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert ref in logged
    for private in ("Asha", "asha@example.com", "98765", "father", "diagnosed"):
        assert private not in logged
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 1


def test_the_privacy_notice_says_how_long_and_how_to_ask_for_deletion(make_app):
    page = make_app(QUERY_RETENTION_DAYS=90).test_client().get("/en/privacy")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "90 days after you send it" in text
    assert "giving your reference number and asking us to delete" in text
    page = make_app(PRIVACY_CONTACT="privacy@clinic.example").test_client().get("/en/privacy")
    assert "Write to privacy@clinic.example" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+৮৮০ ১৭১১ ২২৩৩৪৪", "+880 1711 223344"),
        ("+९१ ९८७६५ ४३२१०", "+91 98765 43210"),
        ("\u200e+٩٦٨ ٩١٢٣ ٤٥٦٧", "+968 9123 4567"),
    ],
)
def test_phone_numbers_typed_with_native_digits_are_accepted(app, client, typed, kept):
    response = send(client, phone=typed)
    assert response.status_code == 303
    assert [q.phone for q in stored(app)] == [kept]


@BOTH_DATABASES
def test_control_characters_and_nul_bytes_are_dropped_not_stored_or_crashing(app, client):
    response = send(client, name="Asha\x00 Rao\x07", question=QUESTION + "\x00\x1b[31m")
    assert response.status_code == 303
    [query] = stored(app)
    assert query.name == "Asha Rao"
    assert "\x00" not in query.question and "\x1b" not in query.question


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_oversized_body_is_a_413_page_in_the_readers_language(client, lang):
    response = client.post(f"/{lang}/ask", data={"question": "x" * 200_000})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in page
    assert "Traceback" not in page


def test_malformed_utf8_in_the_form_is_a_clear_400_not_an_error(client):
    hidden = hidden_fields(client.get("/en/ask").get_data(as_text=True))
    body = "&".join(f"{k}={v}" for k, v in hidden.items()) + "&name=%FF%FE%FD&question=%C0%AF"
    response = client.post("/en/ask", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
