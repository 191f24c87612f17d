"""Reflect: find the gaps, check the budgets, and either loop for another round or go write.

Gaps are found deterministically: a key claim that independent sources
contradict (searched again without its disputed number, to find more
witnesses), a claim that only one independent source or none supports, or a
sub-question that yielded no evidence. The policy
is asked only to phrase follow-up questions for them; if its reply is unusable
the gaps themselves become the follow-ups. The loop ends when no gaps are
left, or when rounds, tool calls, prompt tokens or wall time run out, and the
reason is recorded in `stop_reason`.
"""

from __future__ import annotations

import re
import time

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.core.phrases import language_of, phrases_for
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.judge.overlap import is_repeat, word_share
from stepresearch.state import AskedPart, FollowUp, ResearchState
from stepresearch.state.events import RoundDecided

from .citations import best_answer
from .context import ResearchContext
from .layout import in_language, messages_for
from .sources_review import review_sources

TASK = """TASK: reflect
These points are not yet answered well by the research log:
{gaps}
Write one short search question for each point.
Reply in JSON: {{"follow_ups": ["...", "..."]}}"""

# The policy may word at most this many follow-ups; how many are searched is `Budgets.max_follow_ups`.
MAX_DRAFTED_FOLLOW_UPS = 12
# The policy's wording of a follow-up replaces the gap's only if it keeps half of the gap's words.
PHRASING_KEEPS = 0.5
MAX_FOLLOW_UP_CHARS = 220


class FollowUpDraft(BaseModel):
    follow_ups: list[str] = Field(default_factory=list, max_length=MAX_DRAFTED_FOLLOW_UPS)


def reflect_events(update: dict) -> list[RoundDecided]:
    """Whether another round follows, for how many gaps, or why the research stops."""
    gaps = len(update.get("follow_ups") or [])
    return [RoundDecided(another_round=gaps > 0, gaps=gaps, stop_reason=update.get("stop_reason"))]


@step_node(events=reflect_events)
def reflect(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    language = language_of(state)
    phrases = phrases_for(language)
    stop = budget_stop_reason(state, ctx.budgets)
    gaps = find_gaps(state, ctx.budgets.max_follow_ups)
    if not gaps:
        return finishing({"stop_reason": phrases.stop_no_gaps, "follow_ups": []}, state, ctx)
    if stop:
        note = phrases.gaps_left_open.format(n=len(gaps), reason=stop)
        return finishing({"stop_reason": stop, "follow_ups": [], "notes": [note]}, state, ctx)
    task = TASK.format(gaps="\n".join(f"- {gap.text}" for gap in gaps))
    messages = messages_for(state, ctx, in_language(task, language))
    reply = yield Ask(ctx.policy, messages, node="reflect", schema=FollowUpDraft, max_tokens=160)
    follow_ups = merge_phrasings(gaps, reply.parsed.follow_ups if reply.parsed else [], state["question"])
    return {
        "follow_ups": follow_ups,
        "round": state.get("round", 1) + 1,
        "stop_reason": "",
    }


def finishing(update: dict, state: ResearchState, ctx: ResearchContext) -> dict:
    """The research is done: with a sources review asked for, a person strikes sources before the writing."""
    if "sources" not in ctx.review:
        return update
    review = review_sources(state)
    return {**update, **review, "notes": [*update.get("notes", []), *review.get("notes", [])]}


def route_after_reflect(state: ResearchState) -> str:
    return "plan" if state.get("follow_ups") else "write"


def find_gaps(state: ResearchState, limit: int = 3) -> list[FollowUp]:
    round_no = state.get("round", 1)
    answered = {sq_id for e in state.get("evidence", []) for sq_id in e.sub_question_ids}
    asked = [sq.text for sq in state.get("sub_questions", [])]
    gaps: list[FollowUp] = []
    for verdict in ("contradicted", "unsupported", "single_source"):
        for claim in state.get("claims", []):
            query = without_numbers(claim.text) if verdict == "contradicted" else claim.text
            if claim.verdict == verdict and not is_repeat(query, asked + [g.text for g in gaps]):
                parent = _parent_of(claim.supporting + claim.contradicting, state)
                gaps.append(FollowUp(text=query, parent=parent, reason=f"claim is {verdict}"))
    gaps += [
        FollowUp(text=sq.text, parent=sq.parent or sq.id, reason="no evidence")
        for sq in state.get("sub_questions", [])
        if sq.round == round_no and sq.id not in answered
    ]
    for part in unanswered_parts(state):
        query = part.text[:1].upper() + part.text[1:].rstrip("?") + "?"
        if not is_repeat(query, asked + [g.text for g in gaps]):
            gaps.insert(0, FollowUp(text=query, parent=None, reason=f"no evidence answers the asked {part.kind}"))
    return gaps[:limit]


def unanswered_parts(state: ResearchState) -> list[AskedPart]:
    """Asked parts (who, when, ...) that no on-topic evidence sentence answers yet: the first gaps to fill."""
    brief = state.get("brief")
    if brief is None:
        return []
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    return [part for part in brief.asked if best_answer(part, evidence, sources, brief.subject) is None]


def without_numbers(text: str) -> str:
    """The claim minus its disputed figures: a query that finds every version of it."""
    return re.sub(r"\s+", " ", re.sub(r"\b\d[\d,.]*\b", "", text)).strip(" .,")


def merge_phrasings(gaps: list[FollowUp], phrased: list[str], question: str) -> list[FollowUp]:
    """Use the policy's wording for a gap only when it keeps the gap's content words."""
    out = []
    for i, gap in enumerate(gaps):
        text = gap.text
        if i < len(phrased):
            candidate = phrased[i].strip()
            if word_share(gap.text, candidate) >= PHRASING_KEEPS and len(candidate) <= MAX_FOLLOW_UP_CHARS:
                text = candidate
        if not is_repeat(text, [question]):
            out.append(gap.model_copy(update={"text": text}))
    return out


def budget_stop_reason(state: ResearchState, budgets) -> str:
    """The budget that ends the research, in the report's language, or '' while every budget lasts."""
    phrases = phrases_for(language_of(state))
    if state.get("round", 1) >= budgets.max_rounds:
        return phrases.stop_max_rounds.format(rounds=budgets.max_rounds)
    if state.get("tool_calls", 0) >= budgets.max_tool_calls:
        return phrases.stop_tool_calls.format(calls=budgets.max_tool_calls)
    usage = state.get("usage")
    if usage is not None and usage.total.prompt_tokens >= budgets.max_prompt_tokens:
        return phrases.stop_prompt_tokens.format(tokens=budgets.max_prompt_tokens)
    started = state.get("started_at")
    if started and time.time() - started >= budgets.max_wall_s:
        return phrases.stop_wall_time.format(seconds=budgets.max_wall_s)
    return ""


def _parent_of(source_ids: list[str], state: ResearchState) -> str | None:
    by_id = {sq.id: sq for sq in state.get("sub_questions", [])}
    for source_id in source_ids:
        source = state.get("sources", {}).get(source_id)
        if source and source.found_by:
            first = by_id.get(source.found_by[0])
            return (first.parent or first.id) if first else None
    return None
