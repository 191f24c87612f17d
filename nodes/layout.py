"""The one place prompts are laid out, in prefix-cache order.

Every policy call is: the fixed system block, then the research brief, then
the research log, and only then the node's own task. Calls made one after
another therefore share a long, byte-identical prefix, and a prefix cache
(llama.cpp's KV reuse, SGLang's RadixAttention) skips re-reading it.
Nothing that varies between calls (time, ids, counters) goes before the task.

The log is the run's digests (older evidence compacted by `nodes/compact.py`,
fixed once written) followed by every evidence item no digest covers,
verbatim, in first-seen order. Between compactions it only grows at its end;
nothing is ever cut from it to fit: fitting is the compact node's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from stepresearch.core.phrases import language_instruction
from stepresearch.core.system_prompt import SYSTEM_BLOCK
from stepresearch.core.text import split_sentences
from stepresearch.state import Digest, Evidence, ResearchBrief, Source

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


def render_log(sources: dict[str, Source], evidence: list[Evidence], digests: list[Digest] | None = None) -> str:
    """The digests, then the evidence they do not cover, one line each in first-seen order."""
    if not evidence:
        return "## Research log\n(empty: nothing has been searched yet)"
    handles = source_handles(sources)
    lines = ["## Research log", *(digest.text for digest in digests or [])]
    covered = digested_ids(digests)
    newer = [evidence_line(item, sources, handles) for item in evidence if item.id not in covered]
    if digests and newer:
        lines.append("### Newer evidence")
    lines += [line for line in newer if line]
    return "\n".join(lines)


def evidence_line(item: Evidence, sources: dict[str, Source], handles: dict[str, str]) -> str:
    """One evidence item as the log shows it verbatim: handle, title, passage in whole sentences."""
    source = sources.get(item.source_id)
    if source is None:
        return ""
    return f"[{handles[item.source_id]}] {source.title}: {whole_sentences(item.text, PASSAGE_CHARS)}"


def digested_ids(digests: list[Digest] | None) -> set[str]:
    return {evidence_id for digest in digests or [] for evidence_id in digest.evidence_ids}


def log_accounting(
    sources: dict[str, Source], evidence: list[Evidence], digests: list[Digest] | None
) -> dict[str, int]:
    """Where each evidence item is: verbatim in the prompt's log, in a digest, or in neither (dropped)."""
    covered = digested_ids(digests)
    handles = source_handles(sources)
    in_prompt = sum(1 for item in evidence if item.id not in covered and evidence_line(item, sources, handles))
    digested = sum(1 for item in evidence if item.id in covered)
    return {
        "evidence_in_prompt": in_prompt,
        "evidence_digested": digested,
        "evidence_dropped": len(evidence) - in_prompt - digested,
    }


def messages_for(state: Mapping[str, Any], ctx: Any, task: str) -> list[BaseMessage]:
    """The prompt for a node's task over the current state, in the layout the run uses."""
    return build_messages(
        question=state["question"],
        brief=state.get("brief"),
        sources=state.get("sources"),
        evidence=state.get("evidence"),
        digests=state.get("digests"),
        task=task,
        layout=ctx.prompt_layout,
    )


def in_language(task: str, language: str | None) -> str:
    """The task with one more line asking for the question's language ("Write in Chinese (中文)."), for a
    task whose reply a reader sees. It goes in the task, after the shared prefix; an English task is
    returned unchanged, byte for byte."""
    line = language_instruction(language)
    return f"{task}\n{line}" if line else task


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
    digests: list[Digest] | None = None,
    layout: str = "prefix",
) -> list[BaseMessage]:
    """The prompt for one call over the state's parts (`with_task` for the layouts)."""
    context = render_brief(brief, question) + "\n\n" + render_log(sources or {}, evidence or [], digests)
    return with_task(context, task, layout)


def prompt_context(state: Mapping[str, Any]) -> str:
    """The brief and the research log as every prompt made over `state` shows them, before its task: for a
    call made where the state is not at hand (a search branch's reader), rendered once by whoever has it."""
    return (
        render_brief(state.get("brief"), state["question"])
        + "\n\n"
        + render_log(state.get("sources") or {}, state.get("evidence") or [], state.get("digests"))
    )


def with_task(context: str, task: str, layout: str = "prefix") -> list[BaseMessage]:
    """The prompt: the system block, the shared context (brief and log), then the task. `layout="naive"` puts
    the task first, as most peers do; it exists only as the baseline of `benchmarks/prefix_cache.py`."""
    if layout == "naive":
        return [SystemMessage(content="## Task\n" + task + "\n\n" + SYSTEM_BLOCK), HumanMessage(content=context)]
    return [SystemMessage(content=SYSTEM_BLOCK), HumanMessage(content=context + "\n\n## Task\n" + task)]
