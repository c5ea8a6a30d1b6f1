"""The "Ask your query" form, its confirmation page and the privacy notice.

Whatever goes wrong, the person keeps what they typed: invalid input, an expired form, too many
requests and a database that is down all show the form again, filled in, with the reason. The
query is committed before anything else happens (the staff email comes after, from the outbox).
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask import url_for as flask_url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from app.content.site import store
from app.database import db
from app.errors import render_error
from app.i18n.languages import current_language, languages
from app.questions import choices, outbox, records, service
from app.questions.forms import QUESTION_MAX, AskForm, topic_choices, topic_value
from app.web.caching import cached_page
from app.web.security import csrf

bp = Blueprint("ask", __name__, url_prefix="/<lang:lang>")
log = logging.getLogger(__name__)


def build_form() -> AskForm:
    """The form with its option lists in the reader's language, filled from the request."""
    lang = current_language()
    site = tuple(language.code for language in languages())
    form = AskForm()
    form.set_choices(
        choices.countries(lang),
        choices.answer_languages(site, lang),
        topic_choices(store().all_localized(lang)),
    )
    return form


def page(form: AskForm, status: int = 200, problem: str | None = None) -> Response:
    body = render_template("ask/form.html", form=form, problem=problem, question_max=QUESTION_MAX)
    response = Response(body, status=status)
    # What the person typed, shown back to them: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/ask", methods=["GET", "POST"])
@csrf.exempt  # The form checks its own token, to show itself again on failure, text kept.
def form():
    form = build_form()
    if request.method == "GET":
        form.topic.data = topic_value(
            store().library, request.args.get("article"), request.args.get("section")
        )
        form.answer_language.data = current_language()
        form.stamp()
        return page(form)

    elapsed = form.seconds_since_shown()
    if elapsed is not None and elapsed > current_app.config["ASK_FORM_MAX_AGE"]:
        # A stamp kept for days (a script saving itself the wait) counts as an expired form.
        elapsed = None
    if form.website.data or (
        elapsed is not None and elapsed < current_app.config["ASK_MIN_FILL_SECONDS"]
    ):
        # A bot: nothing is stored, and it is shown what a person would see.
        log.info("ask: submission dropped as automated")
        return redirect(flask_url_for(".sent", ref=records.new_ref()), code=303)
    valid = form.validate()
    # The stamp stays as it was, so fixing a field and sending again quickly is not a "bot".
    if elapsed is None:
        form.stamp()
    if form.csrf_failed or elapsed is None:
        return page(
            form,
            400,
            _(
                "This form had expired, so your question was not sent yet. Everything you "
                "typed is still below: please check it and send it again."
            ),
        )
    if not valid:
        return page(form, 400)

    try:
        submitted = service.submit(form.new_question(current_language()))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("ask: question not stored, database unavailable (%s)", type(exc).__name__)
        return page(
            form,
            503,
            _(
                "Your question was not sent: our system is briefly unavailable. Everything "
                "you typed is still below. Please try again in a few minutes."
            ),
        )
    log.info("ask: question %s stored", submitted.ref)
    response = redirect(flask_url_for(".sent", ref=submitted.ref), code=303)
    # Sent once the patient has their answer page, so a slow mail server never delays it.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response.call_on_close(partial(outbox.send_soon, app, submitted.notifications))
    return response


@bp.errorhandler(429)
def too_many(exc: Exception):
    """Over the limit: say so in the reader's language, and keep a posted question."""
    if request.endpoint == "ask.form" and request.method == "POST":
        problem = _(
            "You have sent many requests in a short time, so your question was not sent yet. "
            "Everything you typed is still below: please wait a few minutes, then send it again."
        )
        return page(build_form(), 429, problem)
    return render_error(429)


@bp.get("/ask/sent/<ref>")
def sent(ref: str):
    """Only the reference and what happens next: anyone with this address learns nothing more,
    and the page looks the same for a reference that does not exist."""
    if not records.REF_RE.fullmatch(ref):
        abort(404)
    response = Response(render_template("ask/sent.html", ref=ref))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/privacy")
@cached_page()
def privacy():
    return render_template(
        "ask/privacy.html",
        retention_days=current_app.config["QUERY_RETENTION_DAYS"],
        contact=current_app.config.get("PRIVACY_CONTACT"),
    )
