"""Rate limits per client address, with Flask-Limiter: sending questions, staff log-in, and
searching (the page and the API share one count, since a new search costs a worker real work).

Counts are kept in memory by default (per worker process) and in Redis when
``RATELIMIT_STORAGE_URI`` points there, so that every worker shares them. A store that is down
lets requests through (``RATELIMIT_SWALLOW_ERRORS``): abuse protection must not stop patients.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask) -> Limiter:
    """One limiter per app (not a module global), so that apps with different stores never
    share one; call after the blueprints are registered."""
    from app.questions import views as ask
    from app.search import api
    from app.search import views as search
    from app.staff import views as staff

    limiter = Limiter(get_remote_address, app=app)
    searches = limiter.shared_limit(
        lambda: current_app.config["SEARCH_RATE_LIMIT"],
        scope="search",
        exempt_when=lambda: request.endpoint not in ("search.search", "api.search"),
    )
    searches(search.bp)
    searches(api.bp)
    limiter.limit(lambda: current_app.config["ASK_RATE_LIMIT"], methods=["POST"])(ask.bp)
    limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        methods=["POST"],
        exempt_when=lambda: request.endpoint != "staff.login",
    )(staff.bp)
    return limiter
