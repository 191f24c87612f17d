"""Attributing sentences to evidence, so a citation is computed, never taken on trust.

The writer's sentences are matched against every retrieved evidence passage.
A sentence is kept only if a passage supports it (`SUPPORT_THRESHOLD`), and it
cites that passage's source, plus a second independent source when one also
supports it. What the model wrote in brackets is ignored: a 135M model's
handles are often wrong, and a computed citation cannot point at nothing.
"""

from __future__ import annotations

import math
import re

from stepresearch.state import CitedSentence, Evidence, Source
from stepresearch.text import (
    STOPWORDS,
    SUPPORT_THRESHOLD,
    content_tokens,
    is_repeat,
    split_sentences,
    support_score,
    vocabulary,
)

MIN_CONTENT_TOKENS = 4
MAX_WORDS = 55  # longer "sentences" from a small model are run-ons glued from several passages
_PRONOUN_START = re.compile(r"^(?:he|she|it|they|his|her|its|their|this|these|those|him|them)\b", re.IGNORECASE)
PREFERRED_BONUS = 0.05
_MARKERS = re.compile(r"\s*(?:\[\s*S?\d+(?:\s*[,;]\s*S?\d+)*\s*\]|\(\s*S\d+\s*\)|【[^】]*】)")
_LEADING = re.compile(r"^\s*(?:#+\s*|[-*•]\s+|\d+[.)]\s+)")


def strip_markers(text: str, titles: list[str] | None = None) -> str:
    """Remove citation handles, list markup, and "Title:" prefixes copied from the research log."""
    lines = [_LEADING.sub("", line) for line in text.splitlines()]
    text = _MARKERS.sub("", " ".join(lines)).replace(" .", ".").strip()
    for title in sorted(titles or [], key=len, reverse=True):
        text = text.replace(f"{title}: ", "")
    return text


def is_fragment(sentence: str) -> bool:
    """A sentence cut off mid-way (by max_tokens, or by the model) ends without punctuation or on a stopword."""
    body = sentence.rstrip()
    if body[-1:] not in ".!\"'”)":
        return True
    last = re.findall(r"[A-Za-z']+", body)
    return bool(last) and last[-1].lower() in STOPWORDS


def attribute(
    text: str,
    evidence: list[Evidence],
    sources: dict[str, Source],
    *,
    preferred: set[str] | None = None,
    kept: list[str] | None = None,
    known: frozenset[str] | None = None,
) -> CitedSentence | None:
    """The sentence with its supporting sources, or None if nothing supports it or it is a repeat."""
    text = text.strip()
    if len(content_tokens(text)) < MIN_CONTENT_TOKENS or text.endswith("?") or "…" in text:
        return None
    if len(text.split()) > MAX_WORDS:
        return None
    if kept is not None and is_repeat(text, kept):
        return None
    ranked = sorted(
        (
            (support_score(text, e.text, known) + (PREFERRED_BONUS if preferred and e.id in preferred else 0.0), e)
            for e in evidence
        ),
        key=lambda pair: (-pair[0], pair[1].order),
    )
    if not ranked or ranked[0][0] < SUPPORT_THRESHOLD:
        return None
    best = ranked[0][1]
    source_ids = [best.source_id]
    origins = {sources[best.source_id].origin} if best.source_id in sources else set()
    for score, item in ranked[1:]:
        if score < SUPPORT_THRESHOLD:
            break
        origin = sources[item.source_id].origin if item.source_id in sources else item.source_id
        if origin not in origins:
            source_ids.append(item.source_id)
            break
    return CitedSentence(text=_finish(text), source_ids=source_ids, evidence_id=best.id, origin="policy")


def attribute_prose(
    prose: str,
    evidence: list[Evidence],
    sources: dict[str, Source],
    *,
    preferred: set[str],
    kept: list[str],
) -> tuple[list[CitedSentence], int]:
    """Attribute every sentence of the model's prose; returns kept sentences and how many were dropped."""
    out: list[CitedSentence] = []
    dropped = 0
    titles = [s.title for s in sources.values()]
    known = vocabulary(s.text for s in sources.values())
    for sentence in split_sentences(strip_markers(prose, titles)):
        cited = (
            None
            if is_fragment(sentence)
            else attribute(sentence, evidence, sources, preferred=preferred, kept=kept, known=known)
        )
        if cited is None:
            dropped += 1
            continue
        out.append(cited)
        kept.append(cited.text)
    return out, dropped


def extract_sentences(evidence: list[Evidence], query: str, kept: list[str], limit: int) -> list[CitedSentence]:
    """Sentences taken verbatim from the best evidence: the writer's fallback when the policy is weak.

    Sentences are ranked by the query words they contain, each weighted by how
    rare it is among the candidate sentences (a word every sentence shares,
    like the subject's name, tells them apart least), with a mild length penalty.
    """
    wanted = set(content_tokens(query))
    pool = [
        (item, position, sentence) for item in evidence for position, sentence in enumerate(split_sentences(item.text))
    ]
    frequency: dict[str, int] = {}
    for _, _, sentence in pool:
        for token in set(content_tokens(sentence)) & wanted:
            frequency[token] = frequency.get(token, 0) + 1
    weight = {t: math.log(1 + len(pool) / frequency.get(t, 1)) for t in wanted}
    candidates = []
    for item, position, sentence in pool:
        tokens = set(content_tokens(sentence))
        if len(tokens) < MIN_CONTENT_TOKENS or sentence.endswith("?") or len(sentence.split()) > MAX_WORDS:
            continue
        if _PRONOUN_START.match(sentence):
            continue  # "He put an end to..." means nothing out of its paragraph
        overlap = sum(weight[t] for t in wanted & tokens) / (1 + len(sentence.split()) / 60)
        candidates.append((-overlap, -item.score, item.order, position, sentence, item))
    out: list[CitedSentence] = []
    for *_, sentence, item in sorted(candidates, key=lambda c: c[:4]):
        if len(out) == limit:
            break
        if is_repeat(sentence, kept):
            continue
        out.append(
            CitedSentence(text=_finish(sentence), source_ids=[item.source_id], evidence_id=item.id, origin="extract")
        )
        kept.append(sentence)
    return out


def _finish(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!\"'”)" else text + "."
