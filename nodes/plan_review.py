"""A person reviews the plan: the sub-questions are shown, and the research goes on with what they approve.

With `research_context(review={"plan"})` the plan node pauses after planning the first round, through
LangGraph's `interrupt()`, with a `PlanReviewRequest`; `{"rounds"}` pauses after each follow-up round's
plan too. The run is resumed with `Command(resume=reply)`, where the reply is

- structured: `{"approve": true}`, or any of `{"drop": ["r1q2"], "reword": {"r1q1": "..."}, "add": ["..."]}`,
  or the whole list `{"sub_questions": ["...", "..."]}`; or
- plain words, `{"instruction": "drop the second and ask about the harbour"}` (or the bare string), which
  the policy turns into the list. Only a capable policy is asked that (`capable_tier`): with the embedded
  one the reply is refused, and the request says to use the structured form.

A reply that cannot be used is refused with the reason, and the person is asked again, up to
`REVIEW_ATTEMPTS` times; after that the plan goes ahead as proposed and the record says so. Every
exchange is kept in the state's `reviews` and in run.json.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import interrupt
from pydantic import BaseModel, Field, ValidationError

from stepresearch.core.steps import Ask, Steps
from stepresearch.judge.overlap import is_repeat
from stepresearch.state import PlanReview, ResearchState, SubQuestion

from .context import ResearchContext, capable_tier
from .layout import messages_for

EDIT_TASK = """TASK: edit plan
The current sub-questions are:
{numbered}
The person who asked says: {instruction}
Rewrite the list of sub-questions as the person wants. Each is one full, specific question.
Reply in JSON: {{"sub_questions": ["...", "..."]}}"""

EDIT_TOKENS = 240
REVIEW_ATTEMPTS = 5  # an app that keeps sending an unusable reply does not hold the run forever
STRUCTURED_FORM = (
    'reply {"approve": true}, or {"drop": [ids], "reword": {id: text}, "add": [texts]}, or {"sub_questions": [texts]}'
)


class ReviewedSubQuestion(BaseModel):
    id: str
    text: str


class PlanReviewRequest(BaseModel):
    """The payload of the plan-review interrupt: what an app shows the person."""

    kind: Literal["plan_review"] = "plan_review"
    round: int
    question: str
    sub_questions: list[ReviewedSubQuestion]
    plain_words: bool = Field(description="Whether a reply in plain words is accepted (a capable policy).")
    max_sub_questions: int
    error: str = Field(default="", description="Why the previous reply was refused, when it was.")
    prompt: str


class PlanReviewReply(BaseModel):
    """A person's structured reply; every field optional, an empty reply approves."""

    model_config = {"extra": "forbid"}

    approve: bool = False
    drop: list[str] = Field(default_factory=list)
    reword: dict[str, str] = Field(default_factory=dict)
    add: list[str] = Field(default_factory=list)
    sub_questions: list[str] | None = None
    instruction: str | None = None


class PlanEdit(BaseModel):
    sub_questions: list[str] = Field(min_length=1, max_length=8)


def wants_review(ctx: ResearchContext, round_no: int) -> bool:
    return ("plan" in ctx.review and round_no == 1) or ("rounds" in ctx.review and round_no > 1)


def review_plan_steps(
    state: ResearchState, ctx: ResearchContext, planned: list[SubQuestion], round_no: int
) -> Steps[tuple[list[SubQuestion], PlanReview]]:
    """Ask the person about `planned` until a usable reply comes; the sub-questions to search, and the record."""
    plain_words = capable_tier(ctx)
    error = ""
    replies: list[Any] = []
    for _ in range(REVIEW_ATTEMPTS):
        request = PlanReviewRequest(
            round=round_no,
            question=state["question"],
            sub_questions=[ReviewedSubQuestion(id=sq.id, text=sq.text) for sq in planned],
            plain_words=plain_words,
            max_sub_questions=ctx.budgets.max_sub_questions,
            error=error,
            prompt=review_prompt(plain_words),
        )
        raw = interrupt(request.model_dump())
        replies.append(raw)
        texts, error, by_policy = yield from _texts_from(raw, planned, state, ctx, plain_words)
        if not error:
            kept = _numbered(texts[: ctx.budgets.max_sub_questions], planned, round_no)
            outcome = "approved" if [s.text for s in kept] == [s.text for s in planned] else "changed"
            return kept, PlanReview(
                round=round_no, shown=[s.text for s in planned], replies=replies, result=[s.text for s in kept],
                outcome=outcome, read_by_policy=by_policy,
            )  # fmt: skip
    return planned, PlanReview(
        round=round_no, shown=[s.text for s in planned], replies=replies, result=[s.text for s in planned],
        outcome="unusable", errors=[error],
    )  # fmt: skip


