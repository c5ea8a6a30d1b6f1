"""The production server ``make serve`` runs: granian under a small supervisor that always stops.

``python -m app.server`` starts granian with ``HOST``, ``PORT`` and ``WEB_CONCURRENCY`` (default:
one worker per core) from the environment; a worker that dies is replaced.

Why granian through its Python API (``master``) rather than its command line: the command line
builds the app in every worker after the fork, so each worker holds its own copy of the site's
modules, articles, catalogs and Babel locale data. The master here builds the app once, freezes it
out of the garbage collector's passes (``gc.freeze``, which would otherwise write to every object
and unshare its page), and the workers fork from it, sharing those pages copy-on-write. What must
not be shared is opened after the fork, in each worker: the search index (``SearchService`` opens
it per process id), database connections (none is made at start-up) and the recompression thread.

Why a supervisor: granian's master handles SIGTERM/SIGINT in a Python signal handler that sets a
``threading.Event`` while the interrupted main thread may be inside ``Event.wait()`` holding the
same lock, so a signal that lands at that instant (most often the second of two, as when make and
the master both get Ctrl-C) deadlocks the master for good. The supervisor runs granian in a
session of its own, so terminal and process-group signals reach only the supervisor; it takes
them synchronously (``sigtimedwait``, no handler), sends the master exactly one SIGTERM, and kills
granian's whole process group if it has not exited ``STOP_GRACE`` seconds later. If the master
dies on its own, its workers are killed at once rather than left serving stale code, and the
supervisor exits with the master's status for the service manager to restart.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import signal
import subprocess  # nosec B404
import sys
import time
from collections.abc import Callable
from typing import Any

#: One blocking thread per worker measured best on 2 cores: more threads only queue requests
#: behind the GIL. Access logs stay off: a search address can be health information.
#: ``workers_kill_timeout`` bounds a worker that does not stop when asked.
OPTIONS: dict[str, Any] = {
    "blocking_threads": 1,
    "websockets": False,
    "respawn_failed_workers": True,
    "respawn_interval": 0.5,
    "workers_kill_timeout": 4,
    "log_access": False,
}
HEADER_READ_TIMEOUT_MS = 10000
TARGET = "app:create_app"
#: Seconds between the one SIGTERM to granian's master and SIGKILL to its process group.
STOP_GRACE = 7.0
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}
WATCHED = STOP_SIGNALS | {signal.SIGCHLD}
PR_SET_PDEATHSIG = 1
#: glibc's ``mallopt`` parameters, and the size from which a block is its own mapping.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
LARGE_BLOCK = 128 * 1024


def command(host: str, port: int, workers: int, target: str = TARGET) -> list[str]:
    """The granian master's command line: ``target`` is a factory, ``module:function``."""
    return [
        sys.executable, "-m", "app.server", "master", host, str(port), str(workers), target,
    ]  # fmt: skip


def return_freed_memory() -> None:
    """Make glibc give large freed blocks back to the system (for this process and the workers
    it forks). By default its threshold for mapping a block of its own rises to 32 MB after the
    first large block is freed, so brotli's working memory for each best-level compression
    stays in the heap afterwards; and every thread gets an arena of its own."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
        libc.mallopt(M_TRIM_THRESHOLD, LARGE_BLOCK)
        libc.mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc: its allocator keeps its own policy
        pass


def load(target: str) -> Callable[..., Any]:
    """The WSGI app ``target``'s factory builds (``module:function``)."""
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory or "create_app")()


def master(host: str, port: int, workers: int, target: str = TARGET) -> None:
    """granian's master with the app built once, before the workers fork (see the docstring)."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    return_freed_memory()
    wsgi = load(target)
    if target == TARGET:
        from app.warm import warm

        warm(wsgi)  # type: ignore[arg-type]
    # Objects made so far live as long as the master: keep the collector's passes (which write
    # to every object they visit) off them, so that their pages stay shared with the workers.
    gc.collect()
    gc.freeze()
    server = Granian(
        target,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
        log_level=LogLevels.warning,
        **OPTIONS,
    )
    # Each worker calls the loader after the fork: it gets the master's app, copy-on-write.
    server.serve(target_loader=lambda _target: wsgi)


def _prepare_child() -> None:
    """In the child before exec: normal signals again, and SIGTERM if the supervisor dies."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, WATCHED)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's own checks still apply
        pass


def _exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (its process group id stays ours)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def supervise(args: list[str], grace: float = STOP_GRACE) -> int:
    """Run ``args`` in a new session until it exits; stop it on SIGTERM, SIGINT or SIGQUIT.

    Returns the server's exit status: 0 after a requested stop that it finished in time.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    # Our own fixed command line: nothing in it comes from a request or a user.
    child = subprocess.Popen(  # nosec B603
        args,
        start_new_session=True,
        preexec_fn=_prepare_child,  # noqa: PLW1509
    )
    stop_requested_at: float | None = None
    while True:
        received = signal.sigtimedwait(WATCHED, 0.25)
        if _exited(child.pid):
            # Workers of a master that died (or that left them behind) never outlive it.
            _kill_group(child.pid)
            code = child.wait()
            return 0 if stop_requested_at is not None and code in (0, -signal.SIGTERM) else code
        if received and received.si_signo in STOP_SIGNALS and stop_requested_at is None:
            stop_requested_at = time.monotonic()
            os.kill(child.pid, signal.SIGTERM)
        if stop_requested_at is not None and time.monotonic() - stop_requested_at > grace:
            _kill_group(child.pid)


def main() -> None:
    if sys.argv[1:2] == ["master"]:
        host, port, workers, target = sys.argv[2:6]
        master(host, int(port), int(workers), target)
        return
    args = command(
        os.environ.get("HOST", "127.0.0.1"),
        int(os.environ.get("PORT", "8000")),
        int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2)),
    )
    sys.exit(supervise(args))


if __name__ == "__main__":
    main()
