"""What a Chinese question is about and what it asks: `judge.question` for a question in Chinese.

"青石桥是哪一年建成的，全长多少米？" is about 青石桥 and asks a date and a number. Clauses end at Chinese
(or Latin) commas and question marks; each clause with a question word (`lexicon.CHINESE_ASKED_KINDS`) is
a part. The subject is read from jieba's parts of speech, not from capitals, which Chinese does not have:
the proper names of the first clause that has any (a place, a person, an organisation), else its nouns.
Chinese drops a subject it has already named ("全长多少米？"), so every part carries the subject's words.

Each subject phrase and asked word also carries its English gloss (`judge.glossary`, CC-CEDICT), so that
an English source can name the subject ("青霉素" is "penicillin") and answer the part. A phrase is glossed
only when every one of its words is: "赤岭水库" glossed as "reservoir" would name every reservoir.
"""

from __future__ import annotations

import re

from stepresearch.language import has_cjk
from stepresearch.state import AskedPart
from stepresearch.text import STOPWORDS

from . import glossary, lexicon

_CLAUSE_SPLIT = re.compile(r"[，,？?；;。！!]|(?:以及|并且|而且|还有)")
_QUESTION_WORDS = sorted(lexicon.CHINESE_ASKED_KINDS, key=len, reverse=True)
# A Chinese given name has one or two characters.
GIVEN_NAME_CHARS = 2
_NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg"})
_NOUN_TAGS = _NAME_TAGS | {"n", "nw", "ng", "vn", "an", "eng"}


def clauses(question: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(question) if c and c.strip()]


def subject_phrases(question: str, topics: list[str] | None = None) -> list[str]:
    """The proper names of the first clause that has any, else the nouns of the first clause with words of
    its own (question words and stopwords aside), as one phrase."""
    for clause in clauses(question):
        named = [t for t in (topics or []) if t in clause] or named_phrases(clause)
        if named:
            return _with_glosses([*_with_head_nouns(clause, named), *named])
    for clause in clauses(question):
        nouns = [w for w, tag in _tagged(clause) if tag in _NOUN_TAGS and _own_word(w)]
        if nouns:
            return _with_glosses(["".join(nouns)])
    return []


def _with_glosses(phrases: list[str]) -> list[str]:
    """The phrases, then the English gloss of each one the dictionary covers whole."""
    out = list(dict.fromkeys(phrases))
    for phrase in list(out):
        words = [w for w, _ in _tagged(phrase)]
        if all(glossary.glosses(w) for w in words) or glossary.glosses(phrase):
            gloss = glossary.gloss_phrase(phrase, words)
            if gloss and gloss not in out:
                out.append(gloss)
    return out


def _with_head_nouns(clause: str, names: list[str]) -> list[str]:
    """A name with the common nouns that follow it in the question ("红岩" + "水库"): jieba tags only the
    first part of "红岩水库" as a place. Both readings are the subject; the longer one comes first."""
    tagged = _tagged(clause)
    out = []
    for name in names:
        joined, k = "", 0
        while k < len(tagged) and not joined.endswith(name):
            joined += tagged[k][0]
            k += 1
        if not joined.endswith(name):
            continue
        nouns = []
        while k < len(tagged) and tagged[k][1] == "n" and _own_word(tagged[k][0]):
            nouns.append(tagged[k][0])
            k += 1
        if nouns:
            out.append(name + "".join(nouns))
    return out


def named_phrases(text: str) -> list[str]:
    """Words jieba tags as proper names, adjacent ones joined ("北京" + "大学" stay one name)."""
    out: list[str] = []
    run: list[str] = []
    for word, tag in _tagged(text) + [("", "x")]:
        surname = len(run) == 1 and len(run[0]) == 1  # jieba cuts an unknown name after its surname: 周 + 明远
        if (tag in _NAME_TAGS or (surname and len(word) <= GIVEN_NAME_CHARS and re.match(r"\w", word))) and (
            _own_word(word)
        ):
            run.append(word)
            continue
        if run:
            name = "".join(run)
            if name not in out:
                out.append(name)
            run = []
    return out


def asked_parts(question: str, subject: list[str] | None = None) -> list[AskedPart]:
    """Each clause with a question word is a part, with its own content words and the subject's."""
    subject_words = [w for phrase in subject or [] for w in _content_words(phrase)]
    parts: list[AskedPart] = []
    for clause in clauses(question):
        kinds = _kinds(clause)
        if not kinds:
            continue
        words = _content_words(clause)
        words += [w for w in subject_words if w not in words]
        words += [g for g in glossary.gloss_text([w for w in words if has_cjk(w)]).split() if g not in words]
        for kind in kinds:
            parts.append(AskedPart(kind=kind, text=clause, words=list(dict.fromkeys(words))))  # type: ignore[arg-type]
    return parts


def _kinds(clause: str) -> list[str]:
    """The kinds a clause asks, in the order of its question words; a word inside a longer one found
    first ("多" in "多少") is not asked again."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for word in _QUESTION_WORDS:
        for match in re.finditer(re.escape(word), clause):
            span = (match.start(), match.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            taken.append(span)
            found.append((match.start(), lexicon.CHINESE_ASKED_KINDS[word]))
    kinds = [kind for _, kind in sorted(found)]
    specific = [k for k in kinds if k != "thing"]
    return list(dict.fromkeys(specific or kinds))


def _content_words(text: str) -> list[str]:
    return list(dict.fromkeys(w for w, _ in _tagged(text) if _own_word(w)))


def _own_word(word: str) -> bool:
    """A word of the question's own: not a stopword, not a question word, not punctuation."""
    return (
        bool(word.strip())
        and word not in STOPWORDS
        and not any(q in word for q in _QUESTION_WORDS)
        and bool(re.search(r"\w", word))
    )


def _tagged(text: str) -> list[tuple[str, str]]:
    import rjieba

    return [(w, t) for w, t in rjieba.tag(text) if w.strip()]
