"""Fixtures shared by every test: the app, its client and CLI runner, on temporary storage.

Storage tests run on SQLite and on the PostgreSQL server of this machine (``TEST_POSTGRES_URL``),
each test in a schema of its own that is dropped afterwards. PostgreSQL being down fails those
tests with a clear message: they are never skipped.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.database import db
from app.search import build_index
from app.search import site as search_site

#: Property tests: in CI (``CI`` set, as ``.ci/run`` has it) every run tries the same examples
#: and keeps none between runs, so a failure is reproducible from the log alone; elsewhere they
#: explore at random. Both print the blob that replays a failing example.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: Mark a test ``@BOTH_DATABASES`` to run it once on SQLite and once on PostgreSQL.
BOTH_DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def search_index(tmp_path_factory) -> Path:
    """The real index of the shipped content and catalogs, built once per test run."""
    root = tmp_path_factory.mktemp("search_index")
    app = create_app(
        {"TESTING": True, "SEARCH_INDEX_DIR": str(root), "INSTANCE_PATH": str(root / "instance")}
    )
    service = search_site.service(app)
    build_index(service.store, root, service.languages)
    return root


@pytest.fixture
def app_config(tmp_path: Path, search_index: Path) -> dict:
    """Configuration for a test app; tests may change it before asking for ``app``.

    Settings read from the environment are pinned, so a developer's or CI's own variables
    never reach a test.
    """
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "SITE_URL": "http://localhost",
        "SEARCH_INDEX_DIR": str(search_index),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": False,
        "ASK_MIN_FILL_SECONDS": 0,
        "STAFF_NOTIFY_EMAIL": None,
        "SMTP_HOST": None,
        "SESSION_COOKIE_SECURE": False,
        #: scrypt at 1/8 of the production cost: staff tests log in hundreds of times. The
        #: production cost has tests of its own (tests/staff).
        "PASSWORD_SCRYPT_N": 2**14,
    }


@pytest.fixture(scope="session")
def postgres_server() -> str:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}\n"
            "Start it (.ci/run shows how) or point TEST_POSTGRES_URL at a server.",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards, so runs can repeat and never meet."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_server).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database(request: pytest.FixtureRequest, app_config: dict, tmp_path: Path) -> str:
    """SQLite in the test's folder, unless the test is parametrised with ``BOTH_DATABASES``."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        app_config["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    else:
        app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'instance' / 'queries.sqlite3'}"
    return kind


