"""gunicorn settings, for the alternative server: ``make serve`` runs granian through
``app/server.py``; ``bench/run.py`` measures gunicorn with these settings beside it, and an
operator may run ``gunicorn -c app/gunicorn_conf.py 'app:create_app()'`` instead.

The app is created once in the master and forked (``preload_app``): workers share its memory
copy-on-write, and the search index is opened lazily in each worker after the fork.
"""

import os

import gunicorn.http.wsgi

# No server name or version in responses.
gunicorn.http.wsgi.SERVER = ""

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# Addresses only, no query strings: a search query can be health information.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss'
