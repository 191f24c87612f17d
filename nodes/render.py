"""Rendering a report to Markdown, numbering sources in order of first citation."""

from __future__ import annotations

from stepresearch.state import CitedSentence, Claim, DisputedAnswer, Report, ResearchState, Source

VERDICT_LABELS = {
    "supported": "supported (2+ independent sources)",
    "single_source": "single source",
    "contradicted": "contradicted",
    "unsupported": "unsupported",
}


def render_report(report: Report, state: ResearchState) -> tuple[str, list[str]]:
    """The Markdown text and the cited source ids in the order of their numbers."""
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

    lines = [f"# {report.title}", "", f"*Question:* {state['question']}", ""]
    if report.empty:
        lines += empty_body(state)
    else:
        lines += ["## Short answer", "", paragraph(report.short_answer)]
        lines += [disputed_line(d, cite) for d in report.disputed]
        if report.unanswered:
            lines.append("No retrieved source answers " + "; ".join(f"“{p}”" for p in report.unanswered) + ".")
        lines.append("")
        for section in report.sections:
            lines += [f"## {section.heading}", "", paragraph(section.sentences), ""]
        lines += disagreement_section(state.get("claims", []), cite)
        lines += method_section(state)
        lines += verification_section(state.get("claims", []), cite)
    lines += ["## Sources", ""]
    if numbers:
        for source_id, n in numbers.items():
            source = sources[source_id]
            lines.append(f"[{n}] {source.title} — {source.uri}")
    else:
        lines.append("No sources are cited.")
    return "\n".join(lines).rstrip() + "\n", list(numbers)


def with_marks(text: str, marks: str) -> str:
    """Citation marks go before the sentence's final punctuation: "... in 1453 [1][2]." """
    if not marks:
        return text
    if text[-1:] in ".!":
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def disputed_line(dispute: DisputedAnswer, cite) -> str:
    """An asked fact the sources disagree on, stated as a disagreement with both sides cited."""
    one = with_marks(dispute.one_side.text, cite(dispute.one_side.source_ids))
    other = with_marks(dispute.other_side.text, cite(dispute.other_side.source_ids))
    return (
        f"On “{dispute.part}” the sources disagree. {one} Other sources say otherwise: {other} "
        f"({witnesses(dispute.one_side_witnesses)} against {witnesses(dispute.other_side_witnesses)}.)"
    )


def witnesses(n: int) -> str:
    return f"{n} independent source{'s' if n != 1 else ''}"


def empty_body(state: ResearchState) -> list[str]:
    tools = sorted({s.tool for s in state.get("sources", {}).values()}) or ["the configured search tools"]
    lines = [
        "## Short answer",
        "",
        f"No relevant sources were found ({', '.join(tools)}), so this report makes no claims and cites nothing.",
        "",
        "## What was searched",
        "",
    ]
    lines += [f"- {sq.text}" for sq in state.get("sub_questions", [])]
    notes = state.get("notes", [])
    if notes:
        lines += ["", "## Notes on this run", ""] + [f"- {note}" for note in notes]
    return lines + [""]


def disagreement_section(claims: list[Claim], cite) -> list[str]:
    """Every contradiction, stated with both sides cited: each side's sentence quoted from its source."""
    disputed = [c for c in claims if c.verdict == "contradicted" and c.supporting and c.contradicting]
    if not disputed:
        return []
    lines = ["## Where sources disagree", ""]
    shown: set[frozenset[str]] = set()
    for claim in disputed:
        pair = frozenset([claim.supporting[0], claim.contradicting[0]])
        if pair in shown:
            continue  # the same two witnesses disagreeing, seen from the other side
        shown.add(pair)
        one_side = with_marks(claim.text, cite(claim.supporting[:2]))
        other_side = with_marks(claim.counter_evidence[0], cite(claim.contradicting[:2]))
        count = f"({witnesses(claim.supporting_witnesses)} against {witnesses(claim.contradicting_witnesses)}.)"
        lines.append(f"- {one_side} Another source disagrees: {other_side} {count}")
    return lines + [""]


def method_section(state: ResearchState) -> list[str]:
    brief = state.get("brief")
    sub_questions = state.get("sub_questions", [])
    rounds = max((sq.round for sq in sub_questions), default=1)
    lines = ["## Scope and method", ""]
    if brief is not None:
        lines += [f"- Assumption: {a}" for a in brief.assumptions]
    lines.append(
        f"- Searched {len(sub_questions)} sub-question(s) in {rounds} round(s) and read "
        f"{len(state.get('sources', {}))} source(s). Every citation was computed by matching the sentence "
        "against the retrieved text; sentences no source supports were left out."
    )
    if state.get("stop_reason"):
        lines.append(f"- Research stopped: {state['stop_reason']}.")
    lines += [f"- Note: {note}" for note in state.get("notes", [])]
    return lines + [""]


def verification_section(claims: list[Claim], cite) -> list[str]:
    if not claims:
        return []
    lines = [
        "## Verification",
        "",
        "| Key claim | Verdict | Sources for | Sources against |",
        "| --- | --- | --- | --- |",
    ]
    for claim in claims:
        text = claim.text.replace("|", "\\|")
        lines.append(
            f"| {text} | {VERDICT_LABELS[claim.verdict]} | {cite(claim.supporting[:4]) or '—'} | "
            f"{cite(claim.contradicting[:4]) or '—'} |"
        )
    return lines + [""]
