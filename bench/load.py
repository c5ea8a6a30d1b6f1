"""The load test: mixed reading traffic from wrk and hundreds of concurrent questions through a
real HTTP client, against the production server on PostgreSQL, bounded in time; it stops what
it starts.

    .venv/bin/python bench/load.py [--duration 60] [--submissions 500] [--clients 50]

Pass criteria: no 5xx, every question stored exactly once, worker memory flat. Writes
bench/results/load.json and the load section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    article_paths,
    free_port,
    process_memory_mb,
    search_paths,
    wait_ready,
    worker_memory,
    worker_rss_mb,
    wrk,
)

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')


@contextmanager
def schema(url: str):
    """A schema of this run's own, dropped at the end."""
    name = f"load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield name, f"{url}?options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def server(database_url: str, workdir: Path, workers: int):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
        "SECRET_KEY": "load-test",
        "ASK_RATE_LIMIT": "100000 per minute",
        "SEARCH_RATE_LIMIT": "1000000 per minute",
        "ASK_MIN_FILL_SECONDS": "0",
    }
    flask = str(Path(sys.executable).parent / "flask")
    for step in (["db", "upgrade"], ["translate", "compile"], ["search", "build", "--if-stale"]):
        subprocess.run(
            [flask, "--app", "app", *step], cwd=ROOT, env=env, check=True, capture_output=True
        )

    from app.server import command

    process = subprocess.Popen(
        command("127.0.0.1", port, workers), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """The answer to the post itself (303 and where to), not the page it leads to."""

    def redirect_request(self, *args, **kwargs):
        return None


def submit(base: str, marker: str) -> tuple[int, str | None]:
    """One person's question: open the form (cookie, CSRF token), then send it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/en/ask", timeout=30).read().decode()
    fields = {}
    for tag in HIDDEN.findall(form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name[1]] = html.unescape(value[1]) if value else ""
    fields.update(
        name="Load Test",
        email="load@example.org",
        country="IN",
        answer_language="en",
        question=f"Is the procedure safe for my mother? {marker}",
        consent="y",
        website="",
        topic="",
    )
    request = urllib.request.Request(
        f"{base}/en/ask", data=urllib.parse.urlencode(fields).encode(), method="POST"
    )

    sender = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    try:
        response = sender.open(request, timeout=30)
        return response.status, None
    except urllib.error.HTTPError as exc:
        if os.environ.get("LOAD_DEBUG") and exc.code != 303:
            print(exc.read().decode()[:3000])
        return exc.code, exc.headers.get("Location")


def sample_memory(pid: int, every: float, stop: threading.Event, series: list) -> None:
    """Worker memory (MB per worker) every ``every`` seconds, to show where it levels off."""
    started = time.monotonic()
    while not stop.wait(every):
        series.append([round(time.monotonic() - started), worker_rss_mb(pid)])


def run(
    duration: int, submissions: int, clients: int, workers: int = 2, sample_every: float = 30
) -> dict:
    import tempfile

    paths = article_paths() + search_paths() + ["/static/site.css", "/en/", "/fr/about"]
    with tempfile.TemporaryDirectory(prefix="load-") as work, schema(POSTGRES) as (name, url):
        with server(url, Path(work), workers) as (base, pid):
            for path in paths:
                urllib.request.urlopen(base + path, timeout=30).read()
            rss_before = worker_rss_mb(pid)
            memory_before = {"workers": worker_memory(pid), "master": process_memory_mb(pid)}
            report: dict = {}
            reading = threading.Thread(
                target=lambda: report.update(wrk(base + "/", duration, paths, connections=32))
            )
            reading.start()
            series: list = []
            sampling = threading.Event()
            sampler = threading.Thread(
                target=sample_memory, args=(pid, sample_every, sampling, series)
            )
            sampler.start()
            markers = [uuid.uuid4().hex for _ in range(submissions)]
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                outcomes = list(pool.map(lambda m: submit(base, m), markers))
            form_seconds = time.monotonic() - started
            reading.join()
            sampling.set()
            sampler.join()
            rss_after = worker_rss_mb(pid)
            memory_after = {"workers": worker_memory(pid), "master": process_memory_mb(pid)}
        engine = create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT question FROM queries")).scalars().all()
        engine.dispose()
    stored = [next((m for m in markers if m in q), None) for q in rows]
    statuses: dict[str, int] = {}
    for status, _ in outcomes:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "duration_s": duration,
        "workers": workers,
        "reading": report,
        "submissions": submissions,
        "clients": clients,
        "form_seconds": form_seconds,
        "form_statuses": statuses,
        "stored": len(rows),
        "lost": sum(1 for m in markers if m not in stored),
        "duplicated": len(stored) - len(set(stored)),
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "rss_series": series,
        "memory_before": memory_before,
        "memory_after": memory_after,
    }


def verdict(result: dict) -> list[str]:
    problems = []
    if result["reading"].get("non2xx3xx"):
        problems.append(f"{result['reading']['non2xx3xx']} reading responses were not 2xx/3xx")
    if result["reading"].get("errors"):
        problems.append(f"{result['reading']['errors']} reading requests failed")
    if set(result["form_statuses"]) != {"303"}:
        problems.append(f"form answers: {result['form_statuses']}")
    if result["lost"] or result["duplicated"]:
        problems.append(f"{result['lost']} lost, {result['duplicated']} duplicated")
    before, after = sum(result["rss_before_mb"]), sum(result["rss_after_mb"])
    if after > before * 1.5 + 20:
        problems.append(f"worker memory grew from {before:.0f} MB to {after:.0f} MB")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--soak", action="store_true", help="a long run: results go to soak.json, not load.json"
    )
    args = parser.parse_args()
    result = run(args.duration, args.submissions, args.clients)
    result["command"] = " ".join(["bench/load.py", *sys.argv[1:]])
    result["problems"] = verdict(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / ("soak.json" if args.soak else "load.json")).write_text(json.dumps(result, indent=2))
    from bench.report import write_report

    write_report(out, ROOT / "BENCHMARKS.md")
    print(json.dumps(result, indent=2))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
