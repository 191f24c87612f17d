"""Compact: keep the research log within the policy's context window, and lose nothing doing it.

Runs after each round's search. While the log (`nodes/layout.py`: digests,
then the newer evidence verbatim) fits the budget (`nodes/context_window.py`)
it does nothing. When it outgrows it, the oldest evidence, older rounds
first, goes into a new digest: one line per source, with the passages' most
informative sentences. A capable policy writes the digest, checked to name
every source it stands for and to be no longer than the deterministic one;
the embedded model's digest is the deterministic one. A digest is written
once and never changed, so the prompt prefix changes only when a compaction
happens, never from one call to the next. A compaction digests enough to
bring the log down to a low-water mark, so that it happens every few rounds,
not every round. If the digests themselves come to fill more than half the
budget, the sentence-level ones are folded, with the oldest evidence, into
one tighter digest of the sentences' content words, placed after the
earlier folded digests, which stay as they are; when those fill their share,
into a digest of the sources' handles and titles, which still say where
each passage is.

Every evidence item is in the prompt verbatim or in a digest: the run
records the counts (`evidence_in_prompt`, `evidence_digested`,
`evidence_dropped`, which stays 0) and each compaction. The full passages
stay in the run's state (its checkpoint, in the run folder): the writer and
the verifier judge sentences against the sources' full text, not against the
digest, so a digested passage can still be cited.
"""

from __future__ import annotations

import re
from typing import Literal

import structlog
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.core.phrases import phrases_of
from stepresearch.core.steps import Ask, Steps, step_node
from stepresearch.core.text import split_sentences
from stepresearch.judge import is_embedded
from stepresearch.judge.anchors import analyse
from stepresearch.state import Compaction, Digest, Evidence, ResearchState, Source
from stepresearch.state.events import LogCompacted

from .context import ResearchContext
from .context_window import LogBudget, count_tokens, log_budget
from .layout import SYSTEM_BLOCK, digested_ids, render_log, source_handles

log = structlog.get_logger(__name__)

TASK = """TASK: digest
Rewrite these research notes as one short line per source. Keep every name, number and date. Start each line with the source's handle, like [S2].
Notes:
{notes}
Reply in JSON: {{"lines": ["[S1] ...", "[S2] ..."]}}"""

# Per evidence item, a digest keeps its most informative sentence up to this many characters...
DIGEST_SENTENCE_CHARS = 160
# ...and, when digests are folded because they outgrew their share, only that sentence's content words, at
# most this many, every name, number and date among them kept first.
FOLDED_WORDS = 10
# Digests may fill this share of the log budget; past it they are folded into one tighter digest, so that
# newer evidence always has room to appear verbatim.
DIGEST_SHARE = 0.5
# A compaction digests enough to bring the log down to this share of its budget, not just under it: the
# next rounds' evidence then fits without another compaction, and the prompt prefix, which a compaction
# rewrites from its first newly digested item on, stays fixed for several rounds instead of one.
LOW_WATER_MARK = 0.7
DIGEST_REPLY_TOKENS = 512
DigestLevel = Literal["sentences", "words", "titles"]
LEVELS: tuple[DigestLevel, ...] = ("sentences", "words", "titles")  # loosest first


class DigestDraft(BaseModel):
    lines: list[str] = Field(default_factory=list)


def compact_events(update: dict) -> list[LogCompacted]:
    """Each compaction of the research log."""
    return [
        LogCompacted(
            round=c.round, items=len(c.evidence_ids), tokens_before=c.log_tokens_before,
            tokens_after=c.log_tokens_after, budget_tokens=c.budget_tokens,
        )
        for c in update.get("compactions", [])
    ]  # fmt: skip


