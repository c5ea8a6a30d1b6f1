"""The staff area's forms: log-in in two steps, setting up two-factor log-in, and working on
questions (note, deletion, copy of data, the list's filters)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from app.web.fields import ascii_digits, clean_text, no_spaces, strip

NOTE_MAX = 4000


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[InputRequired(_l("Please enter your username.")), Length(max=80)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please enter your password.")), Length(max=200)],
    )


TOTP_CODE = Regexp(
    r"^[0-9]{6}$", message=_l("Please enter the 6 digits your authenticator app shows.")
)


class CodeForm(FlaskForm):
    """The log-in's second step: a code from the app, or one of the recovery codes (a
    separate field, since the first brings up a digits-only keyboard on phones)."""

    code = StringField(
        _l("Code from your authenticator app"),
        filters=[ascii_digits, no_spaces],
        validators=[Optional(), TOTP_CODE],
    )
    recovery_code = StringField(
        _l("Or one of your recovery codes"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.code.data and not self.recovery_code.data:
            self.code.errors.append(_l("Please enter the code from your authenticator app."))
            valid = False
        return valid


class SetupForm(FlaskForm):
    """Turning two-factor log-in on: the first code the app shows proves it has the secret."""

    code = StringField(
        _l("Code from your authenticator app"),
        filters=[ascii_digits, no_spaces],
        validators=[
            InputRequired(_l("Please enter the code from your authenticator app.")),
            TOTP_CODE,
        ],
    )


class AnswerForm(FlaskForm):
    note = TextAreaField(
        _l("Note for colleagues (how and when it was answered)"),
        filters=[clean_text],
        validators=[
            Length(max=NOTE_MAX, message=_l("Please shorten the note to %(max)d characters."))
        ],
    )


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete this query for good"),
        validators=[InputRequired(_l("Tick the box to confirm the deletion."))],
    )


class CopyForm(FlaskForm):
    """Send the patient a copy of their data: only a CSRF token, and deliberately no address
    field, so the copy can only go to the contact stored with the question."""


class FilterForm(FlaskForm):
    """The staff list's filters: a GET form that only reads, so without a CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validate_choice=False)
    language = SelectField(_l("Answer language"), validate_choice=False)
    since = DateField(
        _l("Sent on or after"),
        validators=[Optional()],
        render_kw={"type": "date"},
    )
    until = DateField(
        _l("Sent on or before"),
        validators=[Optional()],
        render_kw={"type": "date"},
    )
    ref = StringField(_l("Reference"), filters=[strip], validators=[Length(max=20)])

    def validate_status(self, field: SelectField) -> None:
        if (field.data or "") not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Please choose a status from the list."))

    def validate_language(self, field: SelectField) -> None:
        if (field.data or "") not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Please choose a language from the list."))

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("This date is before the first date."))
