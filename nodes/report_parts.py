"""The parts of a report that come from the run rather than from the writer's choices.

The writer decides the title, the short answer and the sections; the rest of a report is the run's own
record: each contradiction the verification found (both sides quoted), the scope and method (assumptions,
rounds, sources read, notes), the Verification table, and for a report that found nothing what was
searched. `complete_report` adds them to the structured `Report` (`stepresearch.state.report`) in the
question's language. It renders nothing: Markdown is the report model's, at the edge.
"""

from __future__ import annotations

from stepresearch.core.phrases import ENGLISH, ReportPhrases, language_of, phrases_for
from stepresearch.state import CitedSentence, Claim, DisputedAnswer, Reference, Report, ResearchState, Source

DISAGREEMENT_CITES = 2  # each side of a disagreement cites at most its first two witnesses


def complete_report(report: Report, state: ResearchState) -> Report:
    """`report` with the run's parts, its language and question, and the sources it cites named."""
    language = language_of(state)
    phrases = phrases_for(language)
    sources: dict[str, Source] = state.get("sources", {})
    claims = state.get("claims", [])
    update: dict = {"question": state.get("question", ""), "language": language}
    if report.empty:
        update |= {
            "tools": sorted({s.tool for s in sources.values()}),
            "searched": [sq.text for sq in state.get("sub_questions", [])],
            "run_notes": list(state.get("notes", [])),
        }
    else:
        update |= {
            "disagreements": disagreements(claims),
            "method": method_lines(state, phrases),
            "verification": list(claims),
        }
    return with_references(report.model_copy(update=update), sources)


def with_references(report: Report, sources: dict[str, Source]) -> Report:
    """The report naming every retrieved source its sentences cite; an id that was not retrieved gets none,
    so it is never numbered."""
    cited = dict.fromkeys(
        [sid for s in report.sentences() for sid in s.source_ids]
        + [sid for c in report.verification for sid in (*c.supporting, *c.contradicting)]
    )
    references = {
        sid: Reference(id=sid, title=sources[sid].title, uri=sources[sid].uri) for sid in cited if sid in sources
    }
    return report.model_copy(update={"references": references})


def disagreements(claims: list[Claim]) -> list[DisputedAnswer]:
    """Every contradiction, once per pair of witnesses: each side's sentence quoted from its source."""
    out: list[DisputedAnswer] = []
    shown: set[frozenset[str]] = set()
    for claim in claims:
        if claim.verdict != "contradicted" or not claim.supporting or not claim.contradicting:
            continue
        pair = frozenset([claim.supporting[0], claim.contradicting[0]])
        if pair in shown:
            continue  # the same two witnesses disagreeing, seen from the other side
        shown.add(pair)
        out.append(
            DisputedAnswer(
                one_side=CitedSentence(
                    text=claim.text, source_ids=claim.supporting[:DISAGREEMENT_CITES], origin="extract"
                ),
                other_side=CitedSentence(
                    text=claim.counter_evidence[0] if claim.counter_evidence else "",
                    source_ids=claim.contradicting[:DISAGREEMENT_CITES],
                    origin="extract",
                ),
                one_side_witnesses=claim.supporting_witnesses,
                other_side_witnesses=claim.contradicting_witnesses,
            )
        )
    return out


def method_lines(state: ResearchState, phrases: ReportPhrases = ENGLISH) -> list[str]:
    """Scope and method: the assumptions made, what was searched and read, why research stopped, the notes."""
    brief = state.get("brief")
    sub_questions = state.get("sub_questions", [])
    rounds = max((sq.round for sq in sub_questions), default=1)
    lines = []
    if brief is not None:
        lines += [
            phrases.assumption.format(text=phrases.assumed if a == ENGLISH.assumed else a) for a in brief.assumptions
        ]
    lines.append(
        phrases.method_summary.format(
            sub_questions=len(sub_questions), rounds=rounds, sources=len(state.get("sources", {}))
        )
    )
    if state.get("stop_reason"):
        lines.append(phrases.research_stopped.format(reason=state["stop_reason"]))
    lines += [phrases.note.format(note=note) for note in state.get("notes", [])]
    return lines