@pytest.fixture
def make_app(app_config: dict, database: str) -> Iterator:
    """Makes apps from ``app_config`` plus changes, on the test's database, migrated (so every
    run tests the migrations too). Several apps may share that database."""
    made = []

    def make(**changes):
        app = create_app({**app_config, **changes})
        with app.app_context():
            flask_migrate.upgrade()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def free_port() -> int:
    """A local TCP port nothing listens on (until a test starts something there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailServer:
    """A real SMTP server on 127.0.0.1 for one test: down until ``start()``; ``messages`` holds
    each mail it accepted, as an ``email.message.Message``."""

    host: str
    port: int
    messages: list = field(default_factory=list)
    controller: object = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(free_port: int) -> Iterator[MailServer]:
    server = MailServer("127.0.0.1", free_port)
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the sources and catalogs, for tests that change them."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    for name in ("app", "content", "translations"):
        shutil.copytree(
            ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    return root


@pytest.fixture
def project_config(app_config: dict, project: Path) -> dict:
    """``app_config`` pointed at the private copy made by ``project``."""
    app_config.update(
        CONTENT_DIR=str(project / "content"),
        TRANSLATIONS_DIR=str(project / "translations"),
    )
    return app_config


# Browser tests: the site served for real on loopback, driven by Debian's Chromium.

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Site:
    """A site served for real on loopback: ``origin`` is what a reader opens; ``app`` is the
    app that answers (behind nginx, at ``app_origin``), ``export`` the build nginx serves."""

    origin: str
    app: Flask
    app_origin: str
    export: Path | None = None
    #: Behind nginx: ``nginx -s reload`` with the site's configuration.
    reload: Callable[[], None] | None = None


def _serve_app(
    folder: Path, search_index: Path, site_url: str | None = None, **config
) -> tuple[Flask, str, Callable]:
    """The whole app on a werkzeug server in this process, with CSRF on, on SQLite; its origin
    is ``site_url`` unless given none (then its own address)."""
    import logging
    import threading

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "browser-test-secret",
            "SEARCH_INDEX_DIR": str(search_index),
            "DATABASE_URL": f"sqlite:///{folder / 'queries.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
            "ASK_MIN_FILL_SECONDS": 0,
            "STAFF_NOTIFY_EMAIL": None,
            "SMTP_HOST": None,
            **config,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    own = f"http://127.0.0.1:{server.server_port}"
    origin = site_url or own
    app.config.update(SITE_URL=origin, SERVER_NAME=origin.removeprefix("http://"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=10)

    return app, own, stop


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, search_index: Path) -> Iterator[str]:
    """The whole site on a real HTTP server in this process, with CSRF on, on SQLite."""
    folder = tmp_path_factory.mktemp("live")
    _app, origin, stop = _serve_app(folder, search_index)
    yield origin
    stop()


NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))


@pytest.fixture(scope="session")
def nginx_site(tmp_path_factory, search_index: Path) -> Iterator[Site]:
    """Debian's nginx with the shipped configuration, serving a fresh ``flask export`` of the
    site and passing the rest to the app, which runs behind it as the README says
    (SITE_URL of the public address, one trusted proxy)."""
    import subprocess
    import time
    import urllib.request

    from app.web import nginx
    from app.web.export import export

    if not NGINX.exists():
        pytest.fail(
            f"{NGINX} is missing: run 'make services' (apt-get install nginx-light "
            "libnginx-mod-http-brotli-static)",
            pytrace=False,
        )
    folder = tmp_path_factory.mktemp("nginx")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    app, app_origin, stop_app = _serve_app(folder, search_index, origin, TRUSTED_PROXIES=1)
    export(app, folder / "export")
    site = folder / "site.conf"
    site.write_text(
        nginx.site_config(
            f"127.0.0.1:{port}", "127.0.0.1", folder / "export", app_origin[len("http://") :]
        )
    )
    (folder / "nginx.conf").write_text(nginx.standalone_config(folder, site))
    command = [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log")]
    command += ["-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode:
        stop_app()
        pytest.fail(f"nginx refused deploy/nginx.conf:\n{checked.stderr}", pytrace=False)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{origin}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)

        def reload() -> None:
            subprocess.run([*command, "-s", "reload"], check=True, capture_output=True)

        yield Site(origin, app, app_origin, folder / "export", reload)
    finally:
        process.terminate()
        process.wait(timeout=20)
        stop_app()


@pytest.fixture(scope="session", params=["app", "nginx"])
def site_origin(request: pytest.FixtureRequest) -> str:
    """Where the browser tests open the site: the app alone (``make serve``), and nginx with
    the export in front of it (the README's deployment)."""
    if request.param == "app":
        return request.getfixturevalue("live_server")
    return request.getfixturevalue("nginx_site").origin


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; missing, the tests fail and say how to install it (never a skip)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run 'make browser-deps' (apt-get install chromium "
            "fonts-noto-core) or set CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site_origin: str, request: pytest.FixtureRequest):
    """A fresh browser context per test; ``@pytest.mark.browser_context(...)`` sets its options
    (viewport, locale, JavaScript)."""
    marker = request.node.get_closest_marker("browser_context")
    options = {"viewport": {"width": 1280, "height": 900}, "base_url": site_origin}
    options.update(marker.kwargs if marker else {})
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run 'make browser-deps' (npm ci in tests/browser).",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")


#: Tests that need something outside this process: a browser, PostgreSQL, Redis, wrk, or the
#: production server started for real. `pytest -m "not external"` runs the rest in about a
#: minute for everyday work; the README's test command runs everything.
EXTERNAL_FILES = (
    "tests/browser/",
    "tests/test_load.py",
    "tests/test_faults.py",
)
EXTERNAL_FIXTURES = {
    "own_postgres",
    "page",
    "live_server",
    "nginx_site",
    "site_origin",
    "redis_limits",
}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (
            path.startswith(EXTERNAL_FILES)
            or params.get("database") == "postgresql"
            or EXTERNAL_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.external)
