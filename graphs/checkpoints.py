"""Checkpointers whose serializer knows our state types by name.

LangGraph's default serializer warns on (and will later refuse) classes it
was not told about. Registering ours keeps resumed runs working and the log
quiet, without allowing arbitrary classes to be revived from a database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from stepresearch import state as state_module
from stepresearch.core.errors import UsageError

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

POSTGRES_EXTRA = "pip install 'stepresearch[postgres]'"


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


@contextmanager
def postgres_checkpointer(url: str) -> Iterator[PostgresSaver]:
    """A PostgreSQL checkpointer for `invoke`/`stream`, for apps whose runs outlive one process or machine.

    ```python
    with postgres_checkpointer("postgresql://user@127.0.0.1:5432/db") as saver:
        graph = build_graph(checkpointer=saver)
    ```
    Its tables are created on first use. A run killed in one process is resumed from another with
    `graph.invoke(None, {"configurable": {"thread_id": ...}}, context=...)`.
    """
    saver_class = _postgres_classes()[0]
    from psycopg import Connection

    with _connection_errors(url):
        conn = Connection.connect(url, **_connection_options())
    with conn:
        saver = saver_class(conn, serde=serializer())
        saver.setup()
        yield saver


@asynccontextmanager
async def async_postgres_checkpointer(url: str) -> AsyncIterator[AsyncPostgresSaver]:
    """`postgres_checkpointer` for `ainvoke`/`astream`: LangGraph's async saver, on an async connection."""
    saver_class = _postgres_classes()[1]
    from psycopg import AsyncConnection

    with _connection_errors(url):
        conn = await AsyncConnection.connect(url, **_connection_options())
    async with conn:
        saver = saver_class(conn, serde=serializer())
        await saver.setup()
        yield saver


# What LangGraph's savers need of a connection: autocommit (each checkpoint is its own transaction), no
# server-side prepared statements (they break behind PgBouncer), and rows as dicts.
def _connection_options() -> dict[str, Any]:
    from psycopg.rows import dict_row

    return {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}


def _postgres_classes() -> tuple[type, type]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    except ImportError as exc:
        raise UsageError(f"the PostgreSQL checkpointer needs its extra: {POSTGRES_EXTRA}") from exc
    return PostgresSaver, AsyncPostgresSaver


@contextmanager
def _connection_errors(url: str) -> Iterator[None]:
    """A server that cannot be reached is one line naming it, without the password."""
    from psycopg import OperationalError

    try:
        yield
    except OperationalError as exc:
        shown = url.split("@")[-1] if "@" in url else url
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot connect to PostgreSQL at {shown}: {first}") from exc
