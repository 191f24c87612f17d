"""Reducers that merge parallel search branches without losing or duplicating anything.

Every reducer is deterministic in the *content* it produces: branch completion
order may vary between runs, so merged collections are ordered by the
`order` key each item carries (round, sub-question, rank), never by arrival.
"""

from __future__ import annotations

from .models import Compaction, Evidence, NodeExecution, SectionDraft, Source, SubQuestion, Usage


def merge_sources(left: dict[str, Source] | None, right: dict[str, Source] | None) -> dict[str, Source]:
    """Union by stable id; a source found twice keeps its earliest order and every finder."""
    merged = dict(left or {})
    for source_id, incoming in (right or {}).items():
        existing = merged.get(source_id)
        if existing is None:
            merged[source_id] = incoming
            continue
        found_by = list(dict.fromkeys([*existing.found_by, *incoming.found_by]))
        first = existing if existing.order <= incoming.order else incoming
        struck = existing.struck or incoming.struck  # a person's striking is never undone by a later find
        merged[source_id] = first.model_copy(update={"found_by": found_by, "struck": struck})
    return dict(sorted(merged.items(), key=lambda item: (item[1].order, item[0])))


def merge_evidence(left: list[Evidence] | None, right: list[Evidence] | None) -> list[Evidence]:
    """Union by evidence id (source + passage): a passage kept by two branches is stored once,
    at its earliest position, and remembers both sub-questions."""
    by_id: dict[str, Evidence] = {}
    for item in [*(left or []), *(right or [])]:
        kept = by_id.get(item.id)
        if kept is None:
            by_id[item.id] = item
            continue
        first = kept if (kept.order, -kept.score) <= (item.order, -item.score) else item
        ids = list(dict.fromkeys([*first.sub_question_ids, *kept.sub_question_ids, *item.sub_question_ids]))
        by_id[item.id] = first.model_copy(update={"sub_question_ids": ids, "score": max(kept.score, item.score)})
    return sorted(by_id.values(), key=lambda e: (e.order, e.id))


def merge_sub_questions(left: list[SubQuestion] | None, right: list[SubQuestion] | None) -> list[SubQuestion]:
    """Append-only by id: follow-up rounds add sub-questions, never rewrite earlier ones."""
    by_id = {sq.id: sq for sq in (left or [])}
    for sq in right or []:
        by_id.setdefault(sq.id, sq)
    return sorted(by_id.values(), key=lambda sq: (sq.round, sq.index))


def merge_usage(left: Usage | None, right: Usage | None) -> Usage:
    """Sum token counts per node."""
    by_node = dict((left or Usage()).by_node)
    for node, usage in (right or Usage()).by_node.items():
        by_node[node] = by_node[node] + usage if node in by_node else usage
    return Usage(by_node=by_node)


def merge_timings(left: dict[str, float] | None, right: dict[str, float] | None) -> dict[str, float]:
    """Sum seconds per node. Parallel branches add up, so this is busy time, not wall time."""
    merged = dict(left or {})
    for node, seconds in (right or {}).items():
        merged[node] = round(merged.get(node, 0.0) + seconds, 4)
    return merged


def merge_notes(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Ordered set of human-readable notes (what was skipped or degraded)."""
    return list(dict.fromkeys([*(left or []), *(right or [])]))


def add_ints(left: int | None, right: int | None) -> int:
    return (left or 0) + (right or 0)


def append_compactions(left: list[Compaction] | None, right: list[Compaction] | None) -> list[Compaction]:
    """The run's compactions in the order they happened; only the compact node adds to them."""
    return [*(left or []), *(right or [])]


def append_reviews(left: list | None, right: list | None) -> list:
    """Every review by a person (plans, sources), in the order they happened."""
    return [*(left or []), *(right or [])]


def append_executions(left: list[NodeExecution] | None, right: list[NodeExecution] | None) -> list[NodeExecution]:
    """Every node execution, in the order they started; parallel branches each add their own."""
    return sorted([*(left or []), *(right or [])], key=lambda e: e.started_at)


def merge_section_drafts(left: list[SectionDraft] | None, right: list[SectionDraft] | None) -> list[SectionDraft]:
    """One draft per section, whichever branch finished first: ordered by sub-question id, not arrival."""
    merged = {d.sub_question_id: d for d in [*(left or []), *(right or [])]}
    return [merged[key] for key in sorted(merged)]
