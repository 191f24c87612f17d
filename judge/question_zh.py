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

from stepresearch.core.language import HAN_CHARS, has_cjk
from stepresearch.core.text import STOPWORDS
from stepresearch.state import AskedPart

from . import glossary, lexicon, zh_words

_CLAUSE_SPLIT = re.compile(r"[，,？?；;。！!]|(?:以及|并且|而且|还有)")
_QUESTION_WORDS = sorted(lexicon.CHINESE_ASKED_KINDS, key=len, reverse=True)
_NOUN_TAGS = zh_words.NAME_TAGS | {"n", "nw", "ng", "vn", "an", "eng"}
# Words a topic is made of besides nouns: an adjective or a distinguishing word inside a name ("黑" of
# 黑石峡), an abbreviation, a Latin word; a time word ("清代") qualifies the noun after it.
_MODIFIER_TAGS = frozenset({"a", "b", "j", "eng", "t", "s"})
# Where a topic stops: a verb, preposition, pronoun (question words are pronouns to jieba), adverb,
# conjunction, particle or measure word.
_PREDICATE_TAGS = frozenset("vprdcuqyez")
_TITLE = re.compile(r"《([^》]+)》")
_TITLE_MARKS = re.compile(r"[《》]")
# A subject phrase of one character ("桥") names half the corpus.
MIN_SUBJECT_CHARS = 2


def clauses(question: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(question) if c and c.strip()]


def subject_phrases(question: str, topics: list[str] | None = None) -> list[str]:
    """What the question is about: the topic its first clause opens on, read from jieba's parts of speech.

    Chinese puts the topic first and the predicate after it ("黑石峡大坝 | 有多高", "柳塘村的灯船节 | 起源于
    什么时候"), and a question that opens on a question word names it after the verb ("谁发现了 | 青霉素").
    The topic's last run of nouns is its head (灯船节); its proper names (柳塘村), the titles in 《》 and any
    Latin-script name are subjects too. Characters, not jieba's words, carry the phrases, because jieba
    cuts an invented name anywhere ("黑" + "石峡" + "大坝"). `topics` (the English reader's named phrases) are
    not added: a name that only modifies the topic ("葡萄牙" of 葡萄牙航海家) is not what it is about."""
    for clause in clauses(question):
        runs = _topic_runs(clause)
        if not runs:
            continue
        phrases = ["".join(w for w, _ in runs[-1])]
        phrases += ["".join(w for w, _ in run) for run in runs[:-1] if any(t in zh_words.NAME_TAGS for _, t in run)]
        # A person's name inside the topic stands on its own ("清代学者沈砚秋"); a place name inside a longer
        # name is only its modifier ("赤岭" of 赤岭水库).
        phrases += [n for n in _person_names(clause) if n not in phrases]
        phrases += _TITLE.findall(clause) + _latin_names(clause)
        phrases = [p for p in phrases if len(p) >= MIN_SUBJECT_CHARS]
        if phrases:
            return _with_glosses(phrases)
    return []


def _topic_runs(clause: str) -> list[list[tuple[str, str]]]:
    """The runs of nominal words the clause's topic is made of, up to its predicate."""
    runs: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for word, tag in _tagged(_TITLE_MARKS.sub("", clause)):
        if _nominal(word, tag):
            current.append((word, tag))
            continue
        if current:
            runs.append(current)
            current = []
        if runs and tag[:1] in _PREDICATE_TAGS and word != "的":
            break  # the topic ends where its predicate starts
    if current:
        runs.append(current)
    return runs


def _person_names(clause: str) -> list[str]:
    return [w for w, tag in _tagged(clause) if tag in zh_words.PERSON_TAGS and len(w) >= MIN_SUBJECT_CHARS]


def _nominal(word: str, tag: str) -> bool:
    return (tag[:1] == "n" or tag in _MODIFIER_TAGS) and _own_word(word)


def _latin_names(clause: str) -> list[str]:
    from .question import named_phrases as latin_named

    latin = re.findall(
        rf"[^\W\d_{HAN_CHARS}][^\W{HAN_CHARS}]*(?:[ .'\-]+[^\W\d_{HAN_CHARS}][^\W{HAN_CHARS}]*)*", clause
    )
    return [n for chunk in latin for n in latin_named(chunk)]


def _with_glosses(phrases: list[str]) -> list[str]:
    """The phrases, then the English gloss of each one the dictionary covers whole."""
    out = list(dict.fromkeys(phrases))
    for phrase in list(out):
        # Only a phrase the dictionary has whole is glossed: word by word, a compound's gloss is a guess
        # that names something else ("葡萄牙航海家若昂", "Portugal navigator João", names any Portuguese
        # navigator), and an invented name glossed a character at a time is noise.
        whole = glossary.glosses(phrase)
        if whole and whole[0] not in out:
            out.append(whole[0])
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
    """Words that are proper names (`zh_words`), adjacent ones joined ("北京" + "大学" stay one name)."""
    out: list[str] = []
    run: list[str] = []
    for word, tag in [*_tagged(text), ("", "x")]:
        if tag in zh_words.NAME_TAGS and _own_word(word):
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
        glossed = [w for w in words if has_cjk(w) and len(w) >= MIN_SUBJECT_CHARS]  # "黑": black, sinister ...
        words += [g for g in glossary.gloss_text(glossed).split() if g not in words]
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


def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    return zh_words.tagged(text)
