"""Pydantic models for everything that crosses a node boundary.

They are plain data: no policy, tool or I/O handle lives here, so a checkpoint
can store them and a resumed run can rebuild them exactly.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from stepresearch.core.usage import CallUsage, PromptRecord  # noqa: F401 (core models, re-exported as state types)

Verdict = Literal["supported", "single_source", "contradicted", "unsupported"]
AskedKind = Literal["person", "date", "place", "cause", "number", "manner", "thing"]
Aboutness = Literal["about", "mentions", "unrelated"]


def stable_source_id(uri: str) -> str:
    """The same uri gets the same id in every run, so citations survive resume and replay."""
    return "src-" + hashlib.sha1(uri.encode("utf-8")).hexdigest()[:10]


class AskedPart(BaseModel):
    """One thing the question asks: its kind, and the words of its own clause."""

    kind: AskedKind
    text: str = Field(description="The clause that asks it, e.g. 'who discovered penicillin'.")
    words: list[str] = Field(default_factory=list, description="Its content words, the subject's included.")


class Clarification(BaseModel):
    """The clarifying exchange: what the person was asked (or would have been), and what they said.

    `answer` is None when no one answered: a run without a person, or one whose person gave no reply."""

    question: str
    answer: str | None = None


class ResearchBrief(BaseModel):
    """What the clarify node understood the question to mean."""

    question: str
    objective: str
    assumptions: list[str] = Field(default_factory=list)
    key_terms: list[str] = Field(default_factory=list)
    topics: list[str] = Field(
        default_factory=list,
        description="Named subjects of the question; evidence must mention one of them, which keeps "
        "'Which state conquered its capital?' from retrieving some other empire's capital.",
    )
    subject: list[str] = Field(
        default_factory=list,
        description="Phrases naming what the question is about; a source or sentence that names none of them "
        "is off topic.",
    )
    asked: list[AskedPart] = Field(
        default_factory=list, description="The parts of the question the short answer must answer, in order."
    )
    clarified_by: Literal["assumed", "person"] = "assumed"
    clarification: Clarification | None = None
    language: str = Field(
        default="en",
        description="The question's language (ISO 639-1, `stepresearch.core.language.detect_language`): the report, "
        "its headings and fixed phrases, and the policy's prompts are in it.",
    )


class SubQuestion(BaseModel):
    """One branch of the search fan-out."""

    id: str
    text: str
    round: int
    index: int
    origin: Literal["plan", "fallback", "follow_up", "person"] = Field(
        default="plan", description="Who proposed it: the policy, the question's own parts, reflect, or a reviewer."
    )
    parent: str | None = Field(default=None, description="For a follow-up: the sub-question whose gap it fills.")


class PlanReview(BaseModel):
    """One review of a round's plan by a person (`nodes/plan_review.py`): what was shown, what came back."""

    kind: Literal["plan"] = "plan"
    round: int
    shown: list[str] = Field(description="The sub-questions as planned.")
    replies: list[Any] = Field(default_factory=list, description="Every reply, a refused one included.")
    result: list[str] = Field(description="The sub-questions searched.")
    outcome: Literal["approved", "changed", "unusable"]
    read_by_policy: bool = Field(default=False, description="The reply was plain words, read by the policy.")
    errors: list[str] = Field(default_factory=list, description="Why the replies were refused, when none was usable.")


class SourcesReview(BaseModel):
    """The review of the retrieved sources by a person before the report is written (`nodes/sources_review.py`)."""

    kind: Literal["sources"] = "sources"
    shown: list[str] = Field(description="The ids of the sources shown.")
    replies: list[Any] = Field(default_factory=list, description="Every reply, a refused one included.")
    struck: list[str] = Field(default_factory=list, description="The ids of the sources struck.")
    outcome: Literal["approved", "changed", "unusable"]
    errors: list[str] = Field(default_factory=list)


class FollowUp(BaseModel):
    """A gap reflect found, phrased as a question for the next round."""

    text: str
    parent: str | None = None
    reason: str = ""


class Source(BaseModel):
    """A document a search tool really returned. Only these may be cited."""

    id: str
    title: str
    uri: str
    text: str
    tool: str
    origin: str = Field(description="Independence key: two sources with the same origin are not independent.")
    found_by: list[str] = Field(default_factory=list, description="Sub-question ids whose search returned it.")
    order: str = Field(default="", description="Deterministic first-seen key: round, sub-question, rank.")
    aboutness: Aboutness = Field(
        default="about",
        description="Whether its title or opening names the question's subject ('about'), only its body does "
        "('mentions': only sentences that name the subject may be used), or nothing does ('unrelated').",
    )
    language: str = Field(default="", description="The source's own language (ISO 639-1); '' when not read.")
    struck: bool = Field(default=False, description="A person struck it in the sources review: it is never cited.")


class Evidence(BaseModel):
    """A passage of a source kept because it bears on a sub-question."""

    id: str
    source_id: str
    sub_question_ids: list[str] = Field(description="Every sub-question whose branch kept this passage.")
    text: str
    score: float
    order: str

    @property
    def round(self) -> int:
        """The research round that found it: the first field of its order key (`RR.QQ.KK.PP`)."""
        return int(self.order.split(".", 1)[0])