def review_prompt(plain_words: bool) -> str:
    how = "Press Enter to approve; or drop 2; reword 1: new text; add: a new question (several with ';')"
    return how + (", or say in plain words what to change." if plain_words else ".")


def _texts_from(
    raw: Any, planned: list[SubQuestion], state: ResearchState, ctx: ResearchContext, plain_words: bool
) -> Steps[tuple[list[str], str, bool]]:
    """The reviewed list of sub-question texts, or why the reply cannot be used, and whether the policy read it."""
    if raw is None or raw == "":
        raw = {"approve": True}
    if isinstance(raw, str):
        raw = {"instruction": raw}
    try:
        reply = PlanReviewReply.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        return (
            [],
            f"the reply was not understood ({'.'.join(map(str, first['loc'])) or 'reply'}: {first['msg']}); {STRUCTURED_FORM}",
            False,
        )
    if reply.instruction and reply.instruction.strip():
        if not plain_words:
            return [], f"plain words need a capable policy, and this one is not; {STRUCTURED_FORM}", False
        numbered = "\n".join(f"{i}. {sq.text}" for i, sq in enumerate(planned, start=1))
        task = EDIT_TASK.format(numbered=numbered, instruction=reply.instruction.strip())
        edited = yield Ask(
            ctx.policy, messages_for(state, ctx, task), node="plan", schema=PlanEdit, max_tokens=EDIT_TOKENS
        )
        if edited.parsed is None:
            return [], f"the policy could not turn the instruction into a plan; {STRUCTURED_FORM}", True
        return _cleaned(edited.parsed.sub_questions, planned), "", True
    if reply.sub_questions is not None:
        texts = _cleaned(reply.sub_questions, planned)
        return texts, "" if texts else "the list of sub-questions is empty", False
    ids = {sq.id for sq in planned}
    unknown = sorted((set(reply.drop) | set(reply.reword)) - ids)
    if unknown:
        return [], f"no sub-question {', '.join(unknown)}; the ids are {', '.join(sorted(ids))}", False
    texts = [reply.reword.get(sq.id, sq.text) for sq in planned if sq.id not in reply.drop]
    texts = _cleaned(texts + list(reply.add), planned)
    return texts, "" if texts else "every sub-question was dropped; at least one must remain", False


def _cleaned(texts: list[str], planned: list[SubQuestion] = ()) -> list[str]:
    """Repeats and blanks out; a new text worded as a question. One of the plan's own stays exactly as it was."""
    own = {sq.text for sq in planned}
    out: list[str] = []
    for text in texts:
        text = str(text).strip()
        if text and not is_repeat(text, out):
            out.append(text if text in own or text.endswith(("?", "？")) else text.rstrip(".。") + "?")
    return out


def _numbered(texts: list[str], planned: list[SubQuestion], round_no: int) -> list[SubQuestion]:
    """The reviewed texts as the round's sub-questions: one kept as it was keeps its origin and parent."""
    by_text = {sq.text: sq for sq in planned}
    out = []
    for i, text in enumerate(texts):
        same = by_text.get(text)
        out.append(
            SubQuestion(
                id=f"r{round_no}q{i + 1}",
                text=text,
                round=round_no,
                index=i,
                origin=same.origin if same else "person",
                parent=same.parent if same else None,
            )  # fmt: skip
        )
    return out
