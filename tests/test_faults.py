"""Faults the service must survive, each made for real: a database that stops and comes back,
a missing compiled catalog, a worker killed under load. (Search index faults: tests/search.)"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import shutil
import signal
import subprocess
import sys
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
from app.database import db
from app.questions.models import Question
from tests.conftest import ROOT
from tests.helpers import QUESTION, send

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
        return db.session.scalar(select(func.count()).select_from(Question))


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


def children_of(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(child) for child in out.split()}


def tree_of(pid: int) -> set[int]:
    """The process and all its descendants."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children_of(current) - found)
    return found


def alive(pids: set[int]) -> set[int]:
    still = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        if state != "Z":
            still.add(pid)
    return still


class Server:
    """``python -m app.server`` (supervisor, granian master, workers) in a session of its own,
    as a service manager or a terminal would start it."""

    def __init__(self, tmp_path: Path, port: int, index: Path, workers: int = 2) -> None:
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SEARCH_INDEX_DIR": str(index),
            "SECRET_KEY": "load-test",
            # One client address sends all the load here: the search limit is not under test.
            "SEARCH_RATE_LIMIT": "1000000 per minute",
        }
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.server"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                if len(self.workers) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail("the server did not start within 60 s")

    @property
    def master(self) -> int:
        (pid,) = children_of(self.process.pid)
        return pid

    @property
    def workers(self) -> set[int]:
        masters = children_of(self.process.pid)
        return children_of(next(iter(masters))) if len(masters) == 1 else set()

    def kill(self) -> None:
        for pid in tree_of(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


class Load:
    """Clients searching in a loop until stopped; each outcome is (status, start, seconds)."""

    def __init__(self, base: str, clients: int = 8) -> None:
        self.base = base
        self.outcomes: list[tuple[str, float, float]] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.run) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def run(self) -> None:
        while not self.stopped.is_set():
            start = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + "/en/search?q=stem", timeout=10) as r:
                    r.read()
                    status = str(r.status)
            except urllib.error.HTTPError as exc:
                status = str(exc.code)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            self.outcomes.append((status, start, time.monotonic() - start))

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=15)
        assert not any(t.is_alive() for t in self.threads), "a request hung"


def test_a_worker_killed_under_load_is_replaced_and_no_request_hangs(
    tmp_path, free_port, search_index
):
    """The production server with two workers; one is killed (SIGKILL) while eight clients
    search. Then one SIGTERM stops everything within 10 s."""
    server = Server(tmp_path, free_port, search_index)
    try:
        before = server.workers
        assert len(before) == 2
        load = Load(server.base)
        time.sleep(2)
        killed_at = time.monotonic()
        os.kill(sorted(before)[0], signal.SIGKILL)
        while time.monotonic() < killed_at + 20 and not server.workers - before:
            time.sleep(0.05)
        replaced_at = time.monotonic()
        time.sleep(2)
        load.stop()

        after = server.workers
        assert len(after) == 2 and after != before, "the killed worker was replaced"
        outcomes = load.outcomes
        assert all(seconds < 10 for _, _, seconds in outcomes)
        assert not [s for s, _, _ in outcomes if s.startswith("5")]
        assert sum(1 for s, _, _ in outcomes if s == "200") > 50
        # Only requests the killed worker held, or sent before its replacement was up, failed.
        failed = [(s, t) for s, t, _ in outcomes if s != "200"]
        assert all(killed_at - 1 <= t <= replaced_at + 0.5 for _, t in failed), failed
        assert urllib.request.urlopen(server.base + "/healthz", timeout=5).status == 200

        everything = tree_of(server.process.pid)
        os.killpg(server.process.pid, signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
        assert not alive(everything)
    finally:
        if server.process.poll() is None:
            server.kill()


def test_the_server_always_stops_after_a_worker_was_killed_even_on_two_signals(
    tmp_path, free_port, search_index
):
    """20 times: under load, kill a worker, then send SIGTERM and SIGINT to the process group
    at once (make and the server both get Ctrl-C). Every process is gone within 10 s."""
    for attempt in range(20):
        server = Server(tmp_path, free_port, search_index)
        load = Load(server.base, clients=4)
        try:
            time.sleep(0.3)
            os.kill(sorted(server.workers)[0], signal.SIGKILL)
            time.sleep(0.2 + (attempt % 5) * 0.2)
            everything = tree_of(server.process.pid)
            os.killpg(server.process.pid, signal.SIGTERM)
            os.killpg(server.process.pid, signal.SIGINT)
            server.process.wait(timeout=10)
            deadline = time.monotonic() + 10
            while alive(everything) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not alive(everything), f"attempt {attempt}: {alive(everything)} still running"
        finally:
            load.stop()
            if server.process.poll() is None:
                server.kill()


def test_workers_do_not_outlive_a_master_that_dies(tmp_path, free_port, search_index):
    """A granian master killed outright: its workers are killed too, never left serving, and
    the supervisor exits with a failure for the service manager to restart it."""
    server = Server(tmp_path, free_port, search_index)
    try:
        workers = server.workers
        os.kill(server.master, signal.SIGKILL)
        assert server.process.wait(timeout=10) != 0
        deadline = time.monotonic() + 5
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(workers)
        with pytest.raises(OSError):
            urllib.request.urlopen(server.base + "/healthz", timeout=2)
    finally:
        if server.process.poll() is None:
            server.kill()
