"""Verify: mark each key claim by how many independent sources support it.

A key claim is the leading sentence of the best evidence for each
sub-question. Support is checked against every retrieved source, not just
the one the claim came from, and two sources count as independent only if
their `origin` differs (same document, or same web domain, counts once).
This first version is lexical and deterministic; it needs no policy.
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig

from stepresearch.state import Claim, Evidence, ResearchState, Source, Verdict
from stepresearch.text import SUPPORT_THRESHOLD, split_sentences, support_score

from .context import get_context

MAX_CLAIMS = 10
WINDOW_SENTENCES = 3


def verify(state: ResearchState, config: RunnableConfig) -> dict:
    get_context(config)  # fail early and clearly if the graph was built without a context
    sources = state.get("sources", {})
    claims = [check_claim(text, sources) for text in key_claims(state.get("evidence", []))]
    return {"claims": claims}


def key_claims(evidence: list[Evidence]) -> list[str]:
    """The first sentence of the strongest passage for each sub-question, in plan order."""
    best: dict[str, Evidence] = {}
    for item in evidence:
        for sq_id in item.sub_question_ids:
            kept = best.get(sq_id)
            if kept is None or item.score > kept.score:
                best[sq_id] = item
    claims: list[str] = []
    for item in sorted(best.values(), key=lambda e: e.order):
        sentences = split_sentences(item.text)
        if sentences and sentences[0] not in claims:
            claims.append(sentences[0])
    return claims[:MAX_CLAIMS]


def check_claim(text: str, sources: dict[str, Source]) -> Claim:
    supporting: list[str] = []
    origins: set[str] = set()
    quotes: list[str] = []
    for source in sources.values():
        score, window = best_window(text, source.text)
        if score >= SUPPORT_THRESHOLD:
            supporting.append(source.id)
            if source.origin not in origins:
                quotes.append(window)
            origins.add(source.origin)
    return Claim(text=text, verdict=verdict_for(len(origins)), supporting=supporting, evidence=quotes[:3])


def verdict_for(independent_sources: int) -> Verdict:
    if independent_sources >= 2:
        return "supported"
    if independent_sources == 1:
        return "single_source"
    return "unsupported"


def best_window(claim: str, text: str) -> tuple[float, str]:
    sentences = split_sentences(text)
    best = (0.0, "")
    for start in range(max(1, len(sentences) - WINDOW_SENTENCES + 1)):
        window = " ".join(sentences[start : start + WINDOW_SENTENCES])
        score = support_score(claim, window)
        if score > best[0]:
            best = (score, window)
    return best
