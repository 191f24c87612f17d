"""Deterministic contradiction detection: the same statement with a different number or date.

"The fire destroyed the city in 1666" and "the fire destroyed the city in
1667" share their words but not their year. A window that carries most of a
claim's non-numeric words, has a number of the same kind (a year, or a
number followed by the same word: "53 days"), and lacks the claim's own number,
contradicts the claim. Negation ("was not", "never") is flagged too; those
cases go to the policy to judge, because words alone cannot tell "not only"
from "not".
"""

from __future__ import annotations

import re

from stepresearch.text import content_tokens, numbers

SHARED_WORDS = 0.6
_QUANTITY = re.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s*(?:(BC|BCE|AD|CE)\b|([A-Za-z]+))?")
_NEGATION = re.compile(r"\b(?:not|never|no|none|neither|nor|without|n't)\b", re.IGNORECASE)


def quantities(text: str) -> set[tuple[str, str]]:
    """(value, kind) pairs: kind is "year" for plausible years, else the stemmed word after the number."""
    found = set()
    for match in _QUANTITY.finditer(text):
        value = match.group(1).replace(",", "")
        era, unit = match.group(2), match.group(3)
        if era or (value.isdigit() and len(value) in (3, 4) and not unit_is_measure(unit)):
            found.add((value, "year"))
        elif unit:
            stems = content_tokens(unit)
            found.add((value, stems[0] if stems else unit.lower()))
    return found


def unit_is_measure(unit: str | None) -> bool:
    return bool(unit) and unit.lower() not in {"and", "or", "when", "after", "before", "the", "in", "to", "as", "by"}


def shared_word_share(claim: str, window: str) -> float:
    """Share of the claim's non-numeric content words that the window contains."""
    claim_words = {t for t in content_tokens(claim) if not t[0].isdigit()}
    if not claim_words:
        return 0.0
    return len(claim_words & set(content_tokens(window))) / len(claim_words)


def number_conflict(claim: str, window: str) -> bool:
    """True when the window restates the claim with a different number of the same kind."""
    claimed = quantities(claim)
    if not claimed or shared_word_share(claim, window) < SHARED_WORDS:
        return False
    stated = quantities(window)
    window_numbers = numbers(window)
    for value, kind in claimed:
        if value in window_numbers:
            continue
        if any(kind == other_kind and value != other for other, other_kind in stated):
            return True
    return False


def negation_mismatch(claim: str, window: str) -> bool:
    return shared_word_share(claim, window) >= SHARED_WORDS and bool(_NEGATION.search(claim)) != bool(
        _NEGATION.search(window)
    )
