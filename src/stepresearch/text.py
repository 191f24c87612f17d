"""Deterministic text helpers shared by search, verification and writing.

They are the engine's safety net under a weak policy: sentence splitting,
content tokens, a lexical support score and near-duplicate detection do not
depend on the model behaving.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# A citation is supported when at least this share of the sentence's content
# tokens occur in the cited passage. A number or a name in the sentence that the
# passage lacks halves the score, so one wrong year or one invented name is
# enough to lose support.
SUPPORT_THRESHOLD = 0.6
# Two sentences whose content-token sets overlap this much (Jaccard) are repeats.
DUPLICATE_JACCARD = 0.75

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

_NEGATION = re.compile(r"\b(?:not|never|no|none|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_][\w'\-]*")  # Unicode letters and digits: "Orléans" is one word
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "ca", "c", "u.s", "approx"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords included."""
    return [w.lower().strip("'-") for w in _TOKEN.findall(text)]


def content_tokens(text: str) -> list[str]:
    """Stemmed, stopword-free tokens: the units of every lexical comparison here."""
    return list(_content_tokens(text))


@lru_cache(maxsize=50_000)
def _content_tokens(text: str) -> tuple[str, ...]:
    kept = [w for w in words(text) if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return tuple(_stemmer().stemWords(kept))


def numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words that are not sentence-initial: the named entities a claim depends on."""
    found = set()
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for word in _TOKEN.findall(sentence)[1:]:
            if word[0].isupper() and word.lower().strip("'-") not in STOPWORDS:
                found.add(word.lower())
    return found


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


def vocabulary(texts) -> frozenset[str]:
    """Every content token of the given texts: what the retrieved sources can vouch for at all."""
    out: set[str] = set()
    for text in texts:
        out.update(_content_tokens(text))
    return frozenset(out)


def support_score(sentence: str, passage: str, known: frozenset[str] | None = None) -> float:
    """Share of the sentence's content tokens found in the passage, with penalties.

    Halved if the sentence has a number or a name the passage lacks, or a
    negation the passage lacks; cut by 0.7 if it uses a word that no retrieved
    source uses at all (`known`), since such a word asserts something no source
    says. Lexical on purpose: it is cheap, explainable, and cannot be talked
    into accepting a sentence the passage does not contain the words for.
    """
    claim = set(_content_tokens(sentence))
    if not claim:
        return 0.0
    evidence = set(_content_tokens(passage))
    score = len(claim & evidence) / len(claim)
    if numbers(sentence) - numbers(passage):
        score *= 0.5
    passage_words = {w.lower() for w in _TOKEN.findall(passage)}
    if names(sentence) - passage_words:
        score *= 0.5
    if _NEGATION.search(sentence) and not _NEGATION.search(passage):
        score *= 0.5
    if known is not None and claim - known:
        score *= 0.7
    return round(score, 4)


def jaccard(a: str, b: str) -> float:
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    return len(ta & tb) / len(ta | tb)


def is_repeat(sentence: str, kept: list[str]) -> bool:
    """True if the sentence says again what a kept sentence already says."""
    return any(jaccard(sentence, other) >= DUPLICATE_JACCARD for other in kept)


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
