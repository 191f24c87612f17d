"""What the run viewer shows, computed from a run's state: the data behind every panel of run.html.

The page (`page.html`) only draws; everything it draws is decided here, from
the state a run reached (its final state, or its latest checkpoint while it
is still going), so the file written at the end and the live page of
`stepresearch show` are one view. The report is read from its final
Markdown, the text a reader gets, so that a swapped-in writer's report is
shown the same way; each citation mark is tied to the passage of its source
that the judge aligns the sentence with (`stepresearch.judge`), which is the
passage a click highlights.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, Field

from stepresearch.core.phrases import TABLES
from stepresearch.core.text import split_sentences
from stepresearch.graphs.drawing import figures_by_node, graph_svg
from stepresearch.judge import corroborates, judge
from stepresearch.judge.disagreement import sentence_context
from stepresearch.state import NodeExecution, ResearchState, Source

EXCERPT_CHARS = 1500  # each side of the supporting passage: a long document is shown around it, not whole
_MARKS = re.compile(r"((?:\s*\[\d+\])+)")
_NUMBER = re.compile(r"\[(\d+)\]")
_SOURCE_ENTRY = re.compile(r"^\[(\d+)\]\s+(.+)$")  # "[3] Title — uri" in the report's source list
UNVERIFIED_MARKS = tuple(dict.fromkeys(table.unverified for table in TABLES.values()))  # every language's

RunStatus = Literal["running", "finished", "stopped"]


class Execution(BaseModel):
    """One bar of the timeline."""

    node: str
    start_s: float = Field(description="Seconds after the run's first execution started.")
    end_s: float
    lane: int = Field(description="Row of the timeline: executions that overlap in time get different lanes.")
    round: int
    sub_question: str | None = None
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0


class PlanSource(BaseModel):
    id: str
    title: str
    cited_as: int | None = Field(default=None, description="Its number in the report, or None: no section used it.")


class PlanNode(BaseModel):
    id: str
    text: str
    round: int
    parent: str | None
    sources: list[PlanSource]
    children: list[PlanNode] = Field(default_factory=list)


class Cite(BaseModel):
    """One [n] after a sentence: the passage of source n that supports it, inside an excerpt of the source."""

    n: int
    source_id: str | None
    title: str = ""
    uri: str = ""
    excerpt: str = ""
    spans: list[tuple[int, int]] = Field(default_factory=list, description="The supporting passage in `excerpt`.")
    verdict: str = ""


class Sentence(BaseModel):
    text: str
    unverified: bool = False
    cites: list[Cite] = Field(default_factory=list)


class Block(BaseModel):
    kind: Literal["h1", "h2", "h3", "p", "li", "quote", "row", "source"] = Field(
        description="'source' is an entry of the report's source list: its mark opens the whole source."
    )
    sentences: list[Sentence] = Field(default_factory=list)
    cells: list[list[Sentence]] = Field(default_factory=list, description="A table row's cells.")
    header: bool = False


class Witness(BaseModel):
    n: int | None
    title: str


class ClaimView(BaseModel):
    text: str
    verdict: str
    supporting: list[Witness]
    contradicting: list[Witness]
    evidence: list[str]
    counter_evidence: list[str]


class NodeCost(BaseModel):
    node: str
    runs: int
    seconds: float
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int


class RunView(BaseModel):
    """Everything run.html shows."""

    question: str
    title: str
    status: RunStatus
    stop_reason: str = ""
    updated_at: float = Field(default_factory=time.time)
    graph_svg: str
    executions: list[Execution]
    lanes: int
    timeline_note: str = ""
    plan: list[PlanNode]
    unused_sources: list[PlanSource]
    report: list[Block]
    claims: list[ClaimView]
    cost: list[NodeCost]
    cache: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def run_view(
    state: ResearchState,
    graph: CompiledStateGraph,
    *,
    status: RunStatus,
    record: dict[str, Any] | None = None,
) -> RunView:
    """The view of a run that reached `state`; `record` is its run.json, when it has one (cache figures)."""
    sources = state.get("sources", {})
    report = state.get("report")
    cited = list(report.cited_source_ids) if report else []
    numbers = {source_id: n for n, source_id in enumerate(cited, start=1)}
    executions = list(state.get("executions", []))
    bars, lanes = timeline(executions)
    figures = figures_by_node(executions)
    note = ""
    if not executions and state.get("timings"):
        note = "This run was recorded before per-execution times were kept: there is no timeline to draw."
    return RunView(
        question=state.get("question", ""),
        title=report.title if report else state.get("question", ""),
        status=status,
        stop_reason=state.get("stop_reason", ""),
        graph_svg=graph_svg(graph, figures),
        executions=bars,
        lanes=lanes,
        timeline_note=note,
        plan=plan_tree(state, numbers),
        unused_sources=[PlanSource(id=s.id, title=s.title) for s in sources.values() if s.id not in numbers],
        report=report_blocks(report.markdown if report else "", [sources.get(sid) for sid in cited]),
        claims=[
            ClaimView(
                text=c.text,
                verdict=c.verdict,
                supporting=[_witness(sid, sources, numbers) for sid in c.supporting],
                contradicting=[_witness(sid, sources, numbers) for sid in c.contradicting],
                evidence=list(c.evidence),
                counter_evidence=list(c.counter_evidence),
            )
            for c in state.get("claims", [])
        ],
        cost=[
            NodeCost(node=node, **f.model_dump())
            for node, f in sorted(figures.items(), key=lambda item: -item[1].seconds)
        ],
        cache=(record or {}).get("cache") or {},
        notes=list(state.get("notes", [])),
    )


def timeline(executions: list[NodeExecution]) -> tuple[list[Execution], int]:
    """Bars on lanes: each execution takes the first lane free when it starts, so parallel branches stack."""
    if not executions:
        return [], 0
    origin = min(e.started_at for e in executions)
    lane_ends: list[float] = []
    bars = []
    for e in sorted(executions, key=lambda e: e.started_at):
        start, end = e.started_at - origin, e.started_at - origin + e.seconds
        lane = next((i for i, free in enumerate(lane_ends) if free <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        lane_ends[lane] = end
        bars.append(
            Execution(
                node=e.node, start_s=round(start, 4), end_s=round(end, 4), lane=lane, round=e.round,
                sub_question=e.sub_question, prompt_tokens=e.usage.prompt_tokens,
                cached_tokens=e.usage.cached_tokens, completion_tokens=e.usage.completion_tokens,
            )
        )  # fmt: skip
    return bars, len(lane_ends)


def plan_tree(state: ResearchState, numbers: dict[str, int]) -> list[PlanNode]:
    """Sub-questions by round, follow-ups under their parent, each with the sources its search found."""
    found: dict[str, list[PlanSource]] = {}
    for source in state.get("sources", {}).values():
        for sq_id in source.found_by:
            found.setdefault(sq_id, []).append(
                PlanSource(id=source.id, title=source.title, cited_as=numbers.get(source.id))
            )
    nodes = {
        sq.id: PlanNode(id=sq.id, text=sq.text, round=sq.round, parent=sq.parent, sources=found.get(sq.id, []))
        for sq in state.get("sub_questions", [])
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent) if node.parent else None
        (parent.children if parent is not None else roots).append(node)
    return roots


def report_blocks(markdown: str, cited: list[Source | None]) -> list[Block]:
    """The report's Markdown as blocks of sentences, each [n] tied to its supporting passage."""
    blocks: list[Block] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if not stripped or set(stripped) <= set("|-: "):
            continue  # blank, or a table's separator row
        heading = re.match(r"^(#{1,3})\s+(.*)$", stripped)
        if heading:
            level = len(heading.group(1))
            blocks.append(Block(kind=f"h{level}", sentences=[Sentence(text=heading.group(2))]))
        elif stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            header = not blocks or blocks[-1].kind != "row"
            blocks.append(Block(kind="row", header=header, cells=[cell_sentences(c, cells[0], cited) for c in cells]))
        elif entry := _SOURCE_ENTRY.match(stripped):
            n = int(entry.group(1))
            blocks.append(Block(kind="source", sentences=[Sentence(text=entry.group(2), cites=[cite(n, "", cited)])]))
        elif stripped.startswith(">"):
            blocks.append(Block(kind="quote", sentences=prose_sentences(stripped.lstrip("> "), cited)))
        elif stripped.startswith("- "):
            blocks.append(Block(kind="li", sentences=prose_sentences(stripped[2:], cited)))
        else:
            blocks.append(Block(kind="p", sentences=prose_sentences(stripped, cited)))
    return blocks


