"""The patient's "Ask your query" form, validated on the server.

Labels and messages are ``lazy_gettext``, so they are translated when shown, in the reader's
language. The ask form also carries the two bot traps: a honeypot field people never see, and
a signed timestamp from when the form was shown.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.content.catalog import LocalizedArticle
from app.content.loader import Library
from app.content.render import plain_text
from app.questions.service import NewQuestion
from app.web.fields import ascii_digits, clean_text, empty_to_none, strip

QUESTION_MAX = 4000
PHONE_DIGITS = re.compile(r"\d")
PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+")
STAMP_SALT = "ask-form-shown-at"


def phone_number(form: FlaskForm, field: StringField) -> None:
    if not field.data:
        return
    digits = len(PHONE_DIGITS.findall(field.data))
    if not PHONE_CHARS.fullmatch(field.data) or not 6 <= digits <= 17:
        raise ValidationError(
            _l(
                "Please check the phone number: use digits and the country code, "
                "for example +91 98765 43210."
            )
        )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=STAMP_SALT)


class AskForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please tell us your name.")),
            Length(max=120, message=_l("Please shorten your name to %(max)d characters.")),
        ],
    )
    email = EmailField(
        _l("Email address"),
        filters=[strip, empty_to_none],
        validators=[
            Optional(),
            Length(max=254, message=_l("This email address is too long.")),
            Email(_l("Please check the email address: it should look like name@example.com.")),
        ],
    )
    phone = TelField(
        _l("Phone number, with country code"),
        filters=[ascii_digits, strip, empty_to_none],
        validators=[
            Optional(),
            Length(max=32, message=_l("This phone number is too long.")),
            phone_number,
        ],
    )
    whatsapp = BooleanField(_l("I use WhatsApp on this number"))
    country = SelectField(_l("Country you live in"), validate_choice=False)
    answer_language = SelectField(_l("Language for our answer"), validate_choice=False)
    topic = SelectField(_l("What is your question about?"), validate_choice=False)
    question = TextAreaField(
        _l("Your question"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please write your question.")),
            Length(
                max=QUESTION_MAX,
                message=_l(
                    "Please shorten your question to %(max)d characters. "
                    "You can send a second question for the rest."
                ),
            ),
        ],
    )
    consent = BooleanField(
        _l(
            "I agree that the clinic stores my question, including what it says about my "
            "health, to answer it."
        ),
        validators=[
            InputRequired(_l("We can only answer if you agree that we store your question."))
        ],
    )
    #: The honeypot: hidden from people (and from screen readers), filled in by bots.
    website = StringField(_l("Leave this field empty"))
    #: When the form was shown, signed: a post quicker than a person can type is a bot.
    shown_at = HiddenField()

    def set_choices(
        self,
        countries: tuple[tuple[str, str], ...],
        answer_languages: list[tuple[str, str]],
        topics: list[SelectChoice],
    ) -> None:
        self.country.choices = [("", _l("Choose your country")), *countries]
        self.answer_language.choices = answer_languages
        self.topic.choices = topics

    def stamp(self) -> None:
        self.shown_at.data = _serializer().dumps(1)

    def seconds_since_shown(self) -> float | None:
        """None when the stamp is missing or not ours (e.g. the secret key changed)."""
        try:
            _, shown = _serializer().loads(self.shown_at.data or "", return_timestamp=True)
        except BadData:
            return None
        return time.time() - shown.timestamp()

    def validate_country(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Please choose your country."))
        if field.data not in {value for value, _ in field.choices[1:]}:
            raise ValidationError(_l("Please choose your country from the list."))

    def validate_answer_language(self, field: SelectField) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Please choose a language from the list."))

    def validate_topic(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Please choose a topic from the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the rules across fields: at least one way to reply."""
        valid = super().validate(extra_validators)
        if not self.email.data and not self.phone.data and not self.email.errors:
            self.email.errors.append(
                _l("Please give an email address or a phone number, so that we can reply.")
            )
            valid = False
        if self.whatsapp.data and not self.phone.data and not self.phone.errors:
            self.phone.errors.append(_l("Please give the phone number you use on WhatsApp."))
            valid = False
        return valid

    @property
    def csrf_failed(self) -> bool:
        return bool(self.meta.csrf and self.csrf_token.errors)

    def topic_parts(self) -> tuple[str | None, str | None]:
        """``(article slug, section id)`` of the chosen topic."""
        if not self.topic.data:
            return None, None
        slug, _, section = self.topic.data.partition("#")
        return slug, section or None

    def new_question(self, language: str) -> NewQuestion:
        """The validated answers, as ``service.submit`` takes them; ``language`` is the page's."""
        slug, section = self.topic_parts()
        return NewQuestion(
            language=language,
            name=self.name.data,
            email=self.email.data,
            phone=self.phone.data,
            whatsapp=bool(self.whatsapp.data and self.phone.data),
            country=self.country.data,
            answer_language=self.answer_language.data,
            question=self.question.data,
            article_slug=slug,
            section_id=section,
        )


def topic_value(library: Library, article: str | None, section: str | None) -> str:
    """The topic an "Ask about this section" link points at, or "" when the link names an
    article or section we do not have (an old or mistyped link is not an error)."""
    found = library.get(article or "")
    if found is None:
        return ""
    if section and found.section(section) is not None:
        return f"{found.slug}#{section}"
    return found.slug


def topic_choices(articles: list[LocalizedArticle]) -> list[SelectChoice]:
    """A general question, or an article (whole, or one section), grouped by article title."""
    choices = [SelectChoice("", _l("A general question"))]
    for article in articles:
        slug, title = article.article.slug, article.title.value
        choices.append(SelectChoice(slug, _l("The whole article"), optgroup=title))
        for section in article.sections:
            label = plain_text(section.heading.value)
            choices.append(SelectChoice(f"{slug}#{section.id}", label, optgroup=title))
    return choices
