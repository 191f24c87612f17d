"""Wrapping nodes so every one logs its start and end and reports its time, swapped-in nodes too."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import structlog
from langchain_core.runnables import RunnableConfig

from stepresearch.serving.calls import collecting_calls
from stepresearch.state import CallUsage, Usage

log = structlog.get_logger("stepresearch.graph")

NodeFn = Callable[[Any, RunnableConfig], dict]


def instrumented(name: str, fn: NodeFn) -> NodeFn:
    @functools.wraps(fn)
    def node(state: Any, config: RunnableConfig) -> dict:
        detail = {}
        if isinstance(state, dict) and "sub_question" in state:
            detail["sub_question"] = state["sub_question"].id
        log.info("node_start", node=name, **detail)
        started = time.perf_counter()
        try:
            with collecting_calls() as calls:
                update = fn(state, config) or {}
        except Exception as exc:
            log.error("node_failed", node=name, error=f"{type(exc).__name__}: {exc}", **detail)
            raise
        seconds = round(time.perf_counter() - started, 4)
        log.info("node_end", node=name, seconds=seconds, **detail)
        if isinstance(update, dict):
            timings = dict(update.get("timings") or {})
            timings[name] = timings.get(name, 0.0) + seconds
            update = {**update, "timings": timings}
            if calls:
                total = sum((c.usage for c in calls), CallUsage())
                update["usage"] = Usage.for_node(name, total)
                update["prompts"] = [*update.get("prompts", []), *(c.prompt for c in calls)]
        return update

    return node