def prose_sentences(text: str, cited: list[Source | None]) -> list[Sentence]:
    """Sentences with the marks that follow each, the punctuation after a mark kept with its sentence."""
    out: list[Sentence] = []
    pieces = _MARKS.split(text)
    pending = ""
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            lead = re.match(r"^[.!?;:,。！？；：，]+", piece)
            if lead and out:
                out[-1].text += lead.group(0)
                piece = piece[lead.end() :]
            pending += piece
            continue
        parts = split_sentences(pending) or [pending]
        for part in parts[:-1]:
            out.append(_sentence(part, [], cited))
        out.append(_sentence(parts[-1], [int(n) for n in _NUMBER.findall(piece)], cited))
        pending = ""
    for part in split_sentences(pending) if pending.strip() else []:
        out.append(_sentence(part, [], cited))
    return out


def cell_sentences(cell: str, row_text: str, cited: list[Source | None]) -> list[Sentence]:
    """A table cell: prose, or marks alone, which then cite the row's first cell (the claim)."""
    numbers = [int(n) for n in _NUMBER.findall(cell)]
    if numbers and not _NUMBER.sub("", cell).strip(" ,;"):
        claim = _NUMBER.sub("", row_text).strip()
        return [Sentence(text="", cites=[cite(n, claim, cited) for n in numbers])]
    return prose_sentences(cell, cited)


