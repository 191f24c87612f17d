"""Compiled research graphs, the node registry, checkpointers and Mermaid export."""

from .builder import DEFAULT_NODES, build_graph, mermaid
from .checkpoints import sqlite_checkpointer

__all__ = ["DEFAULT_NODES", "build_graph", "mermaid", "sqlite_checkpointer"]
