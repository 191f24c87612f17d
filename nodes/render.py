"""Rendering a report to Markdown, numbering sources in order of first citation.

Every fixed phrase (headings, framing, verdict labels) comes from the table of the report's language,
the question's (`stepresearch.core.phrases`)."""

from __future__ import annotations

from stepresearch.core.phrases import ENGLISH, ReportPhrases, phrases_of
from stepresearch.state import CitedSentence, Claim, DisputedAnswer, Report, ResearchState, Source

# The English verdict labels, as they were before the phrase tables (`ReportPhrases.verdict_label`).
VERDICT_LABELS = {
    verdict: ENGLISH.verdict_label(verdict) for verdict in ("supported", "single_source", "contradicted", "unsupported")
}
# A sentence's citation marks go before these, its last character.
MARKS_BEFORE = ".!。！"


def render_report(report: Report, state: ResearchState) -> tuple[str, list[str]]:
    """The Markdown text and the cited source ids in the order of their numbers."""
    phrases = phrases_of(state)
    sources: dict[str, Source] = state.get("sources", {})
    numbers: dict[str, int] = {}

    def cite(source_ids: list[str]) -> str:
        marks = []
        for source_id in source_ids:
            if source_id not in sources:
                continue  # never print a number for a source that was not retrieved
            numbers.setdefault(source_id, len(numbers) + 1)
            marks.append(f"[{numbers[source_id]}]")
        return "".join(marks)

    def paragraph(sentences: list[CitedSentence]) -> str:
        return " ".join(with_marks(s.text, cite(s.source_ids)) for s in sentences)

    lines = [f"# {report.title}", "", phrases.question_line.format(question=state["question"]), ""]
    if report.empty:
        lines += empty_body(state, phrases)
    else:
        lines += [f"## {phrases.short_answer}", "", paragraph(report.short_answer)]
        lines += [disputed_line(d, cite, phrases) for d in report.disputed]
        if report.unanswered:
            lines.append(phrases.unanswered.format(parts=phrases.quote_list(report.unanswered)))
        lines.append("")
        for section in report.sections:
            lines += [f"## {section.heading}", "", paragraph(section.sentences), ""]
        lines += disagreement_section(state.get("claims", []), cite, phrases)
        lines += method_section(state, phrases)
        lines += verification_section(state.get("claims", []), cite, phrases)
    lines += [f"## {phrases.sources}", ""]
    if numbers:
        for source_id, n in numbers.items():
            source = sources[source_id]
            lines.append(f"[{n}] {source.title} — {source.uri}")
    else:
        lines.append(phrases.no_sources)
    return "\n".join(lines).rstrip() + "\n", list(numbers)


def with_marks(text: str, marks: str) -> str:
    """Citation marks go before the sentence's final punctuation: "... in 1453 [1][2]." """
    if not marks:
        return text
    if text[-1:] in MARKS_BEFORE:
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def disputed_line(dispute: DisputedAnswer, cite, phrases: ReportPhrases = ENGLISH) -> str:
    """An asked fact the sources disagree on, stated as a disagreement with both sides cited."""
    one = with_marks(dispute.one_side.text, cite(dispute.one_side.source_ids))
    other = with_marks(dispute.other_side.text, cite(dispute.other_side.source_ids))
    tally = phrases.tally_of(dispute.one_side_witnesses, dispute.other_side_witnesses)
    return phrases.disputed_answer.format(part=dispute.part, one=one, other=other, tally=tally)


def witnesses(n: int, phrases: ReportPhrases = ENGLISH) -> str:
    return phrases.witnesses(n)


def empty_body(state: ResearchState, phrases: ReportPhrases = ENGLISH) -> list[str]:
    tools = sorted({s.tool for s in state.get("sources", {}).values()}) or [phrases.default_tools]
    lines = [
        f"## {phrases.short_answer}",
        "",
        phrases.no_relevant_sources.format(tools=phrases.tool_separator.join(tools)),
        "",
        f"## {phrases.searched}",
        "",
    ]
    lines += [f"- {sq.text}" for sq in state.get("sub_questions", [])]
    notes = state.get("notes", [])
    if notes:
        lines += ["", f"## {phrases.run_notes}", ""] + [f"- {note}" for note in notes]
    return lines + [""]


def disagreement_section(claims: list[Claim], cite, phrases: ReportPhrases = ENGLISH) -> list[str]:
    """Every contradiction, stated with both sides cited: each side's sentence quoted from its source."""
    disputed = [c for c in claims if c.verdict == "contradicted" and c.supporting and c.contradicting]
    if not disputed:
        return []
    lines = [f"## {phrases.disagreements}", ""]
    shown: set[frozenset[str]] = set()
    for claim in disputed:
        pair = frozenset([claim.supporting[0], claim.contradicting[0]])
        if pair in shown:
            continue  # the same two witnesses disagreeing, seen from the other side
        shown.add(pair)
        one_side = with_marks(claim.text, cite(claim.supporting[:2]))
        other_side = with_marks(claim.counter_evidence[0], cite(claim.contradicting[:2]))
        tally = phrases.tally_of(claim.supporting_witnesses, claim.contradicting_witnesses)
        lines.append("- " + phrases.disagreement_item.format(one=one_side, other=other_side, tally=tally))
    return lines + [""]


def method_section(state: ResearchState, phrases: ReportPhrases = ENGLISH) -> list[str]:
    brief = state.get("brief")
    sub_questions = state.get("sub_questions", [])
    rounds = max((sq.round for sq in sub_questions), default=1)
    lines = [f"## {phrases.method}", ""]
    if brief is not None:
        lines += [
            "- " + phrases.assumption.format(text=phrases.assumed if a == ENGLISH.assumed else a)
            for a in brief.assumptions
        ]
    lines.append(
        "- "
        + phrases.method_summary.format(
            sub_questions=len(sub_questions), rounds=rounds, sources=len(state.get("sources", {}))
        )
    )
    if state.get("stop_reason"):
        lines.append("- " + phrases.research_stopped.format(reason=state["stop_reason"]))
    lines += ["- " + phrases.note.format(note=note) for note in state.get("notes", [])]
    return lines + [""]


def verification_section(claims: list[Claim], cite, phrases: ReportPhrases = ENGLISH) -> list[str]:
    if not claims:
        return []
    columns = (phrases.claim_column, phrases.verdict_column, phrases.for_column, phrases.against_column)
    lines = [
        f"## {phrases.verification}",
        "",
        "| " + " | ".join(columns) + " |",
        "| --- | --- | --- | --- |",
    ]
    for claim in claims:
        text = claim.text.replace("|", "\\|")
        lines.append(
            f"| {text} | {phrases.verdict_label(claim.verdict)} | {cite(claim.supporting[:4]) or '—'} | "
            f"{cite(claim.contradicting[:4]) or '—'} |"
        )
    return lines + [""]
