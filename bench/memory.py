"""Where a worker's memory goes: the resident memory each step of building and warming the app
adds, in one fresh process, by top-level package for imports and by area after that.

    .venv/bin/python bench/memory.py [--top 18]

Prints the table and keeps it in bench/results/memory.json, from which section 4 of
BENCHMARKS.md is written (bench/report.py) when the benchmarks are next written.

Imports are measured like ``python -X importtime`` measures time: the resident memory a module's
own loading adds, without the modules it imports (each counted under its own package). What
``create_app`` builds is attributed with tracemalloc by the file that allocated it; warm-up is
measured a kind of page at a time, as a worker meets them. Figures are RSS deltas of this
process, so a library's shared objects count where they are first loaded.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 2**20


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class ImportMeter:
    """Each module's own resident memory as it loads, summed by top-level package."""

    def __init__(self) -> None:
        import _frozen_importlib as bootstrap  # the import system's own module

        self.bootstrap = bootstrap
        self.original = bootstrap._load_unlocked  # type: ignore[attr-defined]
        self.own: collections.Counter[str] = collections.Counter()
        self.stack: list[int] = []

    def _load(self, spec):
        start = rss()
        self.stack.append(0)
        try:
            return self.original(spec)
        finally:
            total = rss() - start
            nested = self.stack.pop()
            self.own[spec.name.split(".")[0]] += total - nested
            if self.stack:
                self.stack[-1] += total

    def __enter__(self) -> ImportMeter:
        self.bootstrap._load_unlocked = self._load  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc) -> None:
        self.bootstrap._load_unlocked = self.original  # type: ignore[attr-defined]


def area(filename: str) -> str:
    """Which package or area of ours allocated in ``filename``."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if str(ROOT / "app") in filename:
        return "app." + filename.split(str(ROOT / "app") + "/", 1)[1].split("/", 1)[0]
    return "stdlib and imports"


def build_index(folder: Path) -> None:
    """In a process of its own: building must not leave its memory in the one measured."""
    env = {**os.environ, "SEARCH_INDEX_DIR": str(folder)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "search", "build"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)


def allocated_by_create_app(index: Path) -> collections.Counter[str]:
    """What ``create_app`` allocates, by package (tracemalloc, in a process of its own: tracing
    costs memory of its own, which must not count in the figures measured here)."""
    probe = (
        "import json, sys, tracemalloc; sys.path.insert(0, sys.argv[1]); import app;"
        "from bench.memory import area; tracemalloc.start(1);"
        "app.create_app({'SEARCH_INDEX_DIR': sys.argv[2]});"
        "found = {};"
        "[found.__setitem__(k, found.get(k, 0) + s.size) for s in"
        " tracemalloc.take_snapshot().statistics('filename')"
        " for k in [area(s.traceback[0].filename)]];"
        "print(json.dumps(found))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT), str(index)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return collections.Counter(json.loads(done.stdout.splitlines()[-1]))


def measure(top: int) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = [("Python interpreter at start", rss() / MB)]
    before = rss()
    with ImportMeter() as meter:
        import app
        from app.web.caching import page_bytes

    imported = rss() - before
    ranked = meter.own.most_common()
    for name, size in ranked[:top]:
        rows.append((f"import {name}", size / MB))
    rows.append(
        (f"import: {len(ranked) - top} other packages", sum(s for _, s in ranked[top:]) / MB)
    )
    rows.append(("imports, total", imported / MB))

    index = Path(tempfile.mkdtemp(prefix="memory-index-"))
    build_index(index)
    start = rss()
    application = app.create_app(
        {"SEARCH_INDEX_DIR": str(index), "SEARCH_RATE_LIMIT": "1000000 per minute"}
    )
    built = rss() - start
    for name, size in allocated_by_create_app(index).most_common(4):
        rows.append((f"create_app, allocated in {name} (tracemalloc)", size / MB))
    rows.append(("create_app, total (articles, catalogs, Babel locale data, routes)", built / MB))

    client = application.test_client()
    langs = [lang.code for lang in application.extensions["languages"]]
    slugs = application.extensions["content"].library.slugs
    steps = {
        "warm: reading pages (home, about, articles; every language)": [
            f"/{lang}{path}"
            for lang in langs
            for path in ["/", "/about", *(f"/articles/{slug}" for slug in slugs)]
        ],
        "warm: search (index reader, engine modules, result pages)": [
            f"/{lang}/search?q=stem+cell" for lang in langs
        ],
        "warm: ask form (country and language names, collation)": [
            f"/{lang}/ask" for lang in langs
        ],
    }
    before_steps = rss()
    for label, paths in steps.items():
        start = rss()
        for path in paths:
            for encoding in ("br", "gzip"):
                client.get(path, headers={"Accept-Encoding": encoding})
        rows.append((label, (rss() - start) / MB))
    application.extensions["recompressor"].wait()
    for name in ("page_cache", "search_page_cache"):
        cache = application.extensions[name]
        weight = sum(page_bytes(page) for page in cache._items.values())
        rows.append((f"of which {name}: {len(cache)} pages", weight / MB))
    rows.append(("warm-up, total", (rss() - before_steps) / MB))
    rows.append(("process after warm-up (RSS)", rss() / MB))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args()
    rows = measure(args.top)
    print("| module or area | MB |")
    print("|---|---|")
    for label, size in rows:
        print(f"| {label} | {size:.1f} |")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "memory.json").write_text(json.dumps({"rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
