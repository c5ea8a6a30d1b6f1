"""The staff pages: log in (password, then a code from an authenticator app), list and filter
queries, read one, mark it answered, delete it on the patient's request, export CSV, and read
the audit log. Every page but the log-in steps needs a logged-in account whose session is
neither idle nor too old, checked once for the whole blueprint so no page can forget it."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import time
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from app.content.site import store
from app.database import db
from app.i18n.languages import current_language, languages
from app.questions import choices, exports, outbox, records
from app.questions.models import NEW, STATUSES, Question
from app.staff import accounts, audit
from app.staff.forms import (
    AnswerForm,
    CodeForm,
    CopyForm,
    DeleteForm,
    FilterForm,
    LoginForm,
    SetupForm,
)
from app.staff.models import QUESTIONS, StaffUser
from app.web.security import csrf

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger(__name__)
PER_PAGE = 25
#: Pages beyond this are not pages (and would overflow the database's OFFSET).
MAX_PAGE = 10_000
#: ASVS 3.3.2 (level 2): ended after 30 minutes without a request, and 12 hours after log-in
#: whatever happens, checked here on every staff request rather than left to the cookie.
IDLE_LIMIT = 30 * 60
ABSOLUTE_LIMIT = 12 * 3600
#: Time between the password and the code (setting up an app takes a few minutes).
PENDING_LIMIT = 10 * 60
#: Session keys: the log-in step passed, and the times the limits are checked against.
PENDING, LOGIN_AT, SEEN_AT = "staff_pending", "staff_login_at", "staff_seen_at"
#: Reached without a full log-in: each checks what it needs itself.
OPEN_ENDPOINTS = {"staff.login", "staff.second_factor", "staff.setup", "staff.logout"}


def require_login():
    """A full log-in whose session is neither idle nor too old; the redirect to log in, or
    None. Shared by every staff blueprint, so no page can forget it."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return accounts.login_manager.unauthorized()
    now = int(time.time())
    idle, age = now - session.get(SEEN_AT, 0), now - session.get(LOGIN_AT, 0)
    if idle > IDLE_LIMIT or age > ABSOLUTE_LIMIT:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please log in again."), "info")
        target = request.path if request.method == "GET" else None
        return redirect(url_for("staff.login", next=target))
    session[SEEN_AT] = now
    return None


@bp.before_request
def require_questions_role():
    """Logged in, and allowed to work on patients' questions: deny by default, since every
    page of this blueprint but the log-in steps is about them."""
    refused = require_login()
    if refused is not None or request.endpoint in OPEN_ENDPOINTS:
        return refused
    if not current_user.has_role(QUESTIONS):
        if request.endpoint == "staff.index" and current_user.desk_languages:
            return redirect(url_for("desk.index"))
        abort(403)
    return None


@bp.after_request
def private(response: Response) -> Response:
    """Health data: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def staff_context() -> dict:
    return {"status_label": status_label, "mailto": mailto}


def status_label(status: str) -> str:
    return _("New") if status == NEW else _("Answered")


def mailto(address: str) -> str:
    """A ``mailto:`` link to exactly this address: "?", "&", "=" and "%" in it are escaped, so
    an address such as ``x?bcc=someone%40evil.example&x=@example.org`` adds no header."""
    return "mailto:" + quote(address, safe="@")


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


def when(moment: dt.datetime) -> str:
    return format_datetime(moment, "medium")


def locked_message(until: dt.datetime) -> str:
    return _(
        "Too many failed log-ins: this account is locked until %(time)s (UTC).", time=when(until)
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Step one, the password. The session then holds only which account passed it, and when;
    the account is logged in by the second step."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for(".index"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                user = accounts.authenticate(form.username.data, form.password.data)
            except accounts.AccountLocked as locked:
                form.password.errors = [locked_message(locked.until)]
                log.info("staff: log-in to a locked account")
                return render_template("staff/login.html", form=form), 429
            if user is not None:
                session.clear()
                session[PENDING] = {
                    "user": user.id,
                    "token": user.session_token,
                    "at": int(time.time()),
                    "next": next_url,
                }
                return redirect(url_for(".second_factor" if user.has_2fa else ".setup"))
            form.password.errors = [_("Wrong username or password.")]
            log.info("staff: failed log-in")
    return render_template("staff/login.html", form=form), status


def pending_user() -> StaffUser | None:
    """The account whose password was given in this session, a short while ago, and whose
    sessions have not been ended since (a password change or 2FA reset ends this too)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LIMIT:
        return None
    user = db.session.get(StaffUser, pending.get("user"))
    if user is None or not hmac.compare_digest(user.session_token, str(pending.get("token"))):
        return None
    return user


