"""The report, from the writer to the disk: one structured model, and the one place it becomes a document.

The writer builds a `Report`. `validate` checks its sentences against the retrieved sources, repairs what
does not hold, and records on each citation it keeps the judge's alignment: the passage of the source that
supports the sentence, located in the source's text. Nothing is parsed back from Markdown.

`report_blocks` lays the report out in reading order: the title, headings, paragraphs, list items, table
rows and the source list, each holding the report's own `CitedSentence` objects. `Report.markdown` renders
those blocks, and the run viewer draws the same blocks with the recorded alignments. So the numbering
[1], [2], ... (by first citation in that order) and the report's format live here and nowhere else. Every
fixed phrase is the report's language's (`stepresearch.core.phrases`).

Parsing a report's Markdown is kept only for a report a person edited (`stepresearch verify`,
`stepresearch.nodes.citation_check.validate_markdown`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from stepresearch.core.phrases import DEFAULT_LANGUAGE, phrases_for

from .models import Alignment, Claim

# A sentence's citation marks go before these, its last character: "... in 1453 [1][2]."
MARKS_BEFORE = ".!。！"
UNVERIFIED_BEFORE = ".!?。！？"  # the unverified mark goes before these
TABLE_CITES = 4  # a Verification row shows at most this many sources on each side
TABLE_EMPTY = "—"
_EMPHASIS = re.compile(r"\*\*?([^*]+)\*\*?")
_QUOTE = re.compile(r"^\s*>\s*")


class Reference(BaseModel):
    """A retrieved source as the report's source list names it."""

    id: str
    title: str
    uri: str


class CitedSentence(BaseModel):
    """A report sentence and the sources it cites."""

    text: str
    source_ids: list[str] = Field(default_factory=list)
    evidence_id: str | None = None
    origin: Literal["policy", "extract"] = "policy"
    unverified: bool = Field(
        default=False, description="The validator found no retrieved source that supports it; it cites none."
    )
    alignments: list[Alignment] = Field(
        default_factory=list, description="One per cited source, once validated: what in the source supports it."
    )


class DisputedAnswer(BaseModel):
    """Sources that disagree: both sides, each cited, with their independent witnesses. An asked fact of the
    short answer has its `part`; an item of "Where sources disagree" has none."""

    part: str = Field(default="", description="The asked part, e.g. 'when did the fire destroy the old town'.")
    one_side: CitedSentence
    other_side: CitedSentence
    one_side_witnesses: int = 1
    other_side_witnesses: int = 1


class ReportSection(BaseModel):
    heading: str
    sentences: list[CitedSentence] = Field(default_factory=list)


class Report(BaseModel):
    """Everything a report says, structured. The writer fills it and `validate` checks it in place."""

    title: str
    question: str = ""
    language: str = Field(default=DEFAULT_LANGUAGE, description="Its fixed phrases' language (ISO 639-1).")
    warning: str = Field(default="", description="Said under the title, where a reader sees it first.")
    short_answer: list[CitedSentence] = Field(default_factory=list)
    disputed: list[DisputedAnswer] = Field(
        default_factory=list,
        description="Asked facts the sources disagree on: stated as a disagreement, never as fact.",
    )
    unanswered: list[str] = Field(default_factory=list, description="Asked parts no retrieved source answers.")
    sections: list[ReportSection] = Field(default_factory=list)
    disagreements: list[DisputedAnswer] = Field(
        default_factory=list, description="Every contradiction the verification found, both sides quoted."
    )
    method: list[str] = Field(default_factory=list, description="Scope and method: assumptions, rounds, notes.")
    verification: list[Claim] = Field(default_factory=list, description="The key claims and their verdicts.")
    empty: bool = Field(default=False, description="No relevant source was found: the report claims nothing.")
    searched: list[str] = Field(default_factory=list, description="An empty report's sub-questions.")
    tools: list[str] = Field(default_factory=list, description="An empty report's search tools.")
    run_notes: list[str] = Field(default_factory=list, description="An empty report's notes on the run.")
    references: dict[str, Reference] = Field(
        default_factory=dict, description="Every source the report cites, by id: what its source list names."
    )

    @computed_field(description="The cited sources' ids in the order of their numbers [1], [2], ...")
    @property
    def cited_source_ids(self) -> list[str]:
        return list(source_numbers(self))

    @computed_field(description="The report as Markdown, rendered from the structure.")
    @property
    def markdown(self) -> str:
        return render_markdown(self)

    def sentences(self) -> Iterator[CitedSentence]:
        """Every prose sentence that cites, in reading order: what the validator checks."""
        yield from self.short_answer
        for dispute in self.disputed:
            yield from (dispute.one_side, dispute.other_side)
        for section in self.sections:
            yield from section.sentences
        for dispute in self.disagreements:
            yield from (dispute.one_side, dispute.other_side)


