"""Is a source, or a sentence, about the question's subject, and does it answer a sub-question?

Whether a source is about the question is read by the word rules below, and widened by meaning
(`judge/semantic.py`): a source whose opening is as close to the question's own wording as the
best-matching source retrieved for it is about the question too, so no proper noun is needed. Meaning
does not demote: measured, e5-small cannot tell a company named after a bridge from the bridge by their
openings (a gap of 0.03), nor a discoverer's article from an unrelated scientist's:

- the source's title and lead (its first sentences) name the subject: the
  source is *about* it, and every sentence of it may serve;
- otherwise a sentence must name the subject itself, and such a source can
  only lend sentences that do;
- a sentence answers a sub-question when it shares the sub-question's own
  words (not the subject's) or carries the kind of fact it asks for (a date
  for "when", a name for "who").

A subject is matched by most of its words ("flu pandemic" needs both), with
synonyms and inflections folded, so an article on labour economics that
mentions "discovered" does not become an article about penicillin.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel

from stepresearch.core.language import has_cjk
from stepresearch.core.text import statements

from . import lexicon
from .anchors import Analysis, analyse, causal_positions

# A subject phrase is named when this share of its content words (rounded up) is present: all of a
# two-word phrase, two of three. A phrase of four words or more is often more specific than the article
# that answers it ("movable-type printing press" and "Printing press"): half of it is enough.
SUBJECT_WORD_SHARE = 0.6
LONG_PHRASE = 4
LONG_PHRASE_SHARE = 0.5
# The lead is the opening of a source: a summary's first sentences say what it is about. A source is about
# the subject when its first sentence names it early, or at least half of its lead names it (a sentence
# opening with a pronoun carries on the one before): one that names it once in passing is not.
LEAD_SENTENCES = 4
ABOUT_SHARE = 0.5
# A subject word this long also counts inside a compound ("benzylpenicillin" names penicillin).
COMPOUND_MIN = 6
# A sentence answers a sub-question when it has at least one in three of the sub-question's own words
# (those not naming the subject), synonyms folded, and the asked kind of fact.
ANSWER_WORD_SHARE = 0.3
# A capitalised token shorter than this is a letter or an initial ("vitamin C", "penicillin G"), not a name
# that answers "who" or "where".
MIN_NAME_CHARS = 2
# By meaning: e5 puts every text of one language in a narrow band of cosines, so a source is judged against
# the best-matching source retrieved for the same question rather than against a fixed value. Within this
# margin of the best it is about the question on meaning alone.
ABOUT_MARGIN = 0.03
# The opening read for meaning: the title and the first sentence, as a summary says what it is about there.
# (Two sentences cost twice the time on 2 cores, 12 against 26 leads a second, for little more signal.)
MEANING_LEAD_SENTENCES = 1

Aboutness = Literal["about", "mentions", "unrelated"]


class Relevance(BaseModel):
    """How a source stands to the question's subject, and why."""

    aboutness: Aboutness
    reason: str
    namesake: bool = False  # it opens on a longer name that contains the subject's: meaning never widens it


def subject_keys(subject: list[str]) -> list[list[frozenset[str]]]:
    """Each subject phrase as the keys of its content words."""
    return [[t.keys for t in analyse(phrase).content] for phrase in subject if analyse(phrase).content]


def names_subject(text: str, subject: list[str]) -> bool:
    """True if the text names at least one subject phrase (most of its words); vacuously true with none."""
    phrases = subject_keys(subject)
    if not phrases:
        return True
    keys = _keys(analyse(text))
    return any(_phrase_named(words, keys) for words in phrases)


