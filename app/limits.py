"""Rate limits per client address, with Flask-Limiter: sending questions and staff log-in.

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
    from app.views import ask, staff

    limiter = Limiter(get_remote_address, app=app)
    limiter.limit(lambda: current_app.config["ASK_RATE_LIMIT"], methods=["POST"])(ask.bp)
    limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        methods=["POST"],
        exempt_when=lambda: request.endpoint != "staff.login",
    )(staff.bp)
    return limiter
