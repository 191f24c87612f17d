"""What the run viewer shows, computed from a run's state: the data behind every panel of run.html.

The page (`page.html`) only draws; everything it draws is decided here, from
the state a run reached (its final state, or its latest checkpoint while it
is still going), so the file written at the end and the live page of
`stepresearch show` are one view. The report is drawn from its structure, the
same blocks its Markdown is rendered from (`stepresearch.state.report`), and
each citation mark is tied to the passage of its source that the validator's
judge aligned the sentence with, recorded on the sentence: the passage a click
highlights. Nothing here judges again.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, Field

from stepresearch.graphs.drawing import figures_by_node, graph_svg
from stepresearch.state import Alignment, NodeExecution, Report, ReportBlock, ResearchState, Source, source_numbers
from stepresearch.state import report_blocks as document_blocks
from stepresearch.state.report import plain_text

EXCERPT_CHARS = 1500  # each side of the supporting passage: a long document is shown around it, not whole

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
        report=report_blocks(report, sources),
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


def report_blocks(report: Report | None, sources: dict[str, Source]) -> list[Block]:
    """The report's own blocks (`stepresearch.state.report_blocks`, the ones its Markdown is rendered from),
    each citation tied to the passage the validator's judge aligned it with."""
    if report is None:
        return []
    numbers = source_numbers(report)
    blocks: list[Block] = []
    for block in document_blocks(report):
        if block.kind in ("header_row", "row"):
            cells = [_cell(cell, i, block, numbers, sources) for i, cell in enumerate(block.cells)]
            blocks.append(Block(kind="row", header=block.kind == "header_row", cells=cells))
        elif block.kind == "source" and block.reference is not None:
            source = sources.get(block.reference.id)
            text = f"{block.reference.title} — {block.reference.uri}"
            entry = Sentence(text=text, cites=[_cite(numbers[block.reference.id], source, [])])
            blocks.append(Block(kind="source", sentences=[entry]))
        else:
            kind = {"title": "h1", "heading": "h2", "paragraph": "p", "item": "li", "quote": "quote"}[block.kind]
            blocks.append(Block(kind=kind, sentences=_sentences(block.pieces, numbers, sources)))
    return blocks


def _sentences(pieces: list, numbers: dict[str, int], sources: dict[str, Source]) -> list[Sentence]:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            if plain_text(piece).strip():
                out.append(Sentence(text=plain_text(piece).strip()))
            continue
        aligned = {a.source_id: a for a in piece.alignments}
        cites = [
            _cite(numbers[sid], sources.get(sid), aligned[sid].spans if sid in aligned else [], aligned.get(sid))
            for sid in piece.source_ids
            if sid in numbers
        ]
        out.append(Sentence(text=piece.text, unverified=piece.unverified, cites=cites))
    return out


def _cell(cell: list, column: int, block: ReportBlock, numbers: dict[str, int], sources: dict[str, Source]):
    """A Verification cell: its marks are the claim's witnesses, each tied to the sentence verification read
    in that source (for the "for" column, its support; for "against", its disagreement)."""
    claim = block.claim
    if claim is None or column < 2:
        return _sentences(cell, numbers, sources)
    aligned = {a.source_id: a for a in claim.alignments}
    cites = [
        _cite(numbers[sid], sources.get(sid), aligned[sid].spans if sid in aligned else [], aligned.get(sid))
        for piece in cell
        for sid in getattr(piece, "source_ids", [])
        if sid in numbers
    ]
    return [Sentence(text="", cites=cites)]


def _cite(n: int, source: Source | None, spans: list[tuple[int, int]], alignment: Alignment | None = None) -> Cite:
    """Source n, shown around the recorded passage (or from its start when none was recorded)."""
    if source is None:
        return Cite(n=n, source_id=None, verdict="no such source")
    verdict = alignment.label if alignment is not None else ""
    if not spans:
        return Cite(
            n=n, source_id=source.id, title=source.title, uri=source.uri,
            excerpt=source.text[: 2 * EXCERPT_CHARS], verdict=verdict,
        )  # fmt: skip
    lo = max(0, min(a for a, _ in spans) - EXCERPT_CHARS)
    hi = min(len(source.text), max(b for _, b in spans) + EXCERPT_CHARS)
    return Cite(
        n=n,
        source_id=source.id,
        title=source.title,
        uri=source.uri,
        excerpt=source.text[lo:hi],
        spans=[(a - lo, b - lo) for a, b in spans],
        verdict=verdict,
    )


def _witness(source_id: str, sources: dict[str, Source], numbers: dict[str, int]) -> Witness:
    source = sources.get(source_id)
    return Witness(n=numbers.get(source_id), title=source.title if source else source_id)