Piece = CitedSentence | str


class ReportBlock(BaseModel):
    """One line of the document: fixed text and cited sentences, in reading order."""

    kind: Literal["title", "heading", "paragraph", "item", "quote", "header_row", "row", "source"]
    pieces: list[Piece] = Field(default_factory=list, description="A prose line's text.")
    cells: list[list[Piece]] = Field(default_factory=list, description="A table row's cells.")
    claim: Claim | None = Field(default=None, description="A Verification row's claim.")
    reference: Reference | None = Field(default=None, description="A source list entry's source.")


def report_blocks(report: Report) -> list[ReportBlock]:
    """The report in reading order, its source list last, numbered by first citation."""
    body = _body(report)
    numbers = _numbers(body, report.references)
    phrases = phrases_for(report.language)
    tail = [ReportBlock(kind="heading", pieces=[phrases.sources])]
    if numbers:
        tail += [ReportBlock(kind="source", reference=report.references[sid]) for sid in numbers]
    else:
        tail.append(ReportBlock(kind="paragraph", pieces=[phrases.no_sources]))
    return body + tail


def source_numbers(report: Report) -> dict[str, int]:
    """Each cited source's number: 1 for the first cited in reading order, 2 for the next, ..."""
    return _numbers(_body(report), report.references)


def render_markdown(report: Report) -> str:
    """The one Markdown rendering of a report."""
    blocks = report_blocks(report)
    numbers = _numbers(blocks, report.references)
    unverified = phrases_for(report.language).unverified
    lines: list[str] = []
    previous = ""
    for block in blocks:
        if lines and not (block.kind == previous and block.kind in ("item", "row", "source")):
            if not (block.kind == "row" and previous == "header_row"):
                lines.append("")
        lines.append(_markdown_line(block, numbers, unverified))
        if block.kind == "header_row":
            lines.append("| " + " | ".join("---" for _ in block.cells) + " |")
        previous = block.kind
    return "\n".join(lines).rstrip() + "\n"


def plain_text(text: str) -> str:
    """A fixed phrase as a reader sees it outside Markdown (the viewer, the exports): without a quote's `>`
    or the emphasis marks. Spaces around it are kept: it may stand between two sentences."""
    return _EMPHASIS.sub(r"\1", _QUOTE.sub("", text))


def marked_unverified(text: str, mark: str) -> str:
    """The validator's mark on a sentence no source supports, before its final punctuation."""
    text = text.rstrip()
    if not text or mark in text:
        return text
    if text[-1] in ".!?。！？":
        return f"{text[:-1]} {mark}{text[-1]}"
    return f"{text} {mark}"


def _body(report: Report) -> list[ReportBlock]:
    phrases = phrases_for(report.language)
    blocks = [ReportBlock(kind="title", pieces=[report.title])]
    if report.warning:
        blocks.append(ReportBlock(kind="quote", pieces=[phrases.warning(report.warning)]))
    if report.question:
        blocks.append(ReportBlock(kind="paragraph", pieces=[phrases.question_line.format(question=report.question)]))
    heading = lambda text: ReportBlock(kind="heading", pieces=[text])  # noqa: E731
    items = lambda texts: [ReportBlock(kind="item", pieces=[t]) for t in texts]  # noqa: E731
    if report.empty:
        tools = phrases.tool_separator.join(report.tools) if report.tools else phrases.default_tools
        blocks += [heading(phrases.short_answer)]
        blocks.append(ReportBlock(kind="paragraph", pieces=[phrases.no_relevant_sources.format(tools=tools)]))
        blocks += [heading(phrases.searched), *items(report.searched)]
        if report.run_notes:
            blocks += [heading(phrases.run_notes), *items(report.run_notes)]
        return blocks
    blocks.append(heading(phrases.short_answer))
    if report.short_answer:
        blocks.append(ReportBlock(kind="paragraph", pieces=_joined(report.short_answer)))
    for dispute in report.disputed:
        template = phrases.disputed_answer.replace("{part}", dispute.part)
        blocks.append(ReportBlock(kind="paragraph", pieces=_sides(template, dispute, phrases)))
    if report.unanswered:
        text = phrases.unanswered.format(parts=phrases.quote_list(report.unanswered))
        blocks.append(ReportBlock(kind="paragraph", pieces=[text]))
    for section in report.sections:
        blocks += [heading(section.heading), ReportBlock(kind="paragraph", pieces=_joined(section.sentences))]
    if report.disagreements:
        blocks.append(heading(phrases.disagreements))
        for dispute in report.disagreements:
            blocks.append(ReportBlock(kind="item", pieces=_sides(phrases.disagreement_item, dispute, phrases)))
    if report.method:
        blocks += [heading(phrases.method), *items(report.method)]
    if report.verification:
        columns = [phrases.claim_column, phrases.verdict_column, phrases.for_column, phrases.against_column]
        blocks += [heading(phrases.verification), ReportBlock(kind="header_row", cells=[[c] for c in columns])]
        for claim in report.verification:
            cells: list[list[Piece]] = [
                [claim.text.replace("|", "\\|")],
                [phrases.verdict_label(claim.verdict)],
                [CitedSentence(text="", source_ids=claim.supporting[:TABLE_CITES], origin="extract")],
                [CitedSentence(text="", source_ids=claim.contradicting[:TABLE_CITES], origin="extract")],
            ]
            blocks.append(ReportBlock(kind="row", cells=cells, claim=claim))
    return blocks


