"""The one place prompts are laid out, in prefix-cache order.

Every policy call is: the fixed system block, then the research brief, then
the append-only research log, and only then the node's own task. Calls made
one after another therefore share a long, byte-identical prefix, and a prefix
cache (llama.cpp's KV reuse, SGLang's RadixAttention) skips re-reading it.
Nothing that varies between calls (time, ids, counters) goes before the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from stepresearch.state import Evidence, ResearchBrief, Source
from stepresearch.text import split_sentences

SYSTEM_BLOCK = """You are stepresearch, a careful research assistant.
Rules:
- Use only facts from the research log. Never invent facts, names, dates or sources.
- Each source in the log has a handle like [S1]. Put the handle of the source after each sentence that uses it.
- Write plain, short, factual English sentences. Do not repeat yourself.
- When asked for JSON, reply with JSON only."""

PASSAGE_CHARS = 360


def source_handles(sources: dict[str, Source]) -> dict[str, str]:
    """Short prompt handles S1, S2, ... in first-seen order; stable as later rounds append."""
    return {source_id: f"S{i}" for i, source_id in enumerate(sources, start=1)}


def render_brief(brief: ResearchBrief | None, question: str) -> str:
    if brief is None:
        return f"## Research brief\nQuestion: {question}"
    lines = [f"## Research brief\nQuestion: {brief.question}", f"Objective: {brief.objective}"]
    if brief.key_terms:
        lines.append("Key terms: " + ", ".join(brief.key_terms))
    return "\n".join(lines)


def render_log(sources: dict[str, Source], evidence: list[Evidence], max_chars: int) -> str:
    """Evidence in first-seen order, one line each; later rounds only append lines."""
    if not evidence:
        return "## Research log\n(empty: nothing has been searched yet)"
    handles = source_handles(sources)
    lines = ["## Research log"]
    used = len(lines[0])
    for item in evidence:
        source = sources.get(item.source_id)
        if source is None:
            continue
        line = f"[{handles[item.source_id]}] {source.title}: {whole_sentences(item.text, PASSAGE_CHARS)}"
        if used + len(line) + 1 > max_chars:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def messages_for(state: Mapping[str, Any], ctx: Any, task: str) -> list[BaseMessage]:
    """The prompt for a node's task over the current state, in the layout the run uses."""
    return build_messages(
        question=state["question"],
        brief=state.get("brief"),
        sources=state.get("sources"),
        evidence=state.get("evidence"),
        task=task,
        log_chars=ctx.budgets.log_chars,
        layout=ctx.prompt_layout,
    )


def whole_sentences(text: str, limit: int) -> str:
    """Whole sentences up to about `limit` characters: a clipped sentence invites the model to copy a fragment."""
    kept: list[str] = []
    for sentence in split_sentences(text):
        if kept and sum(len(s) + 1 for s in kept) + len(sentence) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def build_messages(
    *,
    question: str,
    brief: ResearchBrief | None,
    sources: dict[str, Source] | None,
    evidence: list[Evidence] | None,
    task: str,
    log_chars: int,
    layout: str = "prefix",
) -> list[BaseMessage]:
    """The prompt for one call. `layout="naive"` puts the task first, as most peers do; it
    exists only as the baseline of `benchmarks/prefix_cache.py`."""
    brief_block = render_brief(brief, question)
    log_block = render_log(sources or {}, evidence or [], log_chars)
    if layout == "naive":
        return [
            SystemMessage(content="## Task\n" + task + "\n\n" + SYSTEM_BLOCK),
            HumanMessage(content=brief_block + "\n\n" + log_block),
        ]
    return [
        SystemMessage(content=SYSTEM_BLOCK),
        HumanMessage(content="\n\n".join([brief_block, log_block, "## Task\n" + task])),
    ]
