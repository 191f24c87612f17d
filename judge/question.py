"""What a question is about and what it asks.

"Who discovered penicillin and when?" is about penicillin and asks two
things: a person and a date. The subject decides which sources and
sentences are on topic; the asked parts decide what the short answer must
contain. Both are read deterministically, so a weak policy cannot lose them.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from stepresearch.core.language import has_cjk
from stepresearch.core.text import STOPWORDS
from stepresearch.state import AskedPart

from . import lexicon, question_zh
from .anchors import analyse

_WH = re.compile(
    r"\b(how (?:many|much|long|old|big|large|high|tall|far)|(?:what|which) (?:year|date|country|city)|"
    r"what (?:caused|causes|led to)|"
    r"who|whom|whose|when|where|why|how|what|which)\b",
    re.IGNORECASE,
)
_PART_SPLIT = re.compile(
    r"\?\s*|;\s*|,\s*(?:and\s+)?(?=(?:who|whom|whose|when|where|why|how|what|which)\b)|\s+and\s+(?=(?:who|whom|whose|when|where|why|how|what|which)\b)",
    re.IGNORECASE,
)
_NAMED = re.compile(r"[A-Z][\w'\-]*(?:\s+(?:(?:of|the|de|da|von|van|del|la|le)\s+)*[A-Z][\w'\-]*)*")


class QuestionParts(BaseModel):
    subject: list[str] = Field(description="Phrases naming what the question is about.")
    parts: list[AskedPart] = Field(default_factory=list)


def read_question(question: str, topics: list[str] | None = None) -> QuestionParts:
    """The question's subject phrases and asked parts."""
    subject = subject_phrases(question, topics)
    return QuestionParts(subject=subject, parts=asked_parts(question, subject))


def subject_phrases(question: str, topics: list[str] | None = None) -> list[str]:
    """What the question is about, read from its first clause that has words of its own: the named
    phrases there ("Byzantine Empire"), else its words that do not frame a question, as one phrase ("flu
    pandemic" from "What caused the 1918 flu pandemic"). Later clauses ask about the subject ("and how
    did it change Europe?"): their words are what is asked, not what the question is about. A Chinese
    question is read by `question_zh`."""
    if has_cjk(question):
        return question_zh.subject_phrases(question, topics)
    clause = _first_clause(question)
    named = [t for t in (topics or []) if t in clause] or named_phrases(clause)
    if named:
        return list(dict.fromkeys(named))
    words = [
        w
        for w in re.findall(r"[A-Za-z][\w'\-]*", clause)
        if w.lower() not in STOPWORDS and w.lower() not in lexicon.QUESTION_FRAME_WORDS and len(w) > 2
    ]
    return [" ".join(words)] if words else (named_phrases(question) if clause != question else [])


def _first_clause(question: str) -> str:
    for clause in _PART_SPLIT.split(question):
        clause = (clause or "").strip(" ,.")
        if clause and analyse(clause).content:
            return clause
    return question


def named_phrases(question: str) -> list[str]:
    """Capitalised phrases that are not merely the question's first word ("When", "Who"); in Chinese, the
    words jieba tags as proper names."""
    if has_cjk(question):
        return question_zh.named_phrases(question)
    out: list[str] = []
    for match in _NAMED.finditer(question):
        phrase = match.group(0)
        words = phrase.split()
        if match.start() == 0 or question[: match.start()].rstrip().endswith(("?", ".", "!")):
            while words and words[0].lower() in STOPWORDS | {"who", "what", "when", "where", "why", "how", "which"}:
                words = words[1:]
        while words and words[-1].lower() in STOPWORDS:
            words.pop()
        while words and words[0].lower() in STOPWORDS:
            words.pop(0)
        phrase = " ".join(words).strip()
        if phrase and analyse(phrase).content and phrase not in out:
            out.append(phrase)
    return out


def asked_parts(question: str, subject: list[str] | None = None) -> list[AskedPart]:
    """Each wh-clause is a part, with its own content words and the subject's when it refers to the
    subject by a pronoun ("where did it start"). A clause with no words of its own ("When and how did X
    end?", "... and when?") asks something else about its neighbour's words."""
    if has_cjk(question):
        return question_zh.asked_parts(question, subject)
    subject_words = [w for phrase in subject or [] for w in phrase.split() if w.lower() not in STOPWORDS]
    parts: list[AskedPart] = []
    for clause in _PART_SPLIT.split(question):
        clause = (clause or "").strip(" ,.")
        if not clause:
            continue
        wh_words = [m.group(0) for m in _WH.finditer(clause)]
        words = [t.surface for t in analyse(clause).content]
        if words and re.search(r"\b(?:it|its|they|their|he|she|his|her|this)\b", clause, re.IGNORECASE):
            words += [w for w in subject_words if w not in words]
        for wh in wh_words or [""]:
            parts.append(AskedPart(kind=_kind(wh) if wh else "thing", text=clause, words=words))
    for i, part in enumerate(parts):
        if part.words:
            continue
        donor = next((p for p in parts[i + 1 :] if p.words), None) or next(
            (p for p in reversed(parts[:i]) if p.words), None
        )
        if donor is not None:
            wh = _WH.match(part.text)
            rest = _WH.sub("", donor.text, count=1).strip()
            text = f"{wh.group(0) if wh else part.text} {rest}".strip()
            parts[i] = part.model_copy(update={"words": donor.words, "text": text})
    return _merge_joined(parts)


def _kind(wh: str) -> str:
    key = re.sub(r"\s+", " ", wh.lower())
    return lexicon.ASKED_KINDS.get(key, "thing")  # type: ignore[return-value]


def _merge_joined(parts: list[AskedPart]) -> list[AskedPart]:
    """'When and how did X end?' is two parts over one clause; drop exact repeats."""
    out: list[AskedPart] = []
    for part in parts:
        if not any(p.kind == part.kind and p.text == part.text for p in out):
            out.append(part)
    return out