def start_session(user: StaffUser) -> str:
    """Both factors passed: a new session (nothing from before is kept, and a fresh random
    value makes the cookie new whatever was planted), and the failed attempts told."""
    next_url = session.get(PENDING, {}).get("next")
    failed = accounts.finish_login(user)
    session.clear()
    login_user(user)
    now = int(time.time())
    session.update({"staff_sid": secrets.token_urlsafe(16), LOGIN_AT: now, SEEN_AT: now})
    if failed.count:
        flash(
            ngettext(
                "There was %(num)d failed log-in attempt on your account since your last "
                "log-in, the last on %(time)s (UTC).",
                "There were %(num)d failed log-in attempts on your account since your last "
                "log-in, the last on %(time)s (UTC).",
                failed.count,
                time=when(failed.last) if failed.last else "?",
            ),
            "warning",
        )
    log.info("staff: user %s logged in", user.id)
    return next_url or url_for(".index")


def back_to_login(message: str) -> BaseResponse:
    session.pop(PENDING, None)
    flash(message, "info")
    return redirect(url_for(".login"))


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """Step two: a code from the authenticator app, or a single-use recovery code."""
    user = pending_user()
    if user is None:
        return back_to_login(_("Please log in with your password first."))
    if not user.has_2fa:
        return redirect(url_for(".setup"))
    form = CodeForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                used = accounts.check_second_factor(
                    user, form.code.data or "", form.recovery_code.data or ""
                )
            except accounts.AccountLocked as locked:
                return back_to_login(locked_message(locked.until))
            if used is not None:
                target = start_session(user)
                if used == "recovery":
                    left = accounts.recovery_codes_left(user)
                    flash(
                        ngettext(
                            "You used a recovery code: %(num)d is left.",
                            "You used a recovery code: %(num)d are left.",
                            left,
                        ),
                        "warning",
                    )
                return redirect(target)
            form.code.errors = [_("This code is not right, or was used already.")]
            log.info("staff: wrong second factor for user %s", user.id)
    return render_template("staff/code.html", form=form), status


@bp.route("/login/setup", methods=["GET", "POST"])
def setup():
    """First log-in: set up the authenticator app with a QR code (a new secret each time the
    page is shown, so it is never shown again once set up), then see the recovery codes once."""
    user = pending_user()
    if user is None:
        return back_to_login(_("Please log in with your password first."))
    if user.has_2fa:
        return redirect(url_for(".second_factor"))
    form = SetupForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate() and user.totp_secret:
            try:
                codes = accounts.confirm_totp_setup(user, form.code.data)
            except accounts.AccountLocked as locked:
                return back_to_login(locked_message(locked.until))
            if codes is not None:
                target = start_session(user)
                return render_template("staff/recovery_codes.html", codes=codes, next_url=target)
            form.code.errors = [_("This code is not right. Please try the one shown now.")]
    if request.method == "GET" or not user.totp_secret:
        accounts.start_totp_setup(user)
    return render_template(
        "staff/setup.html",
        form=form,
        qr=accounts.provisioning_qr(user, request.host),
        secret=" ".join(user.totp_secret[i : i + 4] for i in range(0, len(user.totp_secret), 4)),
    ), status


