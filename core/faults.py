"""The fault seam: kill or fail a run at a named boundary, so durability tests aim instead of relying on timing.

`STEPRESEARCH_FAULT_AT=<name>` kills the process with SIGKILL at that point, exactly as a power cut would;
`fail:<name>` raises a run-time error there instead, as a policy server that died would. Names:

- `after:<node>`: once the node's first update is out (for a fan-out: one branch's; the others running or
  done);
- `after:<node>#<k>`: once its k-th update in this process is (`after:search#2` with two branches: every
  branch written, the step not yet checkpointed: the state in which a checkpoint shows no next task);
- `before:<node>`: once the step before it is checkpointed (after a fan-out: the join);
- `before-write:<file>`: before each result file.

`KILL_CHAINS` lists every boundary of a one-round research in graph order, twice: through one branch of
each fan-out, and through all of them. A chain is run by killing at its first point, resuming with the
next point armed, and so on; each resume thus continues from the state the kill before it left.
"""

from __future__ import annotations

import os
import signal
import time

import structlog

from .errors import PolicyError

log = structlog.get_logger(__name__)

FAULT_ENV = "STEPRESEARCH_FAULT_AT"
# An `after:` kill waits this long first: LangGraph saves a finished task's writes on a background thread just
# after it streams the task's update, and the kill models a process dying once the node is done, its writes
# saved. A kill before they land is a kill inside the node, which the random-moment kills of
# benchmarks/durability.py cover.
FAULT_SETTLE_S = 0.5

_TAIL = (
    "after:write",
    "after:validate",
    "before-write:sources.json",
    "before-write:report.md",
    "before-write:run.json",
    "before-write:run.html",
)
KILL_CHAINS: dict[str, tuple[str, ...]] = {
    "one branch": (
        "after:clarify",
        "after:plan",
        "after:search#1",
        "before:compact",
        "after:compact",
        "after:verify",
        "after:reflect",
        "after:draft_section#1",
        "before:write",
        *_TAIL,
    ),
    "every branch": (
        "after:plan",
        "after:search#2",
        "after:compact",
        "after:reflect",
        "after:draft_section#2",
        *_TAIL,
    ),
}


def fault_point(name: str) -> None:
    """Kill (or fail) the process here when `STEPRESEARCH_FAULT_AT` names this point; otherwise nothing."""
    wanted = os.environ.get(FAULT_ENV)
    if wanted == name:
        log.warning("fault_injected", at=name)
        if name.startswith("after:"):
            time.sleep(FAULT_SETTLE_S)
        os.kill(os.getpid(), signal.SIGKILL)
    if wanted == f"fail:{name}":
        raise PolicyError(f"injected failure at {name} ({FAULT_ENV})")
