"""Running several server processes as one: SGLang workers and the router in front of them.

One process cannot `exec` into several, so `serve --workers N` keeps them as
children. Each gets its own process group, so a stop reaches the whole tree a
server spawns (SGLang starts scheduler and detokenizer processes). When one
exits, the rest are stopped: a router without its workers, or a worker
without its router, only looks healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)

POLL_S = 0.5  # how often the children are looked at; an exit is noticed within this
STOP_GRACE_S = 20.0  # SIGTERM first, SIGKILL after this; SGLang frees GPU memory on SIGTERM


def supervise(
    commands: list[list[str]],
    *,
    on_exit: Callable[[list[str], int], None] | None = None,
    stop_grace_s: float = STOP_GRACE_S,
) -> int:
    """Start every command, wait until one exits or a signal comes, stop the rest; return the first exit code."""
    children: list[subprocess.Popen] = []
    stopping: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for command in commands:
            children.append(subprocess.Popen(command, start_new_session=True))
            log.info("server_started", pid=children[-1].pid, command=command[:4])
        code = 0
        while not stopping:
            ended = next((c for c in children if c.poll() is not None), None)
            if ended is not None:
                code = ended.returncode
                if on_exit is not None:
                    on_exit(list(ended.args), code)  # type: ignore[arg-type]
                break
            time.sleep(POLL_S)
        if stopping:
            code = 128 + stopping[0]
        return code
    finally:
        _stop_all(children, stop_grace_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_all(children: list[subprocess.Popen], grace_s: float) -> None:
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
