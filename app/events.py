"""A typed event stream of a research run, for progress displays and apps.

The nodes emit their own events through LangGraph's stream writer (stream mode "custom"; the models and
`emit` are `stepresearch.state.events`): each node says what it did, and the graph's wrapper says when a
node starts and ends, for every node, a swapped-in or inserted one too. `events_of` turns one item of
`graph.stream(..., stream_mode=STREAM_MODES)` into typed events: the custom ones, a pause for a person
(LangGraph's interrupt, in mode "updates"), and policy tokens (mode "messages"). Nothing here knows any
node's name or update format. The CLI's progress and the example app consume only these events.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from pydantic import ValidationError

from stepresearch.state.events import (
    EVENT_ADAPTER,
    BriefMade,
    ClaimJudged,
    ClarificationAsked,
    LogCompacted,
    NodeFinished,
    NodeStarted,
    ReportWritten,
    ResearchEvent,
    ReviewAsked,
    RoundDecided,
    SourceRef,
    SourcesFound,
    SubQuestionPlanned,
    Token,
    emit,
)

STREAM_MODES = ["custom", "updates"]  # add "messages" for Token events

__all__ = [
    "EVENT_ADAPTER",
    "STREAM_MODES",
    "BriefMade",
    "ClaimJudged",
    "ClarificationAsked",
    "LogCompacted",
    "NodeFinished",
    "NodeStarted",
    "ReportWritten",
    "ResearchEvent",
    "ReviewAsked",
    "RoundDecided",
    "SourceRef",
    "SourcesFound",
    "SubQuestionPlanned",
    "Token",
    "emit",
    "events_of",
]


def events_of(mode: str, chunk: Any) -> list[ResearchEvent]:
    """The typed events in one item of `graph.stream(..., stream_mode=[...])`."""
    if mode == "custom":
        try:
            return [EVENT_ADAPTER.validate_python(chunk)]
        except ValidationError:  # another writer's chunk (an app's own node may stream anything)
            return []
    if mode == "messages":
        message, metadata = chunk
        if not isinstance(message, AIMessageChunk) or not isinstance(message.content, str):
            return []
        last = message.usage_metadata is not None or message.chunk_position == "last"
        if not message.content and not last:
            return []
        node = str(metadata.get("langgraph_node", ""))
        return [Token(node=node, call=str(message.id or ""), text=message.content, last=last)]
    if mode == "updates" and isinstance(chunk, dict) and "__interrupt__" in chunk:
        interrupts = chunk["__interrupt__"]
        value = interrupts[0].value if interrupts else {}
        if isinstance(value, dict) and value.get("kind") in ("plan_review", "sources_review"):
            return [ReviewAsked(review=value["kind"], request=value)]
        return [ClarificationAsked(prompt=str(value.get("prompt", "")) if isinstance(value, dict) else "")]
    return []
