"""The typed events of a research run: what each node says it did, for progress displays and apps.

Each node emits its own through LangGraph's stream writer (`emit(runtime, ...)`, stream mode "custom"):
a step node declares them with `@step_node(events=...)`, a function of its update; any node, a swapped-in
or inserted one too, may call `emit` itself. Every event has a `kind` for dispatch and is a pydantic
model; it travels as its JSON (so LangGraph's server can stream it) and `EVENT_ADAPTER` reads it back.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter


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


class ReviewAsked(BaseModel):
    """The run waits for a person's review: `request` is the `PlanReviewRequest` or `SourcesReviewRequest`
    (`stepresearch.nodes.plan_review`, `sources_review`), as sent; resume with `Command(resume=reply)`."""

    kind: Literal["review_asked"] = "review_asked"
    review: Literal["plan_review", "sources_review"]
    request: dict[str, Any]


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
    | ClarificationAsked
    | ReviewAsked,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[ResearchEvent] = TypeAdapter(ResearchEvent)


def emit(runtime: Any, *events: BaseModel) -> None:
    """Write events to the run's custom stream; outside a streamed run the writer does nothing."""
    writer = getattr(runtime, "stream_writer", None)
    if callable(writer):
        for event in events:
            writer(event.model_dump(mode="json"))
