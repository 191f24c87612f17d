"""Word overlap with synonyms and inflections folded: for choices that are not about truth.

Deduplicating sentences, keeping a policy's rewording of a follow-up only
when it keeps the gap's words, checking that a draft objective stays on the
question: these compare wording, not meaning, and must not be mistaken for
entailment. They use the judge's own tokens so that there is one notion of a
word in the whole engine.
"""

from __future__ import annotations

from .anchors import analyse

# Two sentences whose content words overlap this much (Jaccard, synonyms folded) say the same thing.
REPEAT_JACCARD = 0.75


def word_share(text: str, other: str) -> float:
    """Share of `text`'s content words that `other` uses too (synonyms and inflections folded)."""
    mine = [t.keys for t in analyse(text).content]
    if not mine:
        return 0.0
    theirs = analyse(other).keys
    return sum(1 for keys in mine if keys & theirs) / len(mine)


def jaccard(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' words, numbers included: "in 1400" and "in 1401" differ."""
    ta = {t.stem for t in analyse(a).tokens if not t.stop}
    tb = {t.stem for t in analyse(b).tokens if not t.stop}
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    return len(ta & tb) / len(ta | tb)


def is_repeat(sentence: str, kept: list[str]) -> bool:
    """True if the sentence says again what a kept sentence already says."""
    return any(jaccard(sentence, other) >= REPEAT_JACCARD for other in kept)
