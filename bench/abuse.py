"""What one client can cost the server: the per-client search limit over HTTP, and the work the
abuse limits avoid per request, measured in-process. Not run in CI.

    .venv/bin/python bench/abuse.py [--duration 10]

1. Over HTTP (granian, as ``make serve`` runs it, default limits): one client (wrk, 8
   connections) sending searches never asked before, with the limit and with it lifted; what
   it gets through per second, and what the refused requests cost.
2. In-process, on the real index: respelling a query of 8 invented 12-letter words, bounded
   (``MAX_RESPELL``) against every word; the first compression of a fresh article page at the
   fast level against brotli 11; an article asked for with invented query strings.

Writes bench/results/abuse.json and its section of BENCHMARKS.md, leaving the rest as it is.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search import site as search_site  # noqa: E402
from bench.run import BIN, LANGS, WORKERS, article_paths, serve, wrk  # noqa: E402

HEADING = "## 7. What one client can cost (abuse limits)"
LETTERS = "bcdfghklmnprstvz"


def invented(words: int = 8, letters: int = 12, seed: int | None = None) -> str:
    pick = random.Random(seed)
    return " ".join("".join(pick.choice(LETTERS) for _ in range(letters)) for _ in range(words))


def timed(fn, repeat: int) -> float:
    """Median milliseconds of ``fn()`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def over_http(duration: int) -> dict:
    """One client's new searches, limited (the default) and with the limit lifted."""
    # Seven invented words; wrk adds an eighth, a counter, so the engine never saw the query.
    paths = [f"/{lang}/search?q={quote(invented(7, seed=n))}" for n, lang in enumerate(LANGS)]
    results = {}
    for name, limit in (("limited", None), ("unlimited", "1000000 per minute")):
        env = {"SEARCH_INDEX_DIR": str(ROOT / "search_index")}
        if limit:
            env["SEARCH_RATE_LIMIT"] = limit
        with serve("granian", "app:create_app", env) as (base, _, _):
            report = wrk(base + "/", duration, paths, connections=8, mode="newquery")
        report["accepted"] = report["requests"] - report["non2xx3xx"]
        report["accepted_per_s"] = report["accepted"] / (report["duration_us"] / 1e6)
        results[name] = report
    return results


def in_process(repeat: int) -> dict:
    from app import create_app
    from app.search.query import MAX_RESPELL, clean, suggest
    from app.web.caching import FAST_BROTLI, compress

    app = create_app(
        {
            "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-abuse-"),
            "RATELIMIT_ENABLED": False,
        }
    )
    searcher = search_site.service(app)._open()
    queries = [clean(invented(seed=n)) for n in range(repeat)]
    respell = {
        limit: statistics.median(
            timed(lambda q=q, n=limit: suggest(searcher, q, "en", limit=n), 1) for q in queries
        )
        for limit in (MAX_RESPELL, 8)
    }
    client = app.test_client()
    bodies = [client.get(path).data for path in article_paths()]
    fast = statistics.median(
        timed(lambda b=b: compress(b, "text/html").encode("br"), repeat) for b in bodies
    )
    best = statistics.median(
        timed(lambda b=b: compress(b, "text/html").recompress("br"), repeat) for b in bodies
    )
    search = "/en/search?q=" + quote(invented(7, seed=0))
    client.get(search + "+warm").close()
    counter = iter(range(10**9))
    served = timed(lambda: client.get(f"{search}+zq{next(counter)}").close(), repeat)
    limited = create_app(
        {
            "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-abuse-"),
            "RATELIMIT_ENABLED": True,
            "SEARCH_RATE_LIMIT": "1 per day",
        }
    ).test_client()
    limited.get(search).close()
    refused = timed(lambda: limited.get(f"{search}+zq{next(counter)}").close(), repeat * 10)
    article = article_paths()[0]
    cache = app.extensions["page_cache"]
    pages_before = len(cache)
    counter = iter(range(10**9))
    junk = timed(lambda: client.get(f"{article}?junk={next(counter)}").close(), repeat * 10)
    return {
        "respell_ms": {str(k): v for k, v in respell.items()},
        "max_respell": MAX_RESPELL,
        "fast_level": FAST_BROTLI,
        "compress_fast_ms": fast,
        "compress_best_ms": best,
        "article_bytes": statistics.median(len(b) for b in bodies),
        "junk_query_ms": junk,
        "new_search_ms": served,
        "refused_ms": refused,
        "junk_pages_added": len(cache) - pages_before,
        "junk_requests": repeat * 10,
    }


def section(r: dict) -> list[str]:
    """BENCHMARKS.md's section for these results (also used by bench/report.py)."""
    http, local = r["http"], r["in_process"]
    limited, free = http["limited"], http["unlimited"]
    respell = local["respell_ms"]
    return [
        HEADING,
        "",
        f"Made by `.venv/bin/python {r['command']}` on {r['date']}. Over HTTP: granian with "
        f"{r['workers']} workers, the default `SEARCH_RATE_LIMIT` ({r['limit']}, counted per "
        "worker in memory unless `RATELIMIT_STORAGE_URI` points at Redis), one client (wrk, 8 "
        f"connections, {r['duration_s']} s) asking for searches of 7 invented 12-letter words "
        "and a counter, each one new to the engine and to the page cache.",
        "",
        "| figure | limit lifted | default limit |",
        "|---|---|---|",
        f"| requests sent per second | {free['rps']:.0f} | {limited['rps']:.0f} |",
        f"| searches served (200) | {free['accepted']} ({free['accepted_per_s']:.1f}/s) | "
        f"{limited['accepted']} (the allowance for the minute, taken at once) |",
        f"| refused (429), of all requests | {free['non2xx3xx']} | {limited['non2xx3xx']} "
        f"of {limited['requests']} |",
        f"| p50 / p99 latency | {free['p50_us'] / 1000:.1f} / {free['p99_us'] / 1000:.1f} ms | "
        f"{limited['p50_us'] / 1000:.1f} / {limited['p99_us'] / 1000:.1f} ms |",
        "",
        "Work per request, in-process on the real index (median):",
        "",
        "| work | before | now | avoided |",
        "|---|---|---|---|",
        f"| respelling 8 invented 12-letter words | {respell['8']:.0f} ms (every word) | "
        f"{respell[str(local['max_respell'])]:.0f} ms ({local['max_respell']} words) | "
        f"{respell['8'] - respell[str(local['max_respell'])]:.0f} ms |",
        f"| first compression of a fresh article page ({local['article_bytes'] / 1024:.0f} KB)"
        f" | {local['compress_best_ms']:.0f} ms (brotli 11) | {local['compress_fast_ms']:.1f} ms "
        f"(brotli {local['fast_level']}; 11 later, off the request path, once read again) | "
        f"{local['compress_best_ms'] - local['compress_fast_ms']:.0f} ms |",
        f"| a new search over the limit | {local['new_search_ms']:.0f} ms (search, render, "
        f"compression) | {local['refused_ms']:.1f} ms (a 429 page) | "
        f"{local['new_search_ms'] - local['refused_ms']:.0f} ms |",
        f"| an article with an invented query string | a render and a compression, and a "
        f"page pushed out of the cache | {local['junk_query_ms']:.2f} ms, from the cache "
        f"({local['junk_pages_added']} pages added for {local['junk_requests']} requests) | "
        "the render and compression |",
        "",
        "Without the limit one client keeps every worker busy with new searches; with it, one "
        "client address gets a person's rate of searches through, and every further request "
        "is answered 429 before any search, costing a short error page instead.",
        "",
    ]


def splice(path: Path, lines: list[str]) -> None:
    """Replace this benchmark's section of ``path``, or add it at the end; nothing else."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = "\n".join(lines)
    start = text.find(HEADING)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + new, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(HEADING))
    rest = text[end + 1 :] if end >= 0 else ""
    path.write_text(text[:start] + new + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "search", "build", "--if-stale"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    from app.config import defaults

    result = {
        "command": " ".join(["bench/abuse.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d"),
        "workers": WORKERS,
        "duration_s": args.duration,
        "limit": defaults(ROOT / "instance")["SEARCH_RATE_LIMIT"],
        "http": over_http(args.duration),
        "in_process": in_process(args.repeat),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "abuse.json").write_text(json.dumps(result, indent=2))
    splice(ROOT / "BENCHMARKS.md", section(result))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