def source_relevance(title: str, text: str, subject: list[str]) -> Relevance:
    """About the subject (its title, or its opening, names it), merely mentioning it, or unrelated.

    A subject is named with its synonyms folded ("the iron span at Vellmar" names the Vellmar Bridge); a
    note that only shares a name ("the Vellmar bakery") does not name it.
    """
    if not subject_keys(subject):
        return Relevance(aboutness="about", reason="the question names no subject")
    namesake = _namesake(statements(text)[:1], subject)
    if namesake:
        return Relevance(
            aboutness="unrelated",
            reason=f"it is about {namesake}, another thing named after the subject",
            namesake=True,
        )
    if names_subject(title, subject):
        return Relevance(aboutness="about", reason="its title names the subject")
    lead_sentences = statements(text)[:LEAD_SENTENCES]  # a title line is not the opening of the text
    if lead_sentences and _opens_with_subject(lead_sentences[0], subject):
        return Relevance(aboutness="about", reason="its first sentence is about the subject")
    if lead_sentences and _lead_share(lead_sentences, subject) >= ABOUT_SHARE:
        return Relevance(aboutness="about", reason="most of its opening names the subject")
    if names_subject(text, subject):
        return Relevance(aboutness="mentions", reason="it names the subject only in passing")
    return Relevance(aboutness="unrelated", reason="it never names the subject")


def _namesake(opening: list[str], subject: list[str]) -> str:
    """The longer proper name the source opens on, when it is the subject's name followed by more capitalised
    words: "Varro Bridge Catering Ltd is a family company" is about a company named after the Varro Bridge,
    "Kelso Abbey Brewing Company was founded" about a brewery. Only a capitalised subject (a proper name)
    has namesakes; a name the subject ends ("Siege of Kelso") is an event about it and is not one."""
    if not opening:
        return ""
    if has_cjk(opening[0]):
        return _cjk_namesake(opening[0], subject)
    words = opening[0].split()
    lowered = [w.strip(",.;:'\"()").lower() for w in words]
    for phrase in subject:
        parts = phrase.split()
        if not parts or not all(p[:1].isupper() for p in parts):
            continue
        wanted = [p.lower() for p in parts]
        n = len(wanted)
        start = 1 if lowered[:1] == ["the"] else 0
        if lowered[start : start + n] != wanted or words[start + n - 1][-1:] in ",.;:)":
            continue  # not the opening name, or the name ends there ("Kelso Abbey, a ruin ...")
        extra = []
        for word in words[start + n :]:
            if not word[:1].isupper():
                break
            extra.append(word.strip(",.;:"))
        if extra:
            return " ".join(words[start : start + n] + extra).strip(",.;:")
    return ""


def _cjk_namesake(sentence: str, subject: list[str]) -> str:
    """In Chinese, the name a source opens on when it is the subject's name with a noun joined to it:
    "望澜桥酒家是一家中餐馆" opens on a restaurant named after the bridge; "望澜桥是一座石拱桥" on the bridge."""
    from .zh_words import tagged as zh_tagged

    tagged = zh_tagged(sentence)
    for phrase in subject:
        joined, k = "", 0
        while k < len(tagged) and len(joined) < len(phrase):
            joined += tagged[k][0]
            k += 1
        if joined != phrase or k >= len(tagged):
            continue
        word, tag = tagged[k]
        longer = phrase + word
        if tag.startswith("n") and tag != "nr" and not any(s.startswith(longer) for s in subject):
            return longer
    return ""


def lead_of(title: str, text: str) -> str:
    """What a source is about, for the semantic signal: its title and opening sentences."""
    lead = " ".join(statements(text)[:MEANING_LEAD_SENTENCES]) or text[:400]
    return f"{title}. {lead}" if title else lead


def meanings_to_question(question: str, sources: list[tuple[str, str]]) -> list[float] | None:
    """Cosine of the question with each (title, text) source's lead; None when the model is unavailable."""
    from .semantic import SemanticUnavailable, signal

    if not sources:
        return []
    try:
        return signal().similarities(question, [lead_of(t, x) for t, x in sources], asymmetric=True)
    except SemanticUnavailable:
        return None


def relevance_by_meaning(meaning: float, best: float, by_words: Relevance) -> Relevance:
    """The word rules' reading (`source_relevance`), widened by meaning: a source they find unrelated or
    only mentioning the subject is about the question when its opening is as close to the question as the
    best source's (within `ABOUT_MARGIN`), so a question without a proper noun still finds its articles.

    Meaning never demotes what the words find about: e5-small reads an opening, and an article that answers
    "who discovered X" opens on the person ("Sir Alexander Fleming was a Scottish physician"), further from
    the question than an unrelated scientist's article (measured: 0.80 against 0.82)."""
    if by_words.aboutness == "about" or by_words.namesake:
        return by_words  # a namesake opens like the subject's article, which is what makes it one
    if best - meaning <= ABOUT_MARGIN:
        return Relevance(aboutness="about", reason=f"its opening is as close to the question as any ({meaning:.2f})")
    return by_words


