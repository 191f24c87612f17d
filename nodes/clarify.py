"""Clarify: turn the question into a research brief, recording every assumption made.

With no person present the node assumes, and says so in the brief. With
`research_context(interactive=True)` it pauses the graph through LangGraph's
`interrupt()` with a `ClarificationRequest`, and goes on with the person's
answer when the run is resumed with `Command(resume=answer)`. `run_research(ask=...)`
and `stepresearch run --interactive` do that loop. Either way the brief records
the exchange (`brief.clarification`), with a null answer when no one answered.
"""

from __future__ import annotations

import re
import time

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel, Field

from stepresearch.core.language import detect_language, has_cjk
from stepresearch.core.phrases import ENGLISH
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.core.text import STOPWORDS, content_tokens
from stepresearch.judge import read_question
from stepresearch.judge.overlap import word_share
from stepresearch.judge.question import named_phrases
from stepresearch.state import Clarification, ResearchBrief, ResearchState
from stepresearch.state.events import BriefMade

from .context import ResearchContext
from .layout import messages_for

TASK = """TASK: clarify
Restate the question as one research objective, list up to 3 assumptions about what the asker means, and list the key terms to search for.
Reply in JSON: {"objective": "...", "assumptions": ["..."], "key_terms": ["..."]}"""

ASSUMED_NOTE = ENGLISH.assumed  # the brief keeps it in English; the report prints it in the report's language
# A drafted objective replaces the question only if it keeps at least half of the question's words.
OBJECTIVE_KEEPS = 0.5


class ClarificationRequest(BaseModel):
    """The payload of the clarify interrupt: what an app shows the person."""

    question: str
    objective: str
    assumptions: list[str]
    prompt: str


class BriefDraft(BaseModel):
    objective: str = Field(max_length=300)
    assumptions: list[str] = Field(default_factory=list, max_length=3)
    key_terms: list[str] = Field(default_factory=list, max_length=6)


def clarify_events(update: dict) -> list[BriefMade]:
    """The brief the research goes by."""
    brief = update.get("brief")
    return [BriefMade(objective=brief.objective, assumptions=list(brief.assumptions))] if brief is not None else []


@step_node(events=clarify_events)
def clarify(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    question = state["question"]
    messages = messages_for({"question": question}, ctx, TASK)  # no brief yet: that is what clarify makes
    reply = yield Ask(ctx.policy, messages, node="clarify", schema=BriefDraft, max_tokens=200)
    brief = brief_from_draft(question, reply.parsed)
    request = ClarificationRequest(
        question=question, objective=brief.objective, assumptions=brief.assumptions, prompt=clarifying_question(brief)
    )
    reply = interrupt(request.model_dump()) if ctx.interactive else None
    brief = with_person_answer(brief, answer_of(reply), request.prompt)
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
        language=detect_language(question),
    )


def answer_of(reply: object) -> str | None:
    """The person's answer from `Command(resume=...)`: a string, or `{"answer": str | None}`.

    The dict form exists because LangGraph cannot resume with None, which is how "no one answered" travels."""
    if isinstance(reply, dict):
        reply = reply.get("answer")
    return reply if isinstance(reply, str) else None


def clarifying_question(brief: ResearchBrief) -> str:
    """What the person is asked: the objective and the assumptions, to confirm or correct."""
    assumed = [a for a in brief.assumptions if a != ASSUMED_NOTE]
    lines = [f"I will research: {brief.objective}"]
    if assumed:
        lines.append("Assuming: " + "; ".join(assumed))
    lines.append("Anything to narrow or correct? (press Enter to go ahead as it is)")
    return "\n".join(lines)


def with_person_answer(brief: ResearchBrief, answer: str | None, asked: str) -> ResearchBrief:
    """The brief with the exchange recorded; a non-empty answer narrows the objective and replaces the
    no-one-asked assumption."""
    exchange = Clarification(question=asked, answer=None if answer is None else answer.strip())
    text = (answer or "").strip()
    if not text:
        return brief.model_copy(update={"clarification": exchange})
    return brief.model_copy(
        update={
            "objective": f"{brief.objective} ({text})",
            "assumptions": [a for a in brief.assumptions if a != ASSUMED_NOTE] + [f"The asker said: {text}"],
            "clarified_by": "person",
            "clarification": exchange,
        }
    )


def deterministic_key_terms(question: str) -> list[str]:
    """Named phrases first, then the remaining content words."""
    terms = named_phrases(question)
    covered = {w.lower() for t in terms for w in t.split()}
    if has_cjk(question):
        return terms + [w for w in dict.fromkeys(content_tokens(question)) if not any(w in t for t in terms)]
    for word in re.findall(r"[A-Za-z][\w'\-]+", question):
        lower = word.lower()
        if lower not in STOPWORDS and lower not in covered and len(lower) > 2:
            terms.append(word)
            covered.add(lower)
    return terms
