"""Clarify: turn the question into a research brief, recording every assumption made.

With no person present the node assumes, and says so in the brief. With
`interactive=True` it pauses the graph through LangGraph's `interrupt()` and
resumes with the person's answer (`Command(resume=...)`), which is the seam the
interactive-clarification work builds on.
"""

from __future__ import annotations

import re
import time

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel, Field

from stepresearch.judge import read_question
from stepresearch.judge.overlap import word_share
from stepresearch.judge.question import named_phrases
from stepresearch.serving.calls import ask
from stepresearch.state import ResearchBrief, ResearchState
from stepresearch.text import STOPWORDS, content_tokens

from .context import ResearchContext
from .layout import messages_for

TASK = """TASK: clarify
Restate the question as one research objective, list up to 3 assumptions about what the asker means, and list the key terms to search for.
Reply in JSON: {"objective": "...", "assumptions": ["..."], "key_terms": ["..."]}"""

ASSUMED_NOTE = "No one was available to clarify the question, so it is researched as written."
# A drafted objective replaces the question only if it keeps at least half of the question's words.
OBJECTIVE_KEEPS = 0.5


class BriefDraft(BaseModel):
    objective: str = Field(max_length=300)
    assumptions: list[str] = Field(default_factory=list, max_length=3)
    key_terms: list[str] = Field(default_factory=list, max_length=6)


def clarify(state: ResearchState, runtime: Runtime[ResearchContext]) -> dict:
    ctx = runtime.context
    question = state["question"]
    messages = messages_for({"question": question}, ctx, TASK)  # no brief yet: that is what clarify makes
    reply = ask(ctx.policy, messages, node="clarify", schema=BriefDraft, max_tokens=200)
    brief = brief_from_draft(question, reply.parsed)
    if ctx.interactive:
        answer = interrupt({"question": question, "objective": brief.objective, "assumptions": brief.assumptions})
        brief = with_person_answer(brief, str(answer))
    return {
        "brief": brief,
        "round": 1,
        "started_at": state.get("started_at") or time.time(),
    }


def brief_from_draft(question: str, draft: BriefDraft | None) -> ResearchBrief:
    """Keep what the policy got right; replace what drifted from the question."""
    objective = question
    assumptions = [ASSUMED_NOTE]
    topics = named_phrases(question)
    key_terms = deterministic_key_terms(question)
    read = read_question(question, topics)
    if draft is not None:
        if draft.objective.strip() and word_share(draft.objective, question) >= OBJECTIVE_KEEPS:
            objective = draft.objective.strip()
        question_tokens = set(content_tokens(question))
        for assumption in draft.assumptions:
            text = assumption.strip()
            if text and set(content_tokens(text)) & question_tokens and text not in assumptions:
                assumptions.append(text)
        for term in draft.key_terms:
            term = term.strip()
            if term and set(content_tokens(term)) <= question_tokens and term.lower() not in map(str.lower, key_terms):
                key_terms.append(term)
    return ResearchBrief(
        question=question,
        objective=objective,
        assumptions=assumptions,
        key_terms=key_terms[:8],
        topics=topics,
        subject=read.subject,
        asked=read.parts,
    )


def with_person_answer(brief: ResearchBrief, answer: str) -> ResearchBrief:
    answer = answer.strip()
    if not answer:
        return brief
    return brief.model_copy(
        update={
            "objective": f"{brief.objective} ({answer})",
            "assumptions": [a for a in brief.assumptions if a != ASSUMED_NOTE] + [f"The asker said: {answer}"],
            "clarified_by": "person",
        }
    )


def deterministic_key_terms(question: str) -> list[str]:
    """Named phrases first, then the remaining content words."""
    terms = named_phrases(question)
    covered = {w.lower() for t in terms for w in t.split()}
    for word in re.findall(r"[A-Za-z][\w'\-]+", question):
        lower = word.lower()
        if lower not in STOPWORDS and lower not in covered and len(lower) > 2:
            terms.append(word)
            covered.add(lower)
    return terms
