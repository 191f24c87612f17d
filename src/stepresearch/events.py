"""A typed event stream of a research run, for progress displays and apps.

LangGraph streams what each node returned, keyed by the state's field names;
an app that renders progress from that has to know every node's update
format. This module is the one place that knows it: `events_of` turns one
LangGraph stream item (modes "tasks", "updates" and "messages") into typed
events, and the CLI's progress and any app consume those. Every event has a
`kind` for dispatch and is a pydantic model, so it serialises as JSON (for
server-sent events) as it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessageChunk
from pydantic import BaseModel, Field, TypeAdapter

STREAM_MODES = ["tasks", "updates"]  # add "messages" for Token events


class NodeStarted(BaseModel):
    kind: Literal["node_started"] = "node_started"
    node: str
    sub_question: str | None = Field(default=None, description="The branch's sub-question, for a search branch.")


class NodeFinished(BaseModel):
    kind: Literal["node_finished"] = "node_finished"
    node: str
    seconds: float | None = None


class BriefMade(BaseModel):
    kind: Literal["brief"] = "brief"
    objective: str
    assumptions: list[str]


class SubQuestionPlanned(BaseModel):
    kind: Literal["sub_question"] = "sub_question"
    id: str
    text: str
    round: int


class SourceRef(BaseModel):
    id: str
    title: str
    uri: str


class SourcesFound(BaseModel):
    """What one search branch found (its sources may be empty)."""

    kind: Literal["sources_found"] = "sources_found"
    sub_question_id: str | None
    sources: list[SourceRef]
    notes: list[str] = Field(default_factory=list)


class ClaimJudged(BaseModel):
    kind: Literal["claim_judged"] = "claim_judged"
    text: str
    verdict: str
    supporting: int
    contradicting: int


class RoundDecided(BaseModel):
    kind: Literal["round_decided"] = "round_decided"
    another_round: bool
    gaps: int
    stop_reason: str | None = None


class LogCompacted(BaseModel):
    """The research log outgrew the policy's context, and older evidence went into a digest."""

    kind: Literal["log_compacted"] = "log_compacted"
    round: int
    items: int
    tokens_before: int
    tokens_after: int
    budget_tokens: int


class ReportWritten(BaseModel):
    kind: Literal["report_written"] = "report_written"
    sections: int
    cited_sources: int


class Token(BaseModel):
    """A piece of a policy reply, as it came, with the node and the call that produced it.

    Calls made side by side interleave their tokens; `call` tells them apart, and `last` marks a call's end."""

    kind: Literal["token"] = "token"
    node: str
    call: str = ""
    text: str
    last: bool = False


class ClarificationAsked(BaseModel):
    kind: Literal["clarification_asked"] = "clarification_asked"
    prompt: str


ResearchEvent = Annotated[
    NodeStarted
    | NodeFinished
    | BriefMade
    | SubQuestionPlanned
    | SourcesFound
    | ClaimJudged
    | RoundDecided
    | LogCompacted
    | ReportWritten
    | Token
    | ClarificationAsked,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[ResearchEvent] = TypeAdapter(ResearchEvent)


def events_of(mode: str, chunk: Any) -> list[ResearchEvent]:
    """The typed events in one item of `graph.stream(..., stream_mode=[...])`."""
    if mode == "tasks" and isinstance(chunk, dict) and "input" in chunk:
        branch = chunk["input"].get("sub_question") if isinstance(chunk["input"], dict) else None
        return [NodeStarted(node=chunk["name"], sub_question=getattr(branch, "text", None))]
    if mode == "messages":
        message, metadata = chunk
        if not isinstance(message, AIMessageChunk) or not isinstance(message.content, str):
            return []
        last = message.usage_metadata is not None or message.chunk_position == "last"
        if not message.content and not last:
            return []
        node = str(metadata.get("langgraph_node", ""))
        return [Token(node=node, call=str(message.id or ""), text=message.content, last=last)]
    if mode != "updates" or not isinstance(chunk, dict):
        return []
    out: list[ResearchEvent] = []
    for node, update in chunk.items():
        if node == "__interrupt__":
            value = update[0].value if update else {}
            out.append(ClarificationAsked(prompt=str(value.get("prompt", "")) if isinstance(value, dict) else ""))
            continue
        out += _node_events(node, update if isinstance(update, dict) else {})
    return out


def _node_events(node: str, update: dict[str, Any]) -> list[ResearchEvent]:
    out: list[ResearchEvent] = []
    if update.get("brief") is not None and node == "clarify":
        out.append(BriefMade(objective=update["brief"].objective, assumptions=list(update["brief"].assumptions)))
    for sq in update.get("sub_questions", []) if node == "plan" else []:
        out.append(SubQuestionPlanned(id=sq.id, text=sq.text, round=sq.round))
    if node == "search":
        sources = list(update.get("sources", {}).values())
        finder = sources[0].found_by[0] if sources and sources[0].found_by else None
        out.append(
            SourcesFound(
                sub_question_id=finder,
                sources=[SourceRef(id=s.id, title=s.title, uri=s.uri) for s in sources],
                notes=list(update.get("notes", [])),
            )
        )
    for claim in update.get("claims", []) if node == "verify" else []:
        out.append(
            ClaimJudged(
                text=claim.text,
                verdict=claim.verdict,
                supporting=len(claim.supporting),
                contradicting=len(claim.contradicting),
            )
        )
    for c in update.get("compactions", []) if node == "compact" else []:
        out.append(
            LogCompacted(
                round=c.round, items=len(c.evidence_ids), tokens_before=c.log_tokens_before,
                tokens_after=c.log_tokens_after, budget_tokens=c.budget_tokens,
            )
        )  # fmt: skip
    if node == "reflect":
        gaps = len(update.get("follow_ups") or [])
        out.append(RoundDecided(another_round=gaps > 0, gaps=gaps, stop_reason=update.get("stop_reason")))
    if node == "write" and update.get("report") is not None:
        report = update["report"]
        out.append(ReportWritten(sections=len(report.sections), cited_sources=len(report.cited_source_ids)))
    seconds = (update.get("timings") or {}).get(node)
    out.append(NodeFinished(node=node, seconds=seconds))
    return out
