"""The production server ``make serve`` runs: granian, measured fastest here (BENCHMARKS.md).

``python -m app.server`` starts it with ``HOST``, ``PORT`` and ``WEB_CONCURRENCY`` (default: one
worker per core) from the environment. Each worker builds its own app (so the search index is
opened after the fork); a worker that dies is replaced.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: One blocking thread per worker measured best on 2 cores: more threads only queue requests
#: behind the GIL. Access logs stay off: a search address can be health information.
OPTIONS = [
    "--interface", "wsgi", "--factory", "--no-ws",
    "--blocking-threads", "1",
    "--respawn-failed-workers", "--respawn-interval", "0.5",
    "--http1-header-read-timeout", "10000",
    "--log-level", "warning",
]  # fmt: skip
TARGET = "app:create_app"


def command(host: str, port: int, workers: int, target: str = TARGET) -> list[str]:
    binary = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    return [
        binary, *OPTIONS, "--workers", str(workers), "--host", host, "--port", str(port), target,
    ]  # fmt: skip


def main() -> None:
    args = command(
        os.environ.get("HOST", "127.0.0.1"),
        int(os.environ.get("PORT", "8000")),
        int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2)),
    )
    # Our own fixed command line: nothing in it comes from a request or a user.
    os.execv(args[0], args)  # nosec B606


if __name__ == "__main__":
    main()
