"""The staff pages: log in, list and filter queries, read one, mark it answered, delete it on the
patient's request, and export CSV. Every page but the log-in page needs a logged-in account,
checked once for the whole blueprint so no page can forget it."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import choices, exports
from app.auth import authenticate, login_manager
from app.forms import ActionForm, AnswerForm, DeleteForm, FilterForm, LoginForm
from app.i18n import current_language, languages
from app.storage import queries
from app.storage.db import db
from app.storage.models import NEW, STATUSES, Query, utcnow
from app.views.content import store

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger(__name__)
PER_PAGE = 25


@bp.before_request
def require_login():
    if request.endpoint != "staff.login" and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def private(response: Response) -> Response:
    """Health data: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def staff_context() -> dict:
    return {"logout_form": ActionForm(), "status_label": status_label}


def status_label(status: str) -> str:
    return _("New") if status == NEW else _("Answered")


def safe_next(target: str | None) -> str | None:
    """Where to go after logging in: only a staff page of this site, never another site."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/"):
        return None
    if parts.path.startswith("//") or parts.path in ("/staff/login", "/staff/logout"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for(".index"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            user = authenticate(form.username.data, form.password.data)
            if user is not None:
                # A new session for the logged-in person: nothing from before it is kept
                # (session fixation), and it ends after a while without use.
                session.clear()
                login_user(user)
                session.permanent = True
                user.last_login_at = utcnow()
                db.session.commit()
                log.info("staff: user %s logged in", user.id)
                return redirect(next_url or url_for(".index"))
            form.password.errors = [_("Wrong username or password.")]
            log.info("staff: failed log-in")
    return render_template("staff/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Ends this session and every other one of the account, by replacing its session token."""
    if not ActionForm().validate():
        abort(400)
    current_user.new_session_token()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for(".login"))


def filter_form() -> FilterForm:
    lang = current_language()
    site = tuple(language.code for language in languages())
    form = FilterForm(request.args)
    form.status.choices = [("", _("Any")), *((s, status_label(s)) for s in STATUSES)]
    form.language.choices = [("", _("Any")), *choices.answer_languages(site, lang)]
    return form


def filters_of(form: FilterForm) -> queries.Filters:
    return queries.Filters(
        status=form.status.data or None,
        answer_language=form.language.data or None,
        since=form.since.data,
        until=form.until.data,
        ref=form.ref.data or None,
    )


@bp.get("/")
def index():
    form = filter_form()
    valid = form.validate()
    filters = filters_of(form) if valid else queries.Filters()
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(queries.search(filters), page=page, per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "staff/list.html", form=form, pagination=pagination, args=args, lang_name=lang_name
    ), (200 if valid else 400)


def lang_name(code: str) -> str:
    return choices.language_name(code, current_language())


def query_or_404(ref: str) -> Query:
    found = queries.by_ref(queries.normalise_ref(ref) or "")
    if found is None:
        abort(404)
    return found


@bp.get("/queries/<ref>")
def detail(ref: str):
    query = query_or_404(ref)
    return render_detail(query, AnswerForm(note=query.answer_note), DeleteForm())


def render_detail(
    query: Query, answer_form: AnswerForm, delete_form: DeleteForm, status: int = 200
):
    article = section = None
    if query.article_slug:
        localized = store().localized(query.article_slug, current_language())
        if localized is not None:
            article = localized
            section = next((s for s in localized.sections if s.id == query.section_id), None)
    countries = dict(choices.countries(current_language()))
    return render_template(
        "staff/detail.html",
        query=query,
        answer_form=answer_form,
        delete_form=delete_form,
        article=article,
        section=section,
        country=countries.get(query.country, query.country),
        lang_name=lang_name,
    ), status


@bp.post("/queries/<ref>/answer")
def answer(ref: str):
    query = query_or_404(ref)
    form = AnswerForm()
    if not form.validate():
        return render_detail(query, form, DeleteForm(), 400)
    queries.mark_answered(query, current_user.username, form.note.data or None)
    log.info("staff: query %s marked answered by user %s", query.ref, current_user.id)
    flash(_("Marked as answered."), "info")
    return redirect(url_for(".detail", ref=query.ref), code=303)


@bp.post("/queries/<ref>/delete")
def delete(ref: str):
    query = query_or_404(ref)
    form = DeleteForm()
    if not form.validate():
        return render_detail(query, AnswerForm(note=query.answer_note), form, 400)
    queries.remove(query)
    log.info("staff: query %s deleted by user %s", ref, current_user.id)
    flash(_("The query %(ref)s is deleted.", ref=ref), "info")
    return redirect(url_for(".index"), code=303)


@bp.get("/export.csv")
def export():
    """The filtered list as CSV, streamed row by row."""
    form = filter_form()
    if not form.validate():
        return render_template(
            "staff/list.html", form=form, pagination=None, args={}, lang_name=lang_name
        ), 400
    rows = queries.each(queries.search(filters_of(form)))
    name = f"queries-{dt.date.today().isoformat()}.csv"
    log.info("staff: CSV export by user %s", current_user.id)
    return Response(
        stream_with_context(exports.csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