def same_origin() -> bool:
    """Whether a browser says the request comes from our own pages: ``Sec-Fetch-Site``, else
    ``Origin``. Neither is sent by non-browser clients, which carry no one else's cookie; and
    the SameSite=Lax cookie is not sent with a cross-site POST anyway."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    own = {request.host_url.rstrip("/"), current_app.config.get("SITE_URL")}
    return origin is None or origin in own


@bp.post("/logout")
@csrf.exempt
def logout():
    """Ends this session and every other one of the account, by replacing its session token.
    Without a CSRF token, so that a page left open past the token's life can still log out
    (on a shared computer, a failed log-out leaves the next person logged in)."""
    if not same_origin():
        abort(403)
    if current_user.is_authenticated:
        current_user.new_session_token()
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for(".login"))


def page_number() -> int:
    """``?page=`` as a page that can exist: a huge number is a 404, not a database error."""
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def filter_form() -> FilterForm:
    lang = current_language()
    site = tuple(language.code for language in languages())
    form = FilterForm(request.args)
    form.status.choices = [("", _("Any")), *((s, status_label(s)) for s in STATUSES)]
    form.language.choices = [("", _("Any")), *choices.answer_languages(site, lang)]
    return form


def link_args(form: FilterForm) -> dict[str, str]:
    """The filters to carry into links: only the form's own fields, so no parameter can reach
    ``url_for`` as one of its own arguments (``?endpoint=``, ``?_external=``)."""
    return {f.name: request.args[f.name] for f in form if request.args.get(f.name)}


def filters_of(form: FilterForm) -> records.Filters:
    return records.Filters(
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
    filters = filters_of(form) if valid else records.Filters()
    pagination = db.paginate(
        records.search(filters), page=page_number(), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "staff/list.html",
        form=form,
        pagination=pagination,
        args=link_args(form),
        lang_name=lang_name,
    ), (200 if valid else 400)


def lang_name(code: str) -> str:
    return choices.language_name(code, current_language())


def query_or_404(ref: str) -> Question:
    found = records.by_ref(records.normalise_ref(ref) or "")
    if found is None:
        abort(404)
    return found


@bp.get("/queries/<ref>")
def detail(ref: str):
    query = query_or_404(ref)
    audit.record(current_user.username, audit.VIEWED, query.ref)
    db.session.commit()
    return render_detail(query, AnswerForm(note=query.answer_note), DeleteForm())


def render_detail(
    query: Question, answer_form: AnswerForm, delete_form: DeleteForm, status: int = 200
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
        copy_form=CopyForm(),
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
    audit.record(current_user.username, audit.ANSWERED, query.ref)  # committed with the answer
    records.mark_answered(query, current_user.username, form.note.data or None)
    log.info("staff: query %s marked answered by user %s", query.ref, current_user.id)
    flash(_("Marked as answered."), "info")
    return redirect(url_for(".detail", ref=query.ref), code=303)


@bp.post("/queries/<ref>/delete")
def delete(ref: str):
    query = query_or_404(ref)
    form = DeleteForm()
    if not form.validate():
        return render_detail(query, AnswerForm(note=query.answer_note), form, 400)
    audit.record(current_user.username, audit.DELETED, query.ref)  # committed with the deletion
    records.remove(query)
    log.info("staff: query %s deleted by user %s", ref, current_user.id)
    flash(_("The query %(ref)s is deleted.", ref=ref), "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/queries/<ref>/send-copy")
def send_copy(ref: str):
    """A patient asked for a copy of their data: it goes to the email stored with the question,
    through the outbox, never to an address typed here."""
    query = query_or_404(ref)
    form = CopyForm()
    if not form.validate():
        return render_detail(query, AnswerForm(note=query.answer_note), DeleteForm(), 400)
    message = outbox.copy_of_data_message(query)
    if message is None:
        flash(
            _(
                "This question has no email address: a copy can only be given on the phone "
                "number stored with it."
            ),
            "error",
        )
        return redirect(url_for(".detail", ref=query.ref), code=303)
    audit.record(current_user.username, audit.COPY_SENT, query.ref)
    db.session.add(message)
    db.session.commit()
    log.info("staff: copy of query %s queued by user %s", query.ref, current_user.id)
    flash(_("A copy is on its way to the email address stored with this question."), "info")
    return redirect(url_for(".detail", ref=query.ref), code=303)


@bp.get("/export.csv")
def export():
    """The filtered list as CSV, streamed row by row."""
    form = filter_form()
    if not form.validate():
        return render_template(
            "staff/list.html", form=form, pagination=None, args={}, lang_name=lang_name
        ), 400
    filters = " ".join(f"{k}={v}" for k, v in sorted(link_args(form).items()))
    audit.record(current_user.username, audit.EXPORTED, detail=filters or None)
    db.session.commit()
    rows = records.each(records.search(filters_of(form)))
    name = f"queries-{dt.date.today().isoformat()}.csv"
    log.info("staff: CSV export by user %s", current_user.id)
    return Response(
        stream_with_context(exports.csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/audit")
def audit_log():
    """Who did what to which query, newest first."""
    pagination = db.paginate(
        audit.newest_first(), page=page_number(), per_page=PER_PAGE * 2, error_out=False
    )
    labels = {
        audit.VIEWED: _("viewed"),
        audit.ANSWERED: _("marked as answered"),
        audit.EXPORTED: _("exported as CSV"),
        audit.DELETED: _("deleted"),
        audit.LOGGED_IN: _("logged in"),
        audit.TWO_FACTOR_RESET: _("two-factor log-in reset"),
        audit.COPY_SENT: _("copy sent to the patient"),
        audit.ROLES_CHANGED: _("roles changed"),
    }
    return render_template("staff/audit.html", pagination=pagination, labels=labels)
