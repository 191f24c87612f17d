"""Write: the report, citing only sources that were really retrieved.

The policy writes a title, a short answer and one paragraph per
sub-question. Every sentence it writes is then attributed to the evidence
passage that supports it (`nodes/citations.py`); a sentence nothing supports
is dropped, and a section left thin is filled with sentences quoted from its
best evidence. The citations in the report are therefore computed from
retrieved text, whatever the model wrote in brackets.
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field

from stepresearch.serving.calls import ask
from stepresearch.state import Report, ReportSection, ResearchState, SubQuestion
from stepresearch.text import content_tokens

from .citations import attribute_prose, extract_sentences
from .context import get_context
from .layout import messages_for
from .render import render_report

SUMMARY_TASK = """TASK: summarize
Write a short title for a report on the question, and answer the question in one or two sentences using only the research log.
Reply in JSON: {"title": "...", "answer": "..."}"""

SECTION_TASK = """TASK: write
Write a paragraph of 2 to 4 sentences that answers: {sub_question}
Use only facts from the research log. End each sentence with the handle of its source, like [S2]."""

MIN_SECTION_SENTENCES = 2
FILL_TO = 3
ANSWER_SENTENCES = 2


class SummaryDraft(BaseModel):
    title: str = Field(max_length=100)
    answer: str = Field(max_length=500)


def write(state: ResearchState, config: RunnableConfig) -> dict:
    ctx = get_context(config)
    question = state["question"]
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    if not evidence:
        return {"report": finish(Report(title=default_title(question), empty=True), state)}

    kept: list[str] = []
    dropped = 0

    summary = ask(
        ctx.policy,
        messages_for(state, ctx, SUMMARY_TASK),
        node="write",
        schema=SummaryDraft,
        max_tokens=160,
        config=config,
    )
    title = checked_title(summary.parsed.title if summary.parsed else "", question)
    answer, lost = attribute_prose(
        summary.parsed.answer if summary.parsed else "", evidence, sources, preferred=set(), kept=kept
    )
    dropped += lost
    answer = answer[:ANSWER_SENTENCES]
    if not answer:
        answer = extract_sentences(evidence, question, kept, ANSWER_SENTENCES)

    sections: list[ReportSection] = []
    for sq in section_sub_questions(state):
        members = section_members(sq, state)
        own = [e for e in evidence if members.intersection(e.sub_question_ids)]
        if not own:
            continue
        reply = ask(
            ctx.policy,
            messages_for(state, ctx, SECTION_TASK.format(sub_question=sq.text)),
            node="write",
            max_tokens=200,
            config=config,
        )
        sentences, lost = attribute_prose(reply.text, evidence, sources, preferred={e.id for e in own}, kept=kept)
        dropped += lost
        if len(sentences) < MIN_SECTION_SENTENCES:
            sentences += extract_sentences(own, sq.text, kept, FILL_TO - len(sentences))
        if sentences:
            sections.append(ReportSection(heading=sq.text.rstrip("?").strip(), sentences=sentences))

    report = finish(Report(title=title, short_answer=answer, sections=sections), state)
    notes = (
        [f"{dropped} sentence(s) the policy wrote were dropped: no retrieved passage supports them"] if dropped else []
    )
    return {"report": report, "notes": notes}


def finish(report: Report, state: ResearchState) -> Report:
    markdown, cited_ids = render_report(report, state)
    return report.model_copy(update={"markdown": markdown, "cited_source_ids": cited_ids})


def section_sub_questions(state: ResearchState) -> list[SubQuestion]:
    """First-round sub-questions head the sections; follow-ups feed their parent's section."""
    return [sq for sq in state.get("sub_questions", []) if sq.parent is None]


def section_members(sq: SubQuestion, state: ResearchState) -> set[str]:
    return {sq.id} | {other.id for other in state.get("sub_questions", []) if other.parent == sq.id}


def checked_title(title: str, question: str) -> str:
    """Keep the policy's title only if it is short, plain and about the question."""
    title = title.strip().strip('"#*').strip()
    words = title.split()
    if (
        2 <= len(words) <= 14
        and not any(c in title for c in "{}[]<>")
        and set(content_tokens(title)) & set(content_tokens(question))
    ):
        return title
    return default_title(question)


def default_title(question: str) -> str:
    return "Research report: " + question.strip().rstrip("?")
