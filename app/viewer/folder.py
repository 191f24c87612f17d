"""Reading a run folder for the viewer: its latest state, whether it is still going, and its run.json.

The state comes from the folder's checkpoint database, opened read-only, so
that a run still going (it holds the folder's lock and keeps writing
checkpoints) is shown up to its last finished step, and a killed run up to
where it stopped. Anything wrong with the folder is one `UsageError` line.
"""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

from stepresearch.app.run_folder import CHECKPOINT_FILE, LOCK_FILE, REPORT_FILE, RUN_FILE, THREAD_FILE
from stepresearch.app.run_record import load_run_record
from stepresearch.core.errors import UsageError
from stepresearch.graphs.checkpoints import serializer
from stepresearch.state import ResearchState

from .view import RunStatus


class RunSnapshot(BaseModel):
    """A run folder as it is now."""

    state: dict[str, Any]
    status: RunStatus
    record: dict[str, Any] | None = None


def read_run(folder: Path) -> RunSnapshot:
    """The run in `folder`: its latest checkpointed state, its status, and its run.json if it has one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"no run folder at {folder}")
    record = read_record(folder)
    running = is_running(folder)
    state = read_state(folder)
    if state is None:
        if running:
            raise UsageError(f"the run in {folder} has not finished its first step yet; try again in a moment")
        raise UsageError(
            f"{folder} holds no {CHECKPOINT_FILE}, so there is no run state to show"
            + (" (its run.json alone does not hold the report's sources)" if record is not None else "")
        )
    finished = record is not None and (folder / REPORT_FILE).is_file() and state.get("report") is not None
    status: RunStatus = "running" if running else ("finished" if finished else "stopped")
    return RunSnapshot(state=state, status=status, record=record)


def read_record(folder: Path) -> dict[str, Any] | None:
    """run.json, validated (`RunRecord`), or None while the run has not written it; a corrupt or older one
    is a clear error."""
    path = folder / RUN_FILE
    if not path.is_file():
        return None
    return load_run_record(path).model_dump(mode="json")


def read_state(folder: Path) -> ResearchState | None:
    """The latest checkpointed state of the folder's run, read without taking the writer's lock."""
    path = folder / CHECKPOINT_FILE
    thread = folder / THREAD_FILE
    if not path.is_file() or not thread.is_file():
        return None
    thread_id = thread.read_text(encoding="utf-8").strip()
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot open {path}: {exc}") from None
    try:
        saver = SqliteSaver(conn, serde=serializer())
        found = saver.get_tuple({"configurable": {"thread_id": thread_id}})
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path} is not a readable checkpoint database: {exc}") from None
    finally:
        conn.close()
    if found is None:
        return None
    return dict(found.checkpoint.get("channel_values") or {})  # type: ignore[return-value]


def is_running(folder: Path) -> bool:
    """A run holds the folder's lock exclusively for as long as it runs (`RunFolder`); test it without taking it."""
    path = folder / LOCK_FILE
    if not path.is_file():
        return False
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False
