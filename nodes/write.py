"""Write: the report, answer first, citing only on-topic sources that entail what is said.

The policy drafts a title and a short answer here, and one paragraph per
section in the `draft_section` branches before this node (`nodes/sections.py`,
one `Send` each). Nothing it writes is kept on its word: every sentence goes
to the judge (`citations.Attributor`), and a sentence no on-topic source
entails is dropped.

The short answer is built part by part from what the question asks
(`brief.asked`: who, when, where, how many ...). Each part gets the best
entailed sentence that holds the asked kind of fact; a part no source
answers is named as unanswered; a part the sources disagree on is stated as
a disagreement with both sides cited, never as a fact. Sections keep only
sentences that answer their sub-question, and are filled from the evidence
when the policy's paragraph is thin.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.core.phrases import ENGLISH, ReportPhrases, language_of, phrases_for
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.core.text import content_tokens
from stepresearch.judge import answers, disagreement
from stepresearch.judge.question import asked_parts
from stepresearch.state import (
    AskedPart,
    CitedSentence,
    Claim,
    DisputedAnswer,
    Report,
    ReportSection,
    ResearchState,
)
from stepresearch.state.events import ReportWritten

from .citations import Attributor, best_answer, extract_sentences
from .context import ResearchContext
from .layout import in_language, messages_for
from .report_parts import complete_report
from .sections import own_evidence, sections_with_evidence
from .sources_review import without_struck

SUMMARY_TASK = """TASK: summarize
Write a short title for a report on the question, and answer the question in one or two sentences using only the research log.
Reply in JSON: {"title": "...", "answer": "..."}"""

SUMMARY_TOKENS = 160  # a title and two sentences
MIN_SECTION_SENTENCES = 2
FILL_TO = 3
QUESTION_MARKS = "?？"  # a heading or title made of a question drops its mark, the full-width one included


class SummaryDraft(BaseModel):
    title: str = Field(max_length=100)
    answer: str = Field(max_length=500)


def write_events(update: dict) -> list[ReportWritten]:
    """The report as drafted, before validation."""
    report = update.get("report")
    return [ReportWritten(sections=len(report.sections), cited_sources=len(report.cited_source_ids))] if report else []


@step_node(events=write_events)
def write(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    state = without_struck(state)  # a source a person struck is never cited (nodes/sources_review.py)
    question = state["question"]
    language = language_of(state)
    phrases = phrases_for(language)
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    if not evidence:
        return {"report": complete_report(Report(title=default_title(question, phrases), empty=True), state)}
    brief = state.get("brief")
    subject = brief.subject if brief else []
    judge = ctx.judge.bound(lambda task: messages_for(state, ctx, task))
    attributor = Attributor(sources, evidence, judge, subject)
    disputes = Disputes(state.get("claims", []))
    kept: list[str] = []
    dropped = 0

    summary = yield Ask(
        ctx.policy, messages_for(state, ctx, in_language(SUMMARY_TASK, language)), node="write",
        schema=SummaryDraft, max_tokens=SUMMARY_TOKENS,
    )  # fmt: skip
    title = checked_title(summary.parsed.title if summary.parsed else "", question, phrases)
    drafted, lost = yield from attributor.attribute_prose(
        summary.parsed.answer if summary.parsed else "", preferred=set(), kept=kept
    )
    dropped += lost
    parts = brief.asked if brief and brief.asked else asked_parts(question, subject)
    answer, disputed, unanswered = answer_first(parts, drafted, state, disputes, kept)

    # The drafts of the `draft_section` branches; a section without one is filled from the evidence.
    drafts = {d.sub_question_id: d.text for d in state.get("section_drafts", [])}
    sections: list[ReportSection] = []
    for sq in sections_with_evidence(state):
        own = own_evidence(sq, state)
        part = (asked_parts(sq.text, subject) or [AskedPart(kind="thing", text=sq.text, words=[sq.text])])[0]
        drafted, lost = yield from attributor.attribute_prose(
            drafts.get(sq.id, ""), preferred={e.source_id for e in own}, kept=kept
        )
        sentences = [s for s in drafted if answers(s.text, part.words, subject) and not disputes.takes_side(s.text)]
        dropped += lost + len(drafted) - len(sentences)
        if len(sentences) < MIN_SECTION_SENTENCES:
            fill = extract_sentences(own, sources, part.words, subject, kept, FILL_TO - len(sentences), part.kind)
            sentences += [s for s in fill if not disputes.takes_side(s.text)]
        if sentences:
            sections.append(ReportSection(heading=sq.text.rstrip(QUESTION_MARKS).strip(), sentences=sentences))

    report = Report(title=title, short_answer=answer, disputed=disputed, unanswered=unanswered, sections=sections)
    notes = [phrases.dropped_note.format(n=dropped)] if dropped else []
    return {"report": complete_report(report, state), "notes": notes}


def answer_first(
    parts: list[AskedPart], drafted: list[CitedSentence], state: ResearchState, disputes: Disputes, kept: list[str]
) -> tuple[list[CitedSentence], list[DisputedAnswer], list[str]]:
    """One answer per asked part: the policy's entailed sentence if it answers it, else the best evidence
    sentence; a disagreement where the sources disagree; the part named when nothing answers it."""
    brief = state.get("brief")
    subject = brief.subject if brief else []
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    answer: list[CitedSentence] = []
    disputed: list[DisputedAnswer] = []
    unanswered: list[str] = []
    for part in parts:
        if any(answers(s.text, part.words, subject, part.kind) for s in answer):
            continue  # "Fleming discovered penicillin in 1928" answers who and when at once
        chosen = next((s for s in drafted if answers(s.text, part.words, subject, part.kind)), None)
        chosen = chosen or best_answer(part, evidence, sources, subject)
        if chosen is None:
            unanswered.append(part.text)
            continue
        dispute = disputes.about(chosen, part)
        if dispute is not None:
            disputed.append(dispute)
            continue
        answer.append(chosen)
        kept.append(chosen.text)
    return answer, disputed, unanswered


class Disputes:
    """The contradicted claims of the run: which sentences take a side, and how to state both."""

    def __init__(self, claims: list[Claim]) -> None:
        self.claims = [c for c in claims if c.verdict == "contradicted" and c.supporting and c.contradicting]

    def takes_side(self, text: str) -> bool:
        """The sentence states one side of a disagreement as fact."""
        return any(self._side(text, claim) for claim in self.claims)

    def about(self, sentence: CitedSentence, part: AskedPart) -> DisputedAnswer | None:
        for claim in self.claims:
            side = self._side(sentence.text, claim)
            if side is None:
                continue
            one = CitedSentence(text=claim.text, source_ids=claim.supporting[:2], origin="extract")
            other = CitedSentence(text=claim.counter_evidence[0], source_ids=claim.contradicting[:2], origin="extract")
            return DisputedAnswer(
                part=part.text,
                one_side=one,
                other_side=other,
                one_side_witnesses=claim.supporting_witnesses,
                other_side_witnesses=claim.contradicting_witnesses,
            )
        return None

    @staticmethod
    def _side(text: str, claim: Claim) -> str | None:
        counter = claim.counter_evidence[0] if claim.counter_evidence else ""
        if counter and disagreement(text, counter) is not None:
            return "one"
        if disagreement(text, claim.text) is not None:
            return "other"
        if content_tokens(text) == content_tokens(claim.text) or (
            counter and content_tokens(text) == content_tokens(counter)
        ):
            return "same"
        return None


def checked_title(title: str, question: str, phrases: ReportPhrases = ENGLISH) -> str:
    """Keep the policy's title only if it is short, plain and about the question."""
    title = title.strip().strip('"#*').strip()
    words = title.split()
    if (
        2 <= len(words) <= 14
        and not any(c in title for c in "{}[]<>")
        and set(content_tokens(title)) & set(content_tokens(question))
    ):
        return title
    return default_title(question, phrases)


def default_title(question: str, phrases: ReportPhrases = ENGLISH) -> str:
    return phrases.default_title.format(question=question.strip().rstrip(QUESTION_MARKS))
