"""Plan: the question's own parts, and the policy's sub-questions, as structured output checked deterministically.

In the first round the policy proposes sub-questions. A weak policy's junk
(repeats, off-topic lines, fragments) is filtered. The question's own parts
("when did X end", "which state conquered its capital"), each worded as a
question, are always in the plan: under the weak tier they come first, since
they are what was asked; a policy that judges (the capable tier) leads with
its own plan, and the parts fill what it left out. Nothing is padded from
templates: a generic angle ("Why is X significant?") would become a heading
that answers nothing asked. Follow-up rounds take the gaps that reflect
found and turn them into sub-questions without another policy call: reflect
already phrased them, and a second rewording by the same model adds cost,
not information.
"""

from __future__ import annotations

import re

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.core.language import has_cjk
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.core.text import content_tokens
from stepresearch.judge.overlap import is_repeat
from stepresearch.state import ResearchBrief, ResearchState, SubQuestion
from stepresearch.state.events import SubQuestionPlanned

from .context import ResearchContext, capable_tier
from .layout import messages_for
from .plan_review import review_plan_steps, wants_review

TASK = """TASK: plan
Break the research objective into {low} to {high} different sub-questions that together answer it.
Each sub-question is one full, specific question that a search engine can answer.
Reply in JSON: {{"sub_questions": ["...", "..."]}}"""


# A clause of fewer content words than this is not a part of its own, unless a question word opens it
# ("how large is it" is; "the old one" is not).
MIN_PART_WORDS = 2
_WH = re.compile(r"(?:who|whom|whose|when|where|what|which|why|how)\b", re.IGNORECASE)
_PART_SPLIT = re.compile(
    r",\s*(?:and\s+)?|;\s*|\?\s*|\s+and\s+(?=(?:who|whom|whose|when|where|what|which|why|how)\b)", re.IGNORECASE
)


class PlanDraft(BaseModel):
    sub_questions: list[str] = Field(min_length=1, max_length=8)


def plan_events(update: dict) -> list[SubQuestionPlanned]:
    """Each sub-question planned this round."""
    return [SubQuestionPlanned(id=sq.id, text=sq.text, round=sq.round) for sq in update.get("sub_questions", [])]


@step_node(events=plan_events)
def plan(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    budgets = ctx.budgets
    round_no = state.get("round", 1)
    brief = state["brief"]
    if round_no > 1:
        planned = follow_up_sub_questions(state, round_no)
        if planned and wants_review(ctx, round_no):
            planned, record = yield from review_plan_steps(state, ctx, planned, round_no)
            return {"sub_questions": planned, "follow_ups": [], "reviews": [record]}
        return {"sub_questions": planned, "follow_ups": []}
    messages = messages_for(state, ctx, TASK.format(low=budgets.min_sub_questions, high=budgets.max_sub_questions))
    reply = yield Ask(ctx.policy, messages, node="plan", schema=PlanDraft, max_tokens=220)
    proposed = [(t, "plan") for t in clean_sub_questions(reply.parsed.sub_questions if reply.parsed else [], brief)]
    own = [(t, "fallback") for t in own_parts(brief)]
    ordered = proposed + own if capable_tier(ctx) else own + proposed
    kept: list[tuple[str, str]] = []
    for text, origin in ordered:
        if not is_repeat(text, [k for k, _ in kept]):
            kept.append((text, origin))
    kept = kept[: budgets.max_sub_questions]
    planned = [
        SubQuestion(id=f"r{round_no}q{i + 1}", text=text, round=round_no, index=i, origin=origin)
        for i, (text, origin) in enumerate(kept)
    ]
    if wants_review(ctx, round_no):
        planned, record = yield from review_plan_steps(state, ctx, planned, round_no)
        return {"sub_questions": planned, "reviews": [record]}
    return {"sub_questions": planned}


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
        kept.append(text if text.endswith(("?", "？")) else text.rstrip(".。") + ("？" if has_cjk(text) else "?"))
    return kept


def own_parts(brief: ResearchBrief) -> list[str]:
    """The question's own parts, each worded as a question: its clauses ("When did X end", "which state
    conquered its capital"), or the question itself when it asks one thing. A lone question word stays
    with the clause it opens ("When and how did X end"). A Chinese question's parts are its asked clauses,
    each given the subject it leaves unsaid ("全长多少米" -> "青石桥全长多少米？")."""
    if has_cjk(brief.question):
        return _own_cjk_parts(brief)
    pieces = [p.strip(" ,;?") for p in _PART_SPLIT.split(brief.question)]
    clauses: list[str] = []
    carried = ""
    for piece in pieces:
        if not piece:
            continue
        if _WH.fullmatch(piece):
            carried = f"{carried}{piece} and "
            continue
        clauses.append(carried + piece)
        carried = ""
    out: list[str] = []
    for clause in clauses:
        asks = _WH.match(clause) is not None
        if len(content_tokens(clause)) >= (1 if asks else MIN_PART_WORDS) and not is_repeat(clause, out):
            out.append(clause[0].upper() + clause[1:] + "?")
    return out if len(out) > 1 else [brief.question.strip().rstrip("?") + "?"]


# A Chinese clause that opens on one of these refers back to the subject: "它是由谁设计的" -> "望澜桥是由谁设计的".
CJK_PRONOUNS = ("它们", "他们", "她们", "它", "他", "她", "其", "该")


def _own_cjk_parts(brief: ResearchBrief) -> list[str]:
    out: list[str] = []
    own = [s for s in brief.subject if has_cjk(s)]  # not the English glosses
    subject = own[0] if own else ""  # the topic's head ("望澜桥" of 青溪镇的望澜桥) comes first
    for part in brief.asked:
        clause = part.text.strip(" ，,？?")
        if subject and not any(s in clause for s in own):
            pronoun = next((p for p in CJK_PRONOUNS if clause.startswith(p)), "")
            clause = subject + clause[len(pronoun) :]
        if clause and clause + "？" not in out:
            out.append(clause + "？")
    return out if len(out) > 1 else [brief.question.strip().rstrip("？?") + "？"]


def follow_up_sub_questions(state: ResearchState, round_no: int) -> list[SubQuestion]:
    earlier = [sq.text for sq in state.get("sub_questions", [])]
    fresh = [f for f in state.get("follow_ups", []) if not is_repeat(f.text, earlier)]
    return [
        SubQuestion(
            id=f"r{round_no}q{i + 1}", text=f.text, round=round_no, index=i, origin="follow_up", parent=f.parent
        )
        for i, f in enumerate(fresh)
    ]
