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


def process_memory_mb(pid: int) -> dict[str, float] | None:
    """RSS, PSS and USS of one process in MB (``/proc/<pid>/smaps_rollup``), None if it is gone.

    Workers forked from a master that built the app share its pages copy-on-write: RSS counts
    every shared page in full in every process, PSS counts 1/n of a page n processes share (the
    PSS of all processes adds up to the memory they use), USS only the pages this one alone
    holds (what its exit would free).
    """
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    kb: dict[str, int] = {}
    for line in rollup.splitlines()[1:]:
        name, _, value = line.partition(":")
        kb[name] = int(value.split()[0])
    return {
        "rss": kb["Rss"] / 1024,
        "pss": kb["Pss"] / 1024,
        "uss": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024,
    }


def worker_memory(master_pid: int) -> list[dict[str, float]]:
    """RSS, PSS and USS (MB) of each of the master's children, the workers."""
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    found = (process_memory_mb(int(pid)) for pid in children.stdout.split())
    return [memory for memory in found if memory is not None]


def worker_rss_mb(master_pid: int) -> list[float]:
    return [memory["rss"] for memory in worker_memory(master_pid)]


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
            warm = {"workers": worker_memory(pid), "master": process_memory_mb(pid)}
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
                "memory_warm": warm,
                "memory_after": {"workers": worker_memory(pid), "master": process_memory_mb(pid)},
            }
        with serve(kind, "bench.minimal_app:create_app") as (base, startup, pid):
            urllib.request.urlopen(base + "/healthz").read()
            wrk(base + "/healthz", 2)
            results[kind]["minimal"] = {
                "startup_s": startup,
                "rss_mb": worker_rss_mb(pid),
                "memory_warm": {"workers": worker_memory(pid), "master": process_memory_mb(pid)},
            }
    return results


PLAIN_NGINX = """
server {{
    listen 127.0.0.1:{port};
    access_log off;
    root {root};
    sendfile on;
    tcp_nopush on;
    gzip off;
    gzip_static on;
    brotli_static on;
    location / {{ try_files $uri $uri/index.html =404; }}
    location ~ /$ {{ try_files ${{uri}}index.html =404; }}
}}
"""


@contextmanager
def nginx_running(site_text: str, ready: str):
    """Debian's nginx with ``WORKERS`` workers serving ``site_text``, in a folder of its own."""
    from app.web import nginx

    folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    folder.chmod(0o755)
    site = folder / "site.conf"
    site.write_text(site_text)
    conf = folder / "nginx.conf"
    conf.write_text(nginx.standalone_config(folder, site, WORKERS))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(ready)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request) as response:
        return response.read(), dict(response.headers)


