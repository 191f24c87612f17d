"""Compiled research graphs, the node registry, checkpointers (SQLite, PostgreSQL), the prompt recorder and Mermaid export."""

from .builder import DEFAULT_NODES, FIXED_EDGES, NodeInsert, ResearchGraph, build_graph, mermaid
from .checkpoints import async_postgres_checkpointer, postgres_checkpointer, sqlite_checkpointer
from .prompt_recorder import PromptRecorder

__all__ = [
    "DEFAULT_NODES",
    "FIXED_EDGES",
    "NodeInsert",
    "PromptRecorder",
    "ResearchGraph",
    "async_postgres_checkpointer",
    "build_graph",
    "mermaid",
    "postgres_checkpointer",
    "sqlite_checkpointer",
]
