"""Text handling shared by every node: sentence splitting, word tokens and stemming, by language.

Nothing here compares two texts. Matching, entailment, anchors and relevance
live in one place, `stepresearch.judge`.

English text keeps the splitter and tokens the judge was built and measured on. Text in a CJK script is
handled by maintained libraries (docs/decisions.md, "Text by language"): sentencex splits its sentences at
its own punctuation (。！？ and quotes), rjieba segments it into words (jieba's dictionary), and
stopwordsiso's list drops its function words. The two scripts never share a word, so one stopword set
holds both.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from .language import has_cjk, script_language

ENGLISH_STOPWORDS = frozenset(
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


@lru_cache(maxsize=1)
def _chinese_stopwords() -> frozenset[str]:
    import stopwordsiso

    return frozenset(w for w in stopwordsiso.stopwords("zh") if has_cjk(w))


STOPWORDS = ENGLISH_STOPWORDS | _chinese_stopwords()
# Sentence ends a statement may close on, in Latin and CJK punctuation.
SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")
_CLOSERS = "\"')]”’」』）"
# A full stop, exclamation or question mark in a CJK script always ends a sentence, closing quotes included;
# sentencex 1.0.32 keeps "。1987年，..." in one piece (measured), so its pieces are cut there too.
_CJK_END = re.compile(r"(?<=[。！？])(?![”’」』）。！？])")
# A line in a CJK script this short with no closing punctuation is a title line ("青石桥"): CJK text has no
# capital letters to show where the next sentence starts.
CJK_TITLE_CHARS = 20

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
    """Lower-cased word tokens, stopwords included; a run of CJK characters is segmented into its words."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if has_cjk(token):
            out.extend(w.lower() for w in segment(token) if _TOKEN.match(w))
        else:
            out.append(token.lower().strip("'-"))
    return out


def segment(text: str) -> list[str]:
    """The words of a CJK text, by rjieba (jieba's dictionary and HMM for unknown words), punctuation and
    spaces dropped; other text passes through as one piece."""
    if not has_cjk(text):
        return [text] if text.strip() else []
    import rjieba

    return [w for w in rjieba.cut(text) if w.strip()]


def word_count(text: str) -> int:
    """How many words the text has: space-separated, or in a CJK script segmented (a Chinese sentence has
    no spaces to count)."""
    return len(words(text)) if has_cjk(text) else len(text.split())


def content_tokens(text: str) -> list[str]:
    """Stemmed, stopword-free tokens: what retrieval indexes and queries are made of."""
    return list(_content_tokens(text))


@lru_cache(maxsize=50_000)
def _content_tokens(text: str) -> tuple[str, ...]:
    kept = [w for w in words(text) if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit() or has_cjk(w))]
    return tuple(stemmer().stemWords(kept))  # the English stemmer leaves a CJK word as it is


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
    return [s for s in split_sentences(text) if s.rstrip(_CLOSERS).endswith(SENTENCE_ENDS)]


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
        open_ended = line[-1:] not in ".!?:;,\"')”。！？：；，」』）"
        title_line = open_ended and (
            (len(line.split()) <= 8 and following[:1].isupper())
            or (has_cjk(line) and len(line) <= CJK_TITLE_CHARS and bool(following))
        )
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
    language = script_language(text) if has_cjk(text) else None  # English text pays one regex search
    if language is not None:
        import sentencex

        pieces = [p.strip() for p in sentencex.segment(language, text) if p.strip()]
        return [q for p in pieces for q in _CJK_END.split(p) if q.strip()]
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


def locate(sentence: str, text: str) -> tuple[int, int] | None:
    """Where `sentence` stands in `text`, whatever the spaces between its words (the judge normalises them: a
    source's no-break space in "54\u00a0BC" is a plain space in the sentence it aligned)."""
    words = sentence.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), text)
    return (match.start(), match.end()) if match else None


def locate_all(passage: str, text: str) -> list[tuple[int, int]]:
    """Each sentence of `passage` that is found in `text`, as character spans in order."""
    found = [locate(part, text) for part in split_sentences(passage)] if passage.strip() else []
    return sorted(span for span in found if span is not None)
