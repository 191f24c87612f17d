"""Draft sections: one `Send` branch per section, each asking the policy for its paragraph.

After the last round, each first-round sub-question that has evidence of its
own (its follow-ups' evidence counts) becomes a section, and each section's
paragraph is one branch of the graph: `dispatch_sections` fans out, the
graph's concurrency budget caps how many run at once, and every branch's
prompt is the run's shared context (system block, brief, research log, as
`nodes/layout.py` lays it out) with the section's task last, so a server
batches the branches over their common prefix. The branches only draft; the
`write` node judges every drafted sentence, assembles the answer-first
report, and fills a thin section from the evidence.

Only the capable tier drafts (`context.capable_tier`). A weak policy's paragraphs were almost all
dropped by the judge (SmolLM2: 10 of 137 sentences kept, README "Faithfulness"), at a third of a run's
time, so under the weak tier a branch returns an empty draft without a call, and its section is
written from the evidence sentences that answer it. The branch stays, so the graph's shape (and its
checkpoints) is the same for both tiers.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Send

from stepresearch.core.phrases import language_of
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.state import ResearchState, SectionBrief, SectionDraft, SubQuestion

from .context import ResearchContext, capable_tier
from .layout import in_language, prompt_context, with_task
from .sources_review import without_struck

SECTION_TASK = """TASK: write
Write a paragraph of 2 to 4 sentences that answers: {sub_question}
Use only facts from the research log. End each sentence with the handle of its source, like [S2]."""

SECTION_TOKENS = 200  # two to four sentences


def dispatch_sections(state: ResearchState, runtime: Runtime[ResearchContext]) -> list[Send] | str:
    """One branch per section that has evidence, or straight to `write` when none has."""
    state = without_struck(state)
    sections = sections_with_evidence(state)
    if not sections:
        return "write"
    context = prompt_context(state)
    layout = runtime.context.prompt_layout
    language = language_of(state)
    return [
        Send("draft_section", SectionBrief(sub_question=sq, context=context, layout=layout, language=language))
        for sq in sections
    ]


@step_node
def draft_section(brief: SectionBrief, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    sq = brief["sub_question"]
    if not capable_tier(runtime.context):
        return {"section_drafts": [SectionDraft(sub_question_id=sq.id, text="")]}
    task = in_language(SECTION_TASK.format(sub_question=sq.text), brief.get("language"))
    messages = with_task(brief["context"], task, brief.get("layout", "prefix"))
    reply = yield Ask(runtime.context.policy, messages, node="draft_section", max_tokens=SECTION_TOKENS)
    return {"section_drafts": [SectionDraft(sub_question_id=sq.id, text=reply.text)]}


def sections_with_evidence(state: ResearchState) -> list[SubQuestion]:
    """The report's sections: first-round sub-questions (follow-ups feed their parent's section) that have
    evidence of their own."""
    return [sq for sq in state.get("sub_questions", []) if sq.parent is None and own_evidence(sq, state)]


def own_evidence(sq: SubQuestion, state: ResearchState) -> list:
    members = {sq.id} | {other.id for other in state.get("sub_questions", []) if other.parent == sq.id}
    return [e for e in state.get("evidence", []) if members.intersection(e.sub_question_ids)]