def sentence_on_topic(sentence: str, relevance: Relevance, subject: list[str]) -> bool:
    """A sentence of a source about the subject is on topic; of any other source, only if it names it."""
    if relevance.aboutness == "about":
        return True
    return relevance.aboutness == "mentions" and names_subject(sentence, subject)


def answer_share(sentence: str, question_words: list[str], subject: list[str]) -> float:
    """Share of the sub-question's own words (the subject's excluded) that the sentence has."""
    subject_word_keys = {k for words in subject_keys(subject) for keys in words for k in keys}
    wanted = [t.keys for t in analyse(" ".join(question_words)).content if not t.keys & subject_word_keys]
    if not wanted:
        return 1.0
    keys = _keys(analyse(sentence))
    return sum(1 for k in wanted if k & keys) / len(wanted)


def carries(sentence: str, kind: str, question: str = "") -> bool:
    """Whether the sentence holds the kind of fact a question part asks for."""
    analysis = analyse(sentence)
    asked = _keys(analyse(question)) if question else set()
    if kind == "date":
        return any(q.is_date for q in analysis.quantities)
    if kind == "number":
        return any(q.kind in ("count", "percent") for q in analysis.quantities)
    if kind in ("person", "place"):
        # A name of its own: not one of the question's words, and a word, not a letter ("penicillin G").
        return any(not t.keys & asked and len(t.surface) >= MIN_NAME_CHARS for t in analysis.names)
    if kind == "cause":
        return bool(causal_positions(analysis))
    return True


def answers(sentence: str, question_words: list[str], subject: list[str], kind: str = "thing") -> bool:
    """The sentence answers the sub-question: it shares its own words, and holds the asked kind of fact."""
    if answer_share(sentence, question_words, subject) < ANSWER_WORD_SHARE:
        return False
    return carries(sentence, kind, " ".join(question_words))


def _opens_with_subject(sentence: str, subject: list[str]) -> bool:
    """The first sentence names the subject in its first half, where a definition puts what it defines
    ("The 1918 flu pandemic ... was"); "K2 is the second-highest mountain, after Mount Everest" does not."""
    if has_cjk(sentence):
        return names_subject(sentence[: max(1, len(sentence) // 2)], subject)
    words = sentence.split()
    return names_subject(" ".join(words[: max(1, len(words) // 2)]), subject)


def _lead_share(sentences: list[str], subject: list[str]) -> float:
    """Share of the lead's sentences that name the subject, a pronoun-opened sentence counting as its
    predecessor did ("He shared the 1945 prize for the discovery of penicillin. His discovery ...")."""
    named = 0
    previous = False
    for sentence in sentences:
        first = sentence.split(" ", 1)[0].lower().strip(",")
        current = names_subject(sentence, subject) or (previous and first in lexicon.CONTINUING_PRONOUNS)
        named += current
        previous = current
    return named / len(sentences)


def _phrase_named(words: list[frozenset[str]], keys: set[str]) -> bool:
    share = SUBJECT_WORD_SHARE if len(words) < LONG_PHRASE else LONG_PHRASE_SHARE
    needed = max(1, math.ceil(len(words) * share))
    surfaces = [k[1:] for k in keys if k.startswith("~")]
    return sum(1 for k in words if k & keys or _in_compound(k, surfaces)) >= needed


def _in_compound(word_keys: frozenset[str], surfaces: list[str]) -> bool:
    stems = [k for k in word_keys if not k.startswith("#") and len(k) >= COMPOUND_MIN]
    return any(stem in surface and stem != surface for stem in stems for surface in surfaces)


def _keys(analysis: Analysis) -> set[str]:
    """Keys of the text's words, with the subject-length stems found inside compounds added by the caller."""
    out: set[str] = set()
    for token in analysis.tokens:
        if not token.stop:
            out |= token.keys
            out.add("~" + token.surface.lower())
    return out
