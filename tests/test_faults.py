"""Faults the service must survive, each made for real: a database that stops and comes back,
a missing compiled catalog, a worker killed under load. (Search index faults: tests/search.)"""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from app import create_app
from app.server import command
from app.storage.db import db
from app.storage.models import Query
from tests.conftest import ROOT
from tests.views.test_ask import QUESTION, send

PG_BIN = Path("/usr/lib/postgresql")


def pg_tool(name: str) -> str:
    found = sorted(PG_BIN.glob(f"*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is missing: apt-get install postgresql", pytrace=False)
    return str(found[-1])


class OwnPostgres:
    """A PostgreSQL server of this test's own, in a temporary folder, that it may stop."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        self._as_postgres(pg_tool("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, *args: str) -> None:
        runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*runas, *args], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            pg_tool("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "log"),
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(pg_tool("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres(free_port):
    # Not under pytest's private temporary folder: the postgres user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="pg-fault-"))
    folder.chmod(0o755)
    server = OwnPostgres(folder / "cluster", free_port)
    server.start()
    yield server
    try:
        server.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(folder, ignore_errors=True)


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Query))


def test_database_stopped_mid_run_gives_503_with_text_kept_then_recovers(app_config, own_postgres):
    app = create_app({**app_config, "DATABASE_URL": own_postgres.url})
    with app.app_context():
        flask_migrate.upgrade()
    client = app.test_client()
    assert send(client).status_code == 303
    assert count(app) == 1

    own_postgres.stop()
    down = send(client, name="Fatima Said")
    page = html.unescape(down.get_data(as_text=True))
    assert down.status_code == 503
    assert "Your question was not sent" in page
    assert 'value="Fatima Said"' in page and QUESTION[:40] in page
    assert client.get("/en/articles/als-stem-cell-therapy").status_code == 200

    own_postgres.start()
    assert send(client, name="Fatima Said").status_code == 303
    assert count(app) == 2
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_missing_compiled_catalog_falls_back_to_english_visibly(project_config, project):
    lc = project / "translations" / "fr" / "LC_MESSAGES"
    assert not list(lc.glob("*.mo")), "the project copy has no compiled catalogs"
    runner = create_app(project_config).test_cli_runner()
    assert runner.invoke(args=["translate", "compile", "hi"]).exit_code == 0
    client = create_app(project_config).test_client()
    french = client.get("/fr/articles/als-stem-cell-therapy")
    page = french.get_data(as_text=True)
    assert french.status_code == 200
    assert '<html lang="fr" dir="ltr">' in page
    assert 'lang="en" dir="ltr" data-untranslated' in page
    assert "0%" in page.replace("\u00a0", "").replace(" ", "")
    hindi = client.get("/hi/articles/als-stem-cell-therapy").get_data(as_text=True)
    assert "data-untranslated" not in hindi


def workers_of(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_a_worker_killed_under_load_is_replaced_and_no_request_hangs(
    tmp_path, free_port, search_index
):
    """The production server (python -m app.server) with two workers; one is killed (SIGKILL)
    while eight clients search."""
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": str(search_index),
        "SECRET_KEY": "load-test",
    }
    server = subprocess.Popen(
        command("127.0.0.1", free_port, 2), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{free_port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        before = workers_of(server.pid)
        assert len(before) == 2

        outcomes: list[tuple[str, float, float]] = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                start = time.monotonic()
                try:
                    with urllib.request.urlopen(base + "/en/search?q=stem", timeout=10) as r:
                        r.read()
                        status = str(r.status)
                except urllib.error.HTTPError as exc:
                    status = str(exc.code)
                except OSError as exc:
                    status = type(exc).__name__
                outcomes.append((status, start, time.monotonic() - start))

        threads = [threading.Thread(target=load) for _ in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        killed_at = time.monotonic()
        os.kill(sorted(before)[0], signal.SIGKILL)
        while time.monotonic() < killed_at + 20 and not workers_of(server.pid) - before:
            time.sleep(0.05)
        replaced_at = time.monotonic()
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        assert not any(t.is_alive() for t in threads), "a request hung"

        after = workers_of(server.pid)
        assert len(after) == 2 and after != before, "the killed worker was replaced"
        assert all(seconds < 10 for _, _, seconds in outcomes)
        assert not [s for s, _, _ in outcomes if s.startswith("5")]
        assert sum(1 for s, _, _ in outcomes if s == "200") > 50
        # Only requests the killed worker held, or sent before its replacement was up, failed.
        failed = [(s, t) for s, t, _ in outcomes if s != "200"]
        assert all(killed_at - 1 <= t <= replaced_at + 0.5 for _, t in failed), failed
        assert urllib.request.urlopen(base + "/healthz", timeout=5).status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
