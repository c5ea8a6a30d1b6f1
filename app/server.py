"""The production server ``make serve`` runs: granian under a small supervisor that always stops.

``python -m app.server`` starts granian with ``HOST``, ``PORT`` and ``WEB_CONCURRENCY`` (default:
one worker per core) from the environment. Each worker builds its own app (so the search index is
opened after the fork); a worker that dies is replaced.

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
import os
import shutil
import signal
import subprocess  # nosec B404
import sys
import time
from pathlib import Path

#: One blocking thread per worker measured best on 2 cores: more threads only queue requests
#: behind the GIL. Access logs stay off: a search address can be health information.
#: ``--workers-kill-timeout`` bounds a worker that does not stop when asked.
OPTIONS = [
    "--interface", "wsgi", "--factory", "--no-ws",
    "--blocking-threads", "1",
    "--respawn-failed-workers", "--respawn-interval", "0.5",
    "--workers-kill-timeout", "4",
    "--http1-header-read-timeout", "10000",
    "--log-level", "warning",
]  # fmt: skip
TARGET = "app:create_app"
#: Seconds between the one SIGTERM to granian's master and SIGKILL to its process group.
STOP_GRACE = 7.0
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}
WATCHED = STOP_SIGNALS | {signal.SIGCHLD}
PR_SET_PDEATHSIG = 1


def command(host: str, port: int, workers: int, target: str = TARGET) -> list[str]:
    binary = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    return [
        binary, *OPTIONS, "--workers", str(workers), "--host", host, "--port", str(port), target,
    ]  # fmt: skip


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
    args = command(
        os.environ.get("HOST", "127.0.0.1"),
        int(os.environ.get("PORT", "8000")),
        int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2)),
    )
    sys.exit(supervise(args))


if __name__ == "__main__":
    main()
