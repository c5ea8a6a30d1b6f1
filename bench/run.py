"""The benchmark suite: one command, every figure a ratio against a baseline from the same run.

    .venv/bin/python bench/run.py [--duration SECONDS] [--articles N] [--skip-scaled]

Measures (see BENCHMARKS.md, which this script rewrites):
 1. article page throughput against the same server's /healthz, and against nginx serving the
    same page bytes as a static file; for gunicorn and granian;
 2. search throughput over HTTP against /healthz, and search latency p50/p95/p99/max in-process
    on the real index and on a synthetic corpus of N articles in six languages, against the
    engine's trivial query on the same index;
 3. index build rate for the scaled corpus, against the same documents with Whoosh's default
    analyser;
 4. memory per worker after warm-up and start-up time to a ready /healthz, against a minimal
    Flask app served the same way;
 5. page weight per page type and language, against the 25 KB budget.
Load comes from wrk on loopback, bounded in time; everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WORKERS = os.cpu_count() or 2
LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]
BUDGET = 25 * 1024

QUERIES = {
    "typical": {
        "en": ["stem cell risks", "riluzole", "clinical trial india", "lumbar puncture"],
        "hi": ["स्टेम सेल", "क्लिनिकल ट्रायल", "जोखिम", "रिलुज़ोल"],
        "ar": ["الخلايا الجذعية", "تجربة سريرية", "المخاطر", "التصلب المتعدد"],
        "bn": ["স্টেম সেল", "ক্লিনিক্যাল ট্রায়াল", "ঝুঁকি", "রিলুজোল"],
        "ru": ["стволовые клетки", "клиническое исследование", "риски", "рилузол"],
        "fr": ["cellules souches", "essai clinique", "risques", "sclérose en plaques"],
    },
    "rare": {
        "en": ["glioproliferative", "ALSUMMIT"],
        "hi": ["ALSUMMIT"],
        "ar": ["ALSUMMIT"],
        "bn": ["ALSUMMIT"],
        "ru": ["ALSUMMIT"],
        "fr": ["ALSUMMIT"],
    },
    "phrase": {
        "en": ['"clinical trial"', '"bone marrow"'],
        "fr": ['"essai clinique"'],
        "ru": ['"стволовые клетки"'],
        "hi": ['"स्टेम सेल"'],
        "ar": ['"الخلايا الجذعية"'],
        "bn": ['"স্টেম সেল"'],
    },
    "adversarial": {
        lang: [
            "*",
            "a*",
            "*ology",
            "[a TO z]",
            "title:x OR body:y",
            "x" * 300,
            " ".join(["stem"] * 50),
            "zzz~5^9",
            '"' * 41,
            "ste*",
            "\x00\u202e*",
        ]
        for lang in LANGS
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_tools() -> None:
    missing = [
        p
        for p, b in (("wrk", "wrk"), ("nginx-light", "nginx"))
        if not shutil.which(b) and not Path(f"/usr/sbin/{b}").exists()
    ]
    if missing:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def wait_ready(url: str, timeout: float = 60) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def server_command(kind: str, target: str, port: int) -> list[str]:
    if kind == "gunicorn":
        return [
            str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
            "--config", str(ROOT / "app" / "gunicorn_conf.py"), f"{target}()",
        ]  # fmt: skip
    from app.server import command

    return command("127.0.0.1", port, WORKERS, target)


@contextmanager
def serve(kind: str, target: str, env: dict[str, str] | None = None):
    port = free_port()
    process = subprocess.Popen(
        server_command(kind, target, port),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        startup = wait_ready(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", startup, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(
    url: str,
    duration: int,
    paths: list[str] | None = None,
    connections: int = 16,
    unique: bool = False,
    mode: str | None = None,
) -> dict:
    """wrk for ``duration`` seconds; ``unique`` makes every address new to the page caches,
    ``mode="newquery"`` every search new to the engine too (the paths end in ``q=...``)."""
    args = [
        "wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s",
        "-s", str(BENCH / "wrk_report.lua"), url,
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths or []))
    if paths:
        args += ["--", handle.name, mode or ("unique" if unique else "same")]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)
    report = json.loads(next(line for line in out.splitlines() if line.startswith("WRKJSON"))[8:])
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    report["errors"] = sum(report[k] for k in ("errors_connect", "errors_read", "errors_timeout"))
    return report


def worker_rss_mb(master_pid: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    sizes = []
    for pid in children.stdout.split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
        sizes.append(kb / 1024)
    return sizes


def article_paths() -> list[str]:
    return [
        f"/{lang}/articles/{slug}"
        for lang in LANGS
        for slug in ("als-stem-cell-therapy", "ms-stem-cell-therapy")
    ]


def search_paths() -> list[str]:
    from urllib.parse import quote

    return [f"/{lang}/search?q={quote(q)}" for lang, qs in QUERIES["typical"].items() for q in qs]


def http_benchmarks(duration: int) -> dict:
    results: dict = {}
    # wrk is one client address: the per-client search limit (bench/abuse.py) is lifted here.
    env = {
        "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
        "SEARCH_RATE_LIMIT": "1000000 per minute",
    }
    for kind in ("gunicorn", "granian"):
        with serve(kind, "app:create_app", env) as (base, startup, pid):
            for path in article_paths() + search_paths():
                urllib.request.urlopen(base + path).read()
            healthz = wrk(base + "/healthz", duration)
            article = wrk(base + "/", duration, article_paths())
            search = wrk(base + "/", duration, search_paths())
            cold = wrk(base + "/", duration, search_paths(), unique=True)
            results[kind] = {
                "startup_s": startup,
                "healthz": healthz,
                "article": article,
                "search": search,
                "search_cold": cold,
                "rss_mb": worker_rss_mb(pid),
            }
        with serve(kind, "bench.minimal_app:create_app") as (base, startup, pid):
            urllib.request.urlopen(base + "/healthz").read()
            wrk(base + "/healthz", 2)
            results[kind]["minimal"] = {"startup_s": startup, "rss_mb": worker_rss_mb(pid)}
    results["nginx"] = nginx_benchmark(duration)
    return results


def nginx_benchmark(duration: int) -> dict:
    """nginx serving the very bytes our server sends for the articles, as static files."""
    from app import create_app

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    client = app.test_client()
    work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    work.chmod(0o755)  # nginx's workers drop root and must read the files
    docroot = work / "root"
    for path in article_paths():
        body = client.get(path).data
        target = docroot / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes {WORKERS};
pid {work}/nginx.pid;
error_log {work}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  gzip on; gzip_types text/html;
  default_type text/html;
  server {{ listen 127.0.0.1:{port}; root {docroot}; }}
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [nginx, "-c", str(conf)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}{article_paths()[0]}")
        return {"article": wrk(f"http://127.0.0.1:{port}/", duration, article_paths())}
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
        "max_ms": ordered[-1],
        "n": len(ordered),
    }


def search_latency(service, repeat: int) -> dict:
    from whoosh.query import Term

    from app.search.query import clean, run

    searcher = service._open()
    baseline = []
    for _ in range(repeat * 20):
        start = time.perf_counter()
        searcher.search(Term("lang", "en"), limit=10)
        baseline.append((time.perf_counter() - start) * 1000)
    out = {"baseline_trivial_query": percentiles(baseline)}
    everything = []
    for category, by_lang in QUERIES.items():
        samples = []
        for _ in range(repeat):
            for lang, queries in by_lang.items():
                for query in queries:
                    start = time.perf_counter()
                    # The engine's work, not the per-build result cache in front of it.
                    run(searcher, clean(query), lang)
                    samples.append((time.perf_counter() - start) * 1000)
        out[category] = percentiles(samples)
        everything += samples
    out["all"] = percentiles(everything)
    return out


def search_benchmarks(articles: int, skip_scaled: bool, repeat: int) -> dict:
    from app import create_app
    from app.content.store import ContentStore
    from app.search import SearchService, build_index
    from app.search import site as search_site

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    real = search_site.service(app)
    build_index(real.store, real.root, real.languages, only_if_stale=True)
    results = {"real": search_latency(real, repeat)}
    if skip_scaled:
        return results
    from bench.corpus import make_corpus

    work = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    try:
        make_corpus(work, articles, LANGS)
        store = ContentStore(work / "content", work / "translations", LANGS, "en")
        sections = sum(len(a.sections) for a in store.library.articles) * len(LANGS)
        start = time.perf_counter()
        build_index(store, work / "index", LANGS)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        default_analyser_build(store, work / "plain", LANGS)
        plain = time.perf_counter() - start
        service = SearchService(work / "index", store, LANGS)
        results["scaled"] = {
            "articles": articles,
            "sections": sections,
            "build_s": ours,
            "build_sections_per_s": sections / ours,
            "baseline_default_analyser_build_s": plain,
            "latency": search_latency(service, max(1, repeat // 2)),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def default_analyser_build(store, root: Path, languages: list[str]) -> None:
    """The same documents and schema with Whoosh's StandardAnalyzer in every text field: the
    cost of indexing itself, without our language analysis."""
    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT, Schema

    from app.search.index import documents, schema

    ours = schema(languages)
    fields = {
        name: TEXT(stored=field.stored) if isinstance(field, TEXT) else field
        for name, field in ours.items()
    }
    root.mkdir(parents=True)
    ix = whoosh_index.create_in(str(root), Schema(**fields))
    writer = ix.writer(limitmb=64)
    for lang in languages:
        for article in store.all_localized(lang):
            for document in documents(article):
                writer.add_document(**document)
    writer.commit(optimize=True)


def page_weights() -> dict:
    from app import create_app

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    client = app.test_client()
    headers = {"Accept-Encoding": "br, gzip"}
    page = client.get("/en/", headers=headers)
    import re

    import brotli

    css_path = re.search(r'href="(/static/site\.css[^"]*)"', brotli.decompress(page.data).decode())[
        1
    ]
    with client.get(css_path, headers=headers) as css:
        css_bytes = len(css.data)
    types = {
        "home": "/{lang}/",
        "article (ALS)": "/{lang}/articles/als-stem-cell-therapy",
        "article (MS)": "/{lang}/articles/ms-stem-cell-therapy",
        "about": "/{lang}/about",
        "search results": "/{lang}/search?q=stem",
    }
    if "ask.form" in app.view_functions:
        types["ask form"] = "/{lang}/ask"
    out = {"css_bytes": css_bytes, "pages": {}}
    for name, pattern in types.items():
        for lang in LANGS:
            response = client.get(pattern.format(lang=lang), headers=headers)
            out["pages"][f"{name} [{lang}]"] = {
                "bytes": len(response.data) + css_bytes,
                "encoding": response.headers.get("Content-Encoding"),
                "raw_bytes": len(brotli.decompress(response.data))
                if response.headers.get("Content-Encoding") == "br"
                else len(response.data),
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-scaled", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    ensure_tools()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "translate", "compile"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "search", "build", "--if-stale"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results = {
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "workers": WORKERS,
        "weights": page_weights(),
        "search": search_benchmarks(args.articles, args.skip_scaled, args.repeat),
    }
    if not args.skip_http:
        results["http"] = http_benchmarks(args.duration)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    from bench.report import write_report

    write_report(out, ROOT / "BENCHMARKS.md")
    print((ROOT / "BENCHMARKS.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
