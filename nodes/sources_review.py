"""A person reviews the sources before the report is written, and strikes the ones not to be cited.

With `research_context(review={"sources"})` the reflect node, once it decides the research is done,
pauses through `interrupt()` with a `SourcesReviewRequest`: every retrieved source, and the key claims
with their verdicts and the sources for and against. The reply is `{"strike": ["src-..."]}` (or
`{"approve": true}`, or nothing). A struck source is marked `struck` in the state (the sources reducer
keeps the mark), and `without_struck` is the run as the writing nodes see it from then on: the sections,
the writer and the validator never cite it, and the Verification table counts its witnesses again
without it. "Scope and method" names what was struck. An unknown id is refused with the reason and the
person is asked again, up to `REVIEW_ATTEMPTS` times.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import interrupt
from pydantic import BaseModel, Field, ValidationError

from stepresearch.state import Claim, ResearchState, Source, SourcesReview

from .independence import independence_groups
from .plan_review import REVIEW_ATTEMPTS
from .verify import verdict_for

STRUCK_NOTE = "a person struck {n} source(s) before the report was written: {titles}"


class ReviewedSource(BaseModel):
    id: str
    title: str
    uri: str
    tool: str
    claims_for: int = Field(description="Key claims it supports.")
    claims_against: int = Field(description="Key claims it contradicts.")


class ReviewedClaim(BaseModel):
    text: str
    verdict: str
    supporting: list[str]
    contradicting: list[str]


class SourcesReviewRequest(BaseModel):
    """The payload of the sources-review interrupt: what an app shows the person."""

    kind: Literal["sources_review"] = "sources_review"
    question: str
    sources: list[ReviewedSource]
    claims: list[ReviewedClaim]
    error: str = Field(default="", description="Why the previous reply was refused, when it was.")
    prompt: str = "Press Enter to keep every source; or strike 2,3 (their numbers) to write the report without them."


class SourcesReviewReply(BaseModel):
    model_config = {"extra": "forbid"}

    approve: bool = False
    strike: list[str] = Field(default_factory=list)


def review_sources(state: ResearchState) -> dict[str, Any]:
    """Ask the person until a usable reply comes; the state update that strikes what they struck."""
    sources: dict[str, Source] = state.get("sources", {})
    claims = state.get("claims", [])
    error = ""
    replies: list[Any] = []
    for _ in range(REVIEW_ATTEMPTS):
        request = SourcesReviewRequest(
            question=state["question"],
            sources=[
                ReviewedSource(
                    id=s.id,
                    title=s.title,
                    uri=s.uri,
                    tool=s.tool,
                    claims_for=sum(s.id in c.supporting for c in claims),
                    claims_against=sum(s.id in c.contradicting for c in claims),
                )  # fmt: skip
                for s in sources.values()
                if not s.struck
            ],
            claims=[
                ReviewedClaim(text=c.text, verdict=c.verdict, supporting=c.supporting, contradicting=c.contradicting)
                for c in claims
            ],  # fmt: skip
            error=error,
        )
        raw = interrupt(request.model_dump())
        replies.append(raw)
        struck, error = _struck(raw, sources)
        if not error:
            record = SourcesReview(
                shown=[s.id for s in request.sources], replies=replies, struck=struck,
                outcome="changed" if struck else "approved",
            )  # fmt: skip
            update: dict[str, Any] = {"reviews": [record]}
            if struck:
                update["sources"] = {sid: sources[sid].model_copy(update={"struck": True}) for sid in struck}
                titles = "; ".join(sources[sid].title for sid in struck)
                update["notes"] = [STRUCK_NOTE.format(n=len(struck), titles=titles)]
            return update
    shown = [s.id for s in sources.values() if not s.struck]
    return {"reviews": [SourcesReview(shown=shown, replies=replies, outcome="unusable", errors=[error])]}


def without_struck(state: ResearchState) -> ResearchState:
    """The run as the writing nodes see it: no struck source, none of its evidence, and each claim's
    witnesses and verdict counted again without it. The state itself keeps everything."""
    sources: dict[str, Source] = state.get("sources", {})
    struck = {sid for sid, s in sources.items() if s.struck}
    if not struck:
        return state
    kept = {sid: s for sid, s in sources.items() if sid not in struck}
    groups = independence_groups(kept)
    claims = [_recounted(c, struck, groups) for c in state.get("claims", [])]
    return {
        **state,
        "sources": kept,
        "evidence": [e for e in state.get("evidence", []) if e.source_id not in struck],
        "claims": [c for c in claims if c.supporting],
    }  # type: ignore[return-value]


def _recounted(claim: Claim, struck: set[str], groups: dict[str, str]) -> Claim:
    supporting = [s for s in claim.supporting if s not in struck]
    contradicting = [s for s in claim.contradicting if s not in struck]
    support_groups = {groups[s] for s in supporting if s in groups}
    against_groups = {groups[s] for s in contradicting if s in groups} - support_groups
    return claim.model_copy(
        update={
            "supporting": supporting,
            "contradicting": contradicting,
            "supporting_witnesses": len(support_groups),
            "contradicting_witnesses": len(against_groups),
            "verdict": verdict_for(len(support_groups), len(against_groups)),
            "alignments": [a for a in claim.alignments if a.source_id not in struck],
        }
    )


def _struck(raw: Any, sources: dict[str, Source]) -> tuple[list[str], str]:
    if raw is None or raw == "":
        raw = {"approve": True}
    try:
        reply = SourcesReviewReply.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "reply"
        return (
            [],
            f'the reply was not understood ({where}: {first["msg"]}); reply {{"strike": [source ids]}} or {{"approve": true}}',
        )
    unknown = [sid for sid in reply.strike if sid not in sources]
    if unknown:
        return [], f"no retrieved source {', '.join(unknown)}"
    return list(dict.fromkeys(reply.strike)), ""
