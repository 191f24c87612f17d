"""Compiled research graphs, the node registry, checkpointers, the prompt recorder and Mermaid export."""

from .builder import DEFAULT_NODES, ResearchGraph, build_graph, mermaid
from .checkpoints import sqlite_checkpointer
from .prompt_recorder import PromptRecorder

__all__ = ["DEFAULT_NODES", "PromptRecorder", "ResearchGraph", "build_graph", "mermaid", "sqlite_checkpointer"]
