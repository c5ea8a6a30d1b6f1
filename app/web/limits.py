"""Rate limits per client address, with Flask-Limiter. Each area limits its own pages with
``limit`` (sending questions, staff log-in, searching); this module only makes the limiter.

Counts are kept in memory by default (per worker process) and in Redis when
``RATELIMIT_STORAGE_URI`` points there, so that every worker shares them. A store that is down
lets requests through (``RATELIMIT_SWALLOW_ERRORS``): abuse protection must not stop patients.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

KEY = "rate_limiter"


def init_app(app: Flask) -> Limiter:
    """One limiter per app (not a module global), so that apps with different stores never
    share one."""
    limiter = app.extensions[KEY] = Limiter(get_remote_address, app=app)
    return limiter


def limit(
    app: Flask,
    blueprints: Iterable[Blueprint],
    setting: str,
    *,
    methods: Collection[str] | None = None,
    endpoints: Collection[str] | None = None,
) -> None:
    """Limit ``blueprints`` together to the rate in ``setting`` (read per request, so a changed
    setting applies at once): one count per client for all of them, and only ``methods`` and
    ``endpoints`` when given."""
    limiter: Limiter = app.extensions[KEY]
    blueprints = list(blueprints)
    rate = lambda: current_app.config[setting]  # noqa: E731 - read per request
    exempt = (lambda: request.endpoint not in endpoints) if endpoints else None
    shared = limiter.shared_limit(
        rate,
        scope="+".join(bp.name for bp in blueprints),
        methods=list(methods) if methods else None,
        exempt_when=exempt,
    )
    for blueprint in blueprints:
        shared(blueprint)
