"""Checkpointers whose serializer knows our state types by name.

LangGraph's default serializer warns on (and will later refuse) classes it
was not told about. Registering ours keeps resumed runs working and the log
quiet, without allowing arbitrary classes to be revived from a database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from stepresearch import state as state_module


def state_types() -> list[tuple[str, str]]:
    names = [n for n in state_module.__all__ if isinstance(getattr(state_module, n), type)]
    return [(getattr(state_module, n).__module__, n) for n in names]


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=state_types())


def sqlite_checkpointer(path: str | Path) -> SqliteSaver:
    """A SQLite checkpointer for one run folder; WAL mode so a killed run leaves a readable file."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn, serde=serializer())
        saver.setup()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return saver