def _joined(sentences: list[CitedSentence]) -> list[Piece]:
    pieces: list[Piece] = []
    for sentence in sentences:
        pieces += [" ", sentence] if pieces else [sentence]
    return pieces


def _sides(template: str, dispute: DisputedAnswer, phrases) -> list[Piece]:
    """A template with both sides and the tally filled in, as pieces: the sides stay cited sentences."""
    tally = phrases.tally_of(dispute.one_side_witnesses, dispute.other_side_witnesses)
    before, rest = template.replace("{tally}", tally).split("{one}", 1)
    middle, after = rest.split("{other}", 1)
    return [p for p in (before, dispute.one_side, middle, dispute.other_side, after) if p != ""]


def _numbers(blocks: list[ReportBlock], references: dict[str, Reference]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for block in blocks:
        for piece in [*block.pieces, *(p for cell in block.cells for p in cell)]:
            if isinstance(piece, CitedSentence):
                for source_id in piece.source_ids:
                    if source_id in references:  # never a number for a source that was not retrieved
                        numbers.setdefault(source_id, len(numbers) + 1)
    return numbers


class Inline(BaseModel):
    """A run of a line's text: plain text, or one citation mark (`cites` is the source's number)."""

    text: str = ""
    cites: int | None = None
    unverified: bool = Field(default=False, description="The validator's mark on a sentence no source supports.")


def inline(pieces: list[Piece], numbers: dict[str, int], unverified: str) -> list[Inline]:
    """A line's pieces as runs of text and citation marks, the marks before a sentence's final stop: what
    every rendering (Markdown, HTML, Word) writes out in its own way."""
    out: list[Inline] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(Inline(text=piece))
            continue
        marks = [numbers[s] for s in piece.source_ids if s in numbers]
        text = piece.text.rstrip() if marks or piece.unverified else piece.text
        before = MARKS_BEFORE if marks else UNVERIFIED_BEFORE
        stop = text[-1] if (marks or piece.unverified) and text and text[-1] in before else ""
        body = text[: len(text) - len(stop)].rstrip() if stop else text
        if body and (marks or piece.unverified):
            body += " "
        out.append(Inline(text=body))
        out += [Inline(cites=n) for n in marks]
        if piece.unverified and not marks:
            out.append(Inline(text=unverified, unverified=True))
        if stop:
            out.append(Inline(text=stop))
    return out


def _markdown_line(block: ReportBlock, numbers: dict[str, int], unverified: str) -> str:
    def text(pieces: list[Piece]) -> str:
        return "".join(
            f"[{run.cites}]" if run.cites is not None else run.text for run in inline(pieces, numbers, unverified)
        )

    if block.kind == "title":
        return f"# {text(block.pieces)}"
    if block.kind == "heading":
        return f"## {text(block.pieces)}"
    if block.kind == "item":
        return f"- {text(block.pieces)}"
    if block.kind in ("header_row", "row"):
        return "| " + " | ".join(text(cell) or TABLE_EMPTY for cell in block.cells) + " |"
    if block.kind == "source" and block.reference is not None:
        return f"[{numbers[block.reference.id]}] {block.reference.title} — {block.reference.uri}"
    return text(block.pieces)