def export_times() -> dict:
    """``flask export`` on a copy of the project: everything, nothing changed, and one article
    changed (its English, then the translators' extract, update and compile)."""
    from app import create_app
    from app.web.export import export

    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        for name in ("content", "translations"):
            shutil.copytree(ROOT / name, work / name)
        config = {
            "CONTENT_DIR": str(work / "content"),
            "TRANSLATIONS_DIR": str(work / "translations"),
            "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
            "INSTANCE_PATH": str(work / "instance"),
        }
        out = work / "export"
        full = export(create_app(config), out)
        unchanged = export(create_app(config), out)
        article = work / "content" / "ms-stem-cell-therapy.md"
        lines = article.read_text(encoding="utf-8").split("\n")
        body = lines.index("---", 1) + 1
        at = next(i for i in range(body, len(lines)) if lines[i][:1].isalpha())
        lines[at] += " Ask your own doctor first."
        article.write_text("\n".join(lines), encoding="utf-8")
        runner = create_app(config).test_cli_runner()
        for step in ("extract", "update", "compile"):
            result = runner.invoke(args=["translate", step])
            if result.exit_code:
                raise RuntimeError(result.output)
        changed = export(create_app(config), out)
        return {
            name: {"seconds": r.seconds, "written": r.written, "reused": r.reused}
            for name, r in (("full", full), ("unchanged", unchanged), ("one_article", changed))
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def static_benchmarks(duration: int, app_article_rps: float | None) -> dict:
    """Reading pages from the export through deploy/nginx.conf, against nginx serving the same
    precompressed files with a plain configuration (no headers, no ETag map): same bytes, same
    encoding (brotli 11, as wrk asks for ``br, gzip``), same workers, same wrk."""
    from app import create_app
    from app.web import nginx
    from app.web.export import export

    work = Path(tempfile.mkdtemp(prefix="bench-static-"))
    work.chmod(0o755)  # nginx's workers must read the files
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    try:
        app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index"), "SITE_URL": origin})
        export(app, work / "export")
        env = {
            "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
            "SITE_URL": origin,
            "TRUSTED_PROXIES": "1",
        }
        paths = article_paths()
        with serve("granian", "app:create_app", env) as (base, _startup, _pid):
            site = nginx.site_config(
                f"127.0.0.1:{port}", "127.0.0.1", work / "export", base.removeprefix("http://")
            )
            with nginx_running(site, f"{origin}{paths[0]}"):
                ours = {path: fetch(origin + path) for path in paths}
                export_run = wrk(origin + "/", duration, paths)
        plain_port = free_port()
        plain_origin = f"http://127.0.0.1:{plain_port}"
        plain_site = PLAIN_NGINX.format(port=plain_port, root=work / "export" / "current")
        with nginx_running(plain_site, f"{plain_origin}{paths[0]}"):
            plain = {path: fetch(plain_origin + path) for path in paths}
            plain_run = wrk(plain_origin + "/", duration, paths)
        same_bytes = all(ours[path][0] == plain[path][0] for path in paths)
        encodings = sorted({headers.get("Content-Encoding", "") for _, headers in ours.values()})
        return {
            "export": export_run,
            "plain": plain_run,
            "same_bytes": same_bytes,
            "encodings": encodings,
            "bytes_per_page": sum(len(body) for body, _ in ours.values()) / len(paths),
            "ratio_export_to_plain": export_run["rps"] / plain_run["rps"],
            "ratio_app_to_export": (app_article_rps / export_run["rps"])
            if app_article_rps
            else None,
            "export_times": export_times(),
        }
    finally:
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
    """Per-query latency by category, as the service runs the engine (its glossaries and time
    budget) but without its result cache; against the engine's trivial query on the same index.
    Also how many sections a query matches, and how many searches ran out of time."""
    from whoosh.query import Term

    from app.search.query import clean, run

    searcher = service._open()
    baseline = []
    for _ in range(repeat * 20):
        start = time.perf_counter()
        searcher.search(Term("lang", "en"), limit=10)
        baseline.append((time.perf_counter() - start) * 1000)
    out = {"baseline_trivial_query": percentiles(baseline)}
    documents = searcher.doc_count() / len(LANGS)
    everything = []
    for category, by_lang in QUERIES.items():
        samples, matched, partial = [], [], 0
        for _ in range(repeat):
            for lang, queries in by_lang.items():
                for query in queries:
                    start = time.perf_counter()
                    page = run(
                        searcher,
                        clean(query),
                        lang,
                        glossaries=service.glossaries,
                        budget_ms=service.budget_ms,
                    )
                    samples.append((time.perf_counter() - start) * 1000)
                    matched.append(page.total / documents)
                    partial += page.partial
        out[category] = {
            **percentiles(samples),
            "median_matched_share": sorted(matched)[len(matched) // 2],
            "partial": partial,
        }
        everything += samples
    out["all"] = percentiles(everything)
    return out


def search_benchmarks(articles: int, skip_scaled: bool, repeat: int) -> dict:
    """The real index, then each synthetic corpus (``bench.corpus``) of ``articles`` articles:
    built with our analysis and with Whoosh's default analyser, then searched."""
    from app import create_app
    from app.content.store import ContentStore
    from app.search import SearchService, build_index
    from app.search import site as search_site

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    real = search_site.service(app)
    build_index(real.store, real.root, real.languages, only_if_stale=True)
    results: dict = {"budget_ms": real.budget_ms, "real": search_latency(real, repeat)}
    if skip_scaled:
        return results
    from bench.corpus import KINDS, make_corpus

    results["corpora"] = {}
    for kind in KINDS:
        work = Path(tempfile.mkdtemp(prefix=f"bench-corpus-{kind}-"))
        try:
            make_corpus(work, articles, LANGS, kind=kind)
            store = ContentStore(work / "content", work / "translations", LANGS, "en")
            sections = sum(len(a.sections) for a in store.library.articles) * len(LANGS)
            start = time.perf_counter()
            build_index(store, work / "index", LANGS)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            default_analyser_build(store, work / "plain", LANGS)
            plain = time.perf_counter() - start
            service = SearchService(work / "index", store, LANGS, budget_ms=real.budget_ms)
            results["corpora"][kind] = {
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


def in_process_costs(repeat: int = 2000) -> dict:
    """Microseconds per request through the app's WSGI callable (Flask's test client, no
    network), for /healthz and a cached article in brotli: what Python does per request,
    without the bytes crossing a socket. Explains the over-HTTP ratios of section 1."""
    from app import create_app

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    client = app.test_client(use_cookies=False)
    headers = {"Accept-Encoding": "br, gzip"}
    paths = {"healthz": "/healthz", "article": "/en/articles/als-stem-cell-therapy"}
    for path in paths.values():
        for _ in range(3):
            client.get(path, headers=headers)
    app.extensions["recompressor"].wait()
    out: dict = {}
    for name, path in paths.items():
        start = time.perf_counter()
        for _ in range(repeat):
            client.get(path, headers=headers)
        out[f"{name}_us"] = (time.perf_counter() - start) / repeat * 1e6
        out[f"{name}_bytes"] = len(client.get(path, headers=headers).data)
    return out


def page_weights() -> dict:
    """Each page as the first reader gets it from the app once it is warmed up as the server's
    master warms it (``app.warm``: reading pages already at their best level; others
    compressed at the fast level on the request path), and as every later reader, and nginx
    from the export, gets it (the best level), with the stylesheet the same way."""
    import re

    import brotli

    from app import create_app
    from app.warm import warm

    app = create_app({"SEARCH_INDEX_DIR": str(ROOT / "search_index")})
    warm(app)
    client = app.test_client()
    headers = {"Accept-Encoding": "br, gzip"}
    recompressor = app.extensions["recompressor"]

    def first_and_best(path: str) -> tuple[bytes, bytes]:
        first = client.get(path, headers=headers).data
        client.get(path, headers=headers)  # read again: recompressed at the best level
        recompressor.wait()
        return first, client.get(path, headers=headers).data

    home = brotli.decompress(first_and_best("/en/")[1]).decode()
    css_path = re.search(r'href="(/static/site\.css[^"]*)"', home)[1]  # type: ignore[index]
    css_first, css_best = (len(body) for body in first_and_best(css_path))
    types = {
        "home": "/{lang}/",
        "article (ALS)": "/{lang}/articles/als-stem-cell-therapy",
        "article (MS)": "/{lang}/articles/ms-stem-cell-therapy",
        "about": "/{lang}/about",
        "search results": "/{lang}/search?q=stem",
    }
    if "ask.form" in app.view_functions:
        types["ask form"] = "/{lang}/ask"
    out: dict = {"css_bytes": css_best, "css_first_bytes": css_first, "pages": {}}
    for name, pattern in types.items():
        for lang in LANGS:
            first, best = first_and_best(pattern.format(lang=lang))
            out["pages"][f"{name} [{lang}]"] = {
                "bytes": len(best) + css_best,
                "first_bytes": len(first) + css_first,
                "raw_bytes": len(brotli.decompress(best)),
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
        results["in_process"] = in_process_costs()
        app_rps = results["http"].get("granian", {}).get("article", {}).get("rps")
        results["static"] = static_benchmarks(args.duration, app_rps)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    from bench.report import write_report

    write_report(out, ROOT / "BENCHMARKS.md")
    print((ROOT / "BENCHMARKS.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