class Alignment(BaseModel):
    """The judge's reading of a statement against one source: what `validate` records for each citation it keeps,
    and `verify` for each witness of a claim. The run viewer highlights its spans."""

    source_id: str
    label: str = Field(description="The judge's verdict on the pair, e.g. 'entailed'.")
    passage: str = Field(default="", description="The source's sentence(s) the judge aligned the statement with.")
    spans: list[tuple[int, int]] = Field(
        default_factory=list, description="Where that passage stands in the source's text (character offsets)."
    )


class Claim(BaseModel):
    """A key claim and how many independent sources back it."""

    text: str
    verdict: Verdict
    supporting: list[str] = Field(default_factory=list)
    contradicting: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="Quoted sentences that support the claim.")
    counter_evidence: list[str] = Field(default_factory=list, description="Quoted sentences that contradict it.")
    supporting_witnesses: int = Field(default=0, description="Independent sources (witness groups) for it.")
    contradicting_witnesses: int = Field(default=0, description="Independent sources against it.")
    alignments: list[Alignment] = Field(
        default_factory=list, description="Each witness's sentence, for and against, as verification read it."
    )


class CitationStats(BaseModel):
    """What the citation validator found and repaired."""

    total: int = 0
    valid: int = 0
    reattributed: int = 0
    removed: int = 0
    phantom: int = Field(default=0, description="Marks that pointed at nothing retrieved (all repaired).")
    unsupported_sentences: int = 0


class Digest(BaseModel):
    """Older evidence compacted into short lines, written once and then fixed: its text is byte-identical in
    every later prompt, so the prompt prefix changes only when a compaction happens."""

    index: int = Field(description="1 for the first digest of the run, 2 for the next, ...")
    rounds: list[int] = Field(description="The research rounds whose evidence it covers (in part or whole).")
    evidence_ids: list[str] = Field(
        description="Every evidence item it stands for; their full text stays in the state."
    )
    text: str
    tokens: int
    written_by: Literal["policy", "deterministic"]
    level: Literal["sentences", "words", "titles"] = Field(
        default="sentences",
        description="How tight it is: passages' key sentences, their content words once folded, or titles alone.",
    )


class Compaction(BaseModel):
    """One compaction of the research log, as run.json reports it."""

    round: int = Field(description="The round whose search made the log outgrow its budget.")
    evidence_ids: list[str] = Field(description="The evidence items that went into the digest.")
    digest_tokens: int
    log_tokens_before: int
    log_tokens_after: int
    budget_tokens: int
    written_by: Literal["policy", "deterministic"]
    merged_digests: int = Field(
        default=0, description="Earlier digests folded into this one (when they outgrew the budget)."
    )


class SectionDraft(BaseModel):
    """A section's paragraph as the policy drafted it in its `draft_section` branch, before any judging."""

    sub_question_id: str
    text: str


class NodeExecution(BaseModel):
    """One execution of one node, as the run viewer's timeline draws it: wall-clock times, so that a resumed
    run's executions, made by another process, sit on the same axis."""

    node: str
    started_at: float = Field(description="Seconds since the epoch.")
    seconds: float
    round: int = Field(default=0, description="The research round it ran in (0 before planning).")
    sub_question: str | None = Field(default=None, description="A search branch's sub-question id.")
    usage: CallUsage = Field(default_factory=CallUsage)


class Usage(BaseModel):
    """Run-wide token accounting, broken down by node."""

    by_node: dict[str, CallUsage] = Field(default_factory=dict)

    @classmethod
    def for_node(cls, node: str, usage: CallUsage) -> Usage:
        return cls(by_node={node: usage})

    @property
    def total(self) -> CallUsage:
        total = CallUsage()
        for part in self.by_node.values():
            total = total + part
        return total


class Budgets(BaseModel):
    """Limits that make a run stop cleanly instead of running away."""

    max_rounds: int = Field(default=2, ge=1, le=10, description="Plan/search rounds, the first included.")
    min_sub_questions: int = Field(
        default=3,
        ge=1,
        le=12,
        description="How many sub-questions the policy is asked for at least. The plan is never padded up to it: "
        "a question that asks two things may be researched as two.",
    )
    max_sub_questions: int = Field(default=6, ge=1, le=12)
    max_tool_calls: int = Field(default=60, ge=1)
    max_prompt_tokens: int = Field(default=200_000, ge=1000)
    max_wall_s: float = Field(default=900.0, gt=0)
    search_concurrency: int = Field(default=4, ge=1, le=64)
    max_follow_ups: int = Field(default=3, ge=1, le=12, description="Follow-up sub-questions per later round.")
    hits_per_query: int = Field(default=5, ge=1, le=50)
    passages_per_source: int = Field(default=2, ge=1, le=10)
    max_context_tokens: int | None = Field(
        default=None,
        ge=1536,  # nodes/context_window.MIN_WINDOW_TOKENS: the smallest window that leaves the log 256 tokens
        description="The context window to plan prompts for, in tokens; default: the policy's own (its n_ctx, "
        "or the served model's maximum length). Smaller makes the research log compact sooner.",
    )
