"""The production server's master: the app built and warmed once before the workers fork,
with nothing opened that the workers must not share."""

import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from app.server import TARGET, command
from app.warm import warm
from bench.run import process_memory_mb, wait_ready, worker_memory
from tests.conftest import ROOT


def opened_under(folder: Path) -> list[str]:
    """Files under ``folder`` this process has open or mapped."""
    folder = folder.resolve()
    paths = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            paths.append(os.readlink(fd))
        except OSError:
            continue
    paths += [line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()]
    return [path for path in paths if path.startswith(str(folder))]


def test_warming_renders_each_kind_of_page_and_opens_no_index_file(
    make_app, search_index, tmp_path
):
    index = tmp_path / "index"  # a copy no other test in this process has opened
    shutil.copytree(search_index, index, symlinks=True)
    app = make_app(SEARCH_INDEX_DIR=str(index))
    languages = app.extensions["languages"]
    articles = len(app.extensions["content"].library.slugs)
    assert warm(app) == (3 + articles) * len(languages)
    assert opened_under(index) == []
    # Every reading page is kept, for the workers to share, compressed at its best level: even
    # a worker's first reader of a page gets the lightest bytes.
    assert len(app.extensions["page_cache"]) == (2 + articles) * len(languages)
    client = app.test_client()
    for encoding in ("br", "gzip"):
        response = client.get(
            "/hi/articles/als-stem-cell-therapy", headers={"Accept-Encoding": encoding}
        )
        assert response.headers["ETag"].endswith(f'-{encoding}"'), response.headers["ETag"]


def test_warming_keeps_no_page_when_the_export_serves_them(make_app):
    app = make_app(EXPORT_SERVES_PAGES=True)
    languages = app.extensions["languages"]
    assert warm(app) == 4 * len(languages)
    assert len(app.extensions["page_cache"]) == 0


def test_the_master_builds_the_app_and_its_workers_share_it(tmp_path, free_port, search_index):
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": str(search_index),
        "SECRET_KEY": "server-test",
    }
    master = subprocess.Popen(
        command("127.0.0.1", free_port, 2, TARGET), cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{free_port}"
        wait_ready(base + "/healthz")
        for _ in range(4):  # each worker opens the index itself, after the fork
            with urllib.request.urlopen(base + "/en/search?q=stem+cell", timeout=10) as r:
                assert r.status == 200
        workers = worker_memory(master.pid)
        assert len(workers) == 2
        for memory in workers:
            # Most of a worker's pages are the master's, shared: its own are far fewer.
            assert memory["uss"] < memory["rss"] / 2
            assert memory["pss"] < memory["rss"]
        assert process_memory_mb(master.pid) is not None
    finally:
        os.killpg(master.pid, signal.SIGTERM)
        master.wait(timeout=20)


def test_the_master_command_runs_this_python(free_port):
    args = command("127.0.0.1", free_port, 3)
    assert args[:4] == [sys.executable, "-m", "app.server", "master"]
    assert args[4:] == ["127.0.0.1", str(free_port), "3", TARGET]