@step_node(events=compact_events)
def compact(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    evidence = state.get("evidence", [])
    sources = state.get("sources", {})
    digests = list(state.get("digests", []))
    budget = log_budget(ctx.policy, ctx.budgets.max_context_tokens)
    before = count_tokens(ctx.policy, render_log(sources, evidence, digests))
    covered = digested_ids(digests)
    if before <= budget.budget_tokens or all(item.id in covered for item in evidence):
        return {}  # it fits, or everything is digested already and the last compaction said it did not fit
    plan = plan_compaction(state, ctx.policy, budget)
    digest = plan.digest
    if not is_embedded(ctx.policy):
        digest = yield from policy_digest(ctx, plan, sources)
    kept = plan.kept_digests + [digest]
    after = count_tokens(ctx.policy, render_log(sources, evidence, kept))
    record = Compaction(
        round=state.get("round", 1),
        evidence_ids=digest.evidence_ids,
        digest_tokens=digest.tokens,
        log_tokens_before=before,
        log_tokens_after=after,
        budget_tokens=budget.budget_tokens,
        written_by=digest.written_by,
        merged_digests=len(digests) - len(plan.kept_digests),
    )
    log.info("log_compacted", **record.model_dump(exclude={"evidence_ids"}), items=len(digest.evidence_ids))
    notes = []
    if after > budget.budget_tokens:
        notes.append(phrases_of(state).log_over_budget.format(tokens=after, budget=budget.budget_tokens))
    return {"digests": kept, "compactions": [record], "notes": notes}


class CompactionPlan(BaseModel):
    """What goes into the new digest, and the digests that stay as they are."""

    kept_digests: list[Digest]
    digest: Digest


def plan_compaction(state: ResearchState, policy: object, budget: LogBudget) -> CompactionPlan:
    """The fewest oldest items whose digest brings the log down to its low-water mark (else to its budget).

    A new digest only ever goes after the digests it keeps, so a compaction rewrites the prompt from its
    first changed digest on and keeps everything before it. The log holds title digests first, then
    content-word ones, then sentence ones. When the digests outgrow their share, the sentence-level ones are
    folded, with the oldest newer items, into one content-word digest after the earlier content-word ones,
    which stay as they are; when those fill the share too, everything looser than titles is folded into a
    title digest after the earlier title ones. Only when even that does not fit is the whole log rewritten.
    """
    evidence = state.get("evidence", [])
    sources = state.get("sources", {})
    digests = list(state.get("digests", []))
    covered = digested_ids(digests)
    newer = [item for item in evidence if item.id not in covered]
    older_rounds = sum(1 for item in newer if item.round < state.get("round", 1))
    by_id = {item.id: item for item in evidence}
    share = budget.budget_tokens * DIGEST_SHARE
    limits = (int(budget.budget_tokens * LOW_WATER_MARK), budget.budget_tokens)

    def fitting(kept: list[Digest], items: list[Evidence], first: int, level: DigestLevel) -> Digest | None:
        for limit in limits:
            for take in range(first, len(newer) + 1):
                digest = make_digest(items + newer[:take], sources, index=len(kept) + 1, policy=policy, level=level)
                if count_tokens(policy, render_log(sources, evidence, [*kept, digest])) <= limit:
                    return digest
        return None

    for level in LEVELS:
        # Digests at this level or a tighter one stay as they are (they come first in the log); looser ones are
        # folded into the new digest, which goes after them.
        kept = [d for d in digests if LEVELS.index(d.level) >= LEVELS.index(level)]
        if sum(d.tokens for d in kept) > share:
            continue  # no room for another digest at this level: fold tighter
        items = [by_id[i] for d in digests if d not in kept for i in d.evidence_ids if i in by_id]
        first = max(older_rounds, 1) if level == "sentences" else (0 if items else 1)
        digest = fitting(kept, items, first, level)
        if digest is not None:
            return CompactionPlan(kept_digests=kept, digest=digest)
    # Even the titles do not fit beside the earlier ones: the whole log as one digest of handles and titles.
    everything = [by_id[i] for d in digests for i in d.evidence_ids if i in by_id]
    digest = fitting([], everything, 0 if everything else 1, "titles")
    if digest is None:
        digest = make_digest(everything + newer, sources, index=1, policy=policy, level="titles")
    return CompactionPlan(kept_digests=[], digest=digest)


def make_digest(
    items: list[Evidence],
    sources: dict[str, Source],
    *,
    index: int,
    policy: object,
    level: DigestLevel = "sentences",
) -> Digest:
    """The deterministic digest: per source, in first-seen order, each item's most informative sentence;
    at level `words` only that sentence's content words; at level `titles` only the sources' handles and
    titles, which still say where every passage is."""
    handles = source_handles(sources)
    by_source: dict[str, list[str]] = {}
    for item in items:
        if item.source_id in sources:
            sentence = key_sentence(item.text, DIGEST_SENTENCE_CHARS)
            by_source.setdefault(item.source_id, []).append(telegraphic(sentence) if level == "words" else sentence)
    rounds = sorted({item.round for item in items})
    lines = [header(index, rounds, len(items))]
    if level == "titles":
        lines.append("; ".join(f"[{handles[sid]}] {sources[sid].title}" for sid in by_source))
    else:
        for source_id, sentences in by_source.items():
            kept = list(dict.fromkeys(s for s in sentences if s))
            lines.append(f"[{handles[source_id]}] {sources[source_id].title}: " + " ".join(kept))
    text = "\n".join(lines)
    return Digest(
        index=index,
        rounds=rounds,
        evidence_ids=[item.id for item in items],
        text=text,
        tokens=count_tokens(policy, text),
        written_by="deterministic",
        level=level,
    )


def policy_digest(ctx: ResearchContext, plan: CompactionPlan, sources: dict[str, Source]) -> Steps[Digest]:
    """The policy's digest of the same items, kept only if it names every source and is no longer."""
    fallback = plan.digest
    title, _, notes = fallback.text.partition("\n")
    wanted = set(re.findall(r"\[(S\d+)\]", notes))
    messages = [SystemMessage(content=SYSTEM_BLOCK), HumanMessage(content=TASK.format(notes=notes))]
    reply = yield Ask(ctx.policy, messages, node="compact", schema=DigestDraft, max_tokens=DIGEST_REPLY_TOKENS)
    lines = [line.strip() for line in (reply.parsed.lines if reply.parsed else []) if line.strip()]
    named = {handle_of(line) for line in lines}
    if not lines or not wanted <= named or "" in named:
        return fallback
    text = "\n".join([title, *lines])
    tokens = count_tokens(ctx.policy, text)
    if tokens > fallback.tokens:
        return fallback
    return fallback.model_copy(update={"text": text, "tokens": tokens, "written_by": "policy"})


def handle_of(line: str) -> str:
    """ "S3" for a line that starts "[S3] ...", else ""."""
    if line.startswith("[S") and "]" in line:
        return line[1 : line.index("]")]
    return ""


def header(index: int, rounds: list[int], items: int) -> str:
    span = f"round {rounds[0]}" if len(rounds) == 1 else f"rounds {rounds[0]}-{rounds[-1]}"
    return f"### Digest {index} ({span}, {items} passages; the full passages are kept by the run)"


def key_sentence(text: str, limit: int) -> str:
    """The passage's sentence with the most anchors (numbers, dates, names), in whole words up to `limit`."""
    sentences = split_sentences(text) or [text]
    anchors = [len(a.quantities) + len(a.names) for a in map(analyse, sentences)]
    best = sentences[max(range(len(sentences)), key=lambda i: (anchors[i], -i))]
    return best if len(best) <= limit else best[:limit].rsplit(" ", 1)[0] + " …"


def telegraphic(sentence: str) -> str:
    """The sentence's content words, names, numbers and dates first to stay: "Kelmar Ottoman Empire 1400"."""
    analysis = analyse(sentence)
    anchors = set(analysis.name_positions) | {p for q in analysis.quantities for p in q.span}
    words = [t for t in analysis.tokens if not t.stop or t.position in anchors]
    while len(words) > FOLDED_WORDS and any(t.position not in anchors for t in words):
        drop = max(i for i, t in enumerate(words) if t.position not in anchors)
        words.pop(drop)
    return " ".join(t.surface for t in words) + "."
