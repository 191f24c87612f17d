"""Plan: 3 to 6 sub-questions as structured output, checked and padded deterministically.

In the first round the policy proposes sub-questions. A weak policy's junk
(repeats, off-topic lines, fragments) is filtered, and the plan is padded
from the question's own clauses and key terms, so the fan-out always has
something sensible to search. Follow-up rounds take the gaps that reflect
found and turn them into sub-questions without another policy call: reflect
already phrased them, and a second rewording by the same model adds cost,
not information.
"""

from __future__ import annotations

import re

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.judge.overlap import is_repeat
from stepresearch.state import ResearchBrief, ResearchState, SubQuestion
from stepresearch.steps import Ask, Steps, step_node
from stepresearch.text import content_tokens

from .context import ResearchContext
from .layout import messages_for

TASK = """TASK: plan
Break the research objective into {low} to {high} different sub-questions that together answer it.
Each sub-question is one full, specific question that a search engine can answer.
Reply in JSON: {{"sub_questions": ["...", "..."]}}"""


class PlanDraft(BaseModel):
    sub_questions: list[str] = Field(min_length=1, max_length=8)


@step_node
def plan(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    budgets = ctx.budgets
    round_no = state.get("round", 1)
    brief = state["brief"]
    if round_no > 1:
        return {"sub_questions": follow_up_sub_questions(state, round_no), "follow_ups": []}
    messages = messages_for(state, ctx, TASK.format(low=budgets.min_sub_questions, high=budgets.max_sub_questions))
    reply = yield Ask(ctx.policy, messages, node="plan", schema=PlanDraft, max_tokens=220)
    proposed = reply.parsed.sub_questions if reply.parsed else []
    kept = clean_sub_questions(proposed, brief)[: budgets.max_sub_questions]
    sub_questions = _as_sub_questions(kept, round_no, "plan")
    if len(kept) < budgets.min_sub_questions:
        padding = [t for t in fallback_sub_questions(brief) if not is_repeat(t, kept)]
        padding = padding[: budgets.min_sub_questions - len(kept)]
        sub_questions += _as_sub_questions(padding, round_no, "fallback", start=len(kept))
    return {"sub_questions": sub_questions}


def clean_sub_questions(proposed: list[str], brief: ResearchBrief) -> list[str]:
    """Drop fragments, repeats, and lines that share no content word with the question."""
    anchor = set(content_tokens(brief.question + " " + " ".join(brief.key_terms)))
    kept: list[str] = []
    for raw in proposed:
        text = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", str(raw)).strip().strip('"').strip()
        tokens = content_tokens(text)
        if len(tokens) < 2 or len(text) > 220:
            continue
        if not set(tokens) & anchor:
            continue
        if is_repeat(text, kept) or is_repeat(text, [brief.question]):
            continue
        kept.append(text if text.endswith("?") else text.rstrip(".") + "?")
    return kept


def fallback_sub_questions(brief: ResearchBrief) -> list[str]:
    """Sub-questions from the question's own clauses, then generic angles on its main subject."""
    clauses = [c.strip(" ,;?") for c in re.split(r",\s*(?:and\s+)?|;\s*|\?\s*", brief.question)]
    out = [c[0].upper() + c[1:] + "?" for c in clauses if len(content_tokens(c)) >= 2]
    subject = (brief.subject or brief.topics or brief.key_terms[:2] or [brief.question.rstrip("?")])[0]
    out += [
        f"What are the key facts and dates about {subject}?",
        f"Why is {subject} significant?",
        f"Which people and places are connected with {subject}?",
        f"How do sources describe {subject}?",
    ]
    unique: list[str] = []
    for text in out:
        if not is_repeat(text, unique) and not is_repeat(text, [brief.question]):
            unique.append(text)
    return unique


def follow_up_sub_questions(state: ResearchState, round_no: int) -> list[SubQuestion]:
    earlier = [sq.text for sq in state.get("sub_questions", [])]
    fresh = [f for f in state.get("follow_ups", []) if not is_repeat(f.text, earlier)]
    return [
        SubQuestion(
            id=f"r{round_no}q{i + 1}", text=f.text, round=round_no, index=i, origin="follow_up", parent=f.parent
        )
        for i, f in enumerate(fresh)
    ]


def _as_sub_questions(texts: list[str], round_no: int, origin: str, start: int = 0) -> list[SubQuestion]:
    return [
        SubQuestion(id=f"r{round_no}q{start + i + 1}", text=text, round=round_no, index=start + i, origin=origin)
        for i, text in enumerate(texts)
    ]