def _sentence(text: str, numbers: list[int], cited: list[Source | None]) -> Sentence:
    """The sentence as a reader sees it: without the validator's mark (a flag instead) or Markdown emphasis."""
    unverified = any(mark in text for mark in UNVERIFIED_MARKS)
    for mark in UNVERIFIED_MARKS:
        text = text.replace(mark, "")
    statement = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text)
    statement = re.sub(r"\s+([.!?。！？])$", r"\1", statement.strip())
    return Sentence(text=statement, unverified=unverified, cites=[cite(n, statement, cited) for n in numbers])


def cite(n: int, statement: str, cited: list[Source | None]) -> Cite:
    """Source n's passage that the judge aligns the statement with, located in the source's own text."""
    source = cited[n - 1] if 0 < n <= len(cited) else None
    if source is None:
        return Cite(n=n, source_id=None, verdict="no such source")
    judgement = judge(statement.rstrip(".!? "), source.text, source.title) if statement else None
    aligned = judgement.sentence if judgement else ""
    if judgement is not None and not judgement.entails:
        # A witness that tells the claim's event in its own words (verification counts it so): its sentence.
        sentences = split_sentences(source.text)
        aligned = next(
            (
                x
                for i, x in enumerate(sentences)
                if corroborates(statement, x, second_title=sentence_context(source.title, sentences, i))
            ),
            aligned,
        )
    found = []
    for part in split_sentences(aligned) if aligned else []:
        span = locate(part, source.text)
        if span is not None:
            found.append(span)
    if not found:
        return Cite(
            n=n, source_id=source.id, title=source.title, uri=source.uri,
            excerpt=source.text[: 2 * EXCERPT_CHARS], verdict=_verdict(judgement),
        )  # fmt: skip
    lo = max(0, min(a for a, _ in found) - EXCERPT_CHARS)
    hi = min(len(source.text), max(b for _, b in found) + EXCERPT_CHARS)
    return Cite(
        n=n,
        source_id=source.id,
        title=source.title,
        uri=source.uri,
        excerpt=source.text[lo:hi],
        spans=[(a - lo, b - lo) for a, b in sorted(found)],
        verdict=_verdict(judgement),
    )


def locate(sentence: str, text: str) -> tuple[int, int] | None:
    """Where `sentence` stands in `text`, whatever the spaces between its words (the judge normalises them: a
    source's no-break space in "54\u00a0BC" is a plain space in the sentence it aligned)."""
    words = sentence.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), text)
    return (match.start(), match.end()) if match else None


def _verdict(judgement: Any) -> str:
    return judgement.label if judgement is not None else ""


def _witness(source_id: str, sources: dict[str, Source], numbers: dict[str, int]) -> Witness:
    source = sources.get(source_id)
    return Witness(n=numbers.get(source_id), title=source.title if source else source_id)
