"""Text handling shared by every node: sentence splitting, word tokens and stemming.

Nothing here compares two texts. Matching, entailment, anchors and relevance
live in one place, `stepresearch.judge`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves one ones many much may might must shall upon via within
    without whether yet s t however also although though thus therefore moreover furthermore including
    especially particularly several various another others whose""".split()
)

_TOKEN = re.compile(r"[^\W_][\w'\-]*")  # Unicode letters and digits: "Orléans" is one word
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "ca", "c", "u.s", "approx"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    """The English Snowball stemmer, shared by retrieval and the judge."""
    return Stemmer.Stemmer("english")


def stem_word(word: str) -> str:
    """The Snowball stem of one lower-cased word."""
    return stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords included."""
    return [w.lower().strip("'-") for w in _TOKEN.findall(text)]


def content_tokens(text: str) -> list[str]:
    """Stemmed, stopword-free tokens: what retrieval indexes and queries are made of."""
    return list(_content_tokens(text))


@lru_cache(maxsize=50_000)
def _content_tokens(text: str) -> tuple[str, ...]:
    kept = [w for w in words(text) if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return tuple(stemmer().stemWords(kept))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking on common abbreviations or initials.

    Paragraph breaks, and line breaks after a line with no closing punctuation
    (a heading, a title line), always end a sentence; Markdown heading marks go.
    """
    out: list[str] = []
    for block in _blocks(text):
        out.extend(_split_block(block))
    return out


def statements(text: str) -> list[str]:
    """Sentences that end like sentences: headings and title lines are not evidence of anything."""
    return [s for s in split_sentences(text) if s.rstrip("\"'”’)]").endswith((".", "!", "?"))]


def _blocks(text: str) -> list[str]:
    """Paragraphs, with headings and short title lines split off; hard-wrapped lines stay joined."""
    lines = [raw.strip() for raw in text.splitlines()] or [text]
    blocks: list[str] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            if current:
                blocks.append(" ".join(current))
                current = []
            continue
        heading = line.startswith("#")
        line = re.sub(r"^#{1,6}\s+", "", line)
        following = next((later for later in lines[i + 1 :] if later), "")
        title_line = line[-1:] not in ".!?:;,\"')”" and len(line.split()) <= 8 and following[:1].isupper()
        current.append(line)
        if heading or title_line:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def _split_block(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        pieces.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if p]


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
