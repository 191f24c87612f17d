"""Attributing sentences to sources, so a citation is computed, never taken on trust.

Every sentence the writer keeps goes to the judge against the retrieved
sources that are on the question's subject. It is kept only if one of them
entails it, and it cites that source, plus a second independent source when
one also entails it. What the model wrote in brackets is ignored: a 135M
model's handles are often wrong, and a computed citation cannot point at
nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from stepresearch.core.language import has_cjk
from stepresearch.core.steps import Steps
from stepresearch.core.text import STOPWORDS, content_tokens, split_sentences, word_count
from stepresearch.judge import Judge, Judgement, LexicalJudge, SemanticJudge, answers, sentence_on_topic
from stepresearch.judge.overlap import is_repeat
from stepresearch.judge.relevance import Relevance, answer_share, carries, meanings_to_question
from stepresearch.state import AskedPart, CitedSentence, Evidence, Source

MIN_CONTENT_TOKENS = 4
MAX_WORDS = 55  # longer "sentences" from a small model are run-ons glued from several passages
# Sources put to a (slow) policy judge per sentence: the best few by the lexical judge's coverage.
POLICY_SHORTLIST = 3
# Between two answers that share as much of the asked words, the shorter wins: 400 words cost a whole point.
LENGTH_PENALTY_WORDS = 400
# An answer's closeness in meaning to the asked part leads; the share of the part's own words it has adds
# this much at most (a cosine difference of 0.1 is a lot in e5's narrow band, so the words break near-ties).
ANSWER_WORDS_WEIGHT = 0.1
PRONOUN_START = re.compile(r"^(?:he|she|it|they|his|her|its|their|this|these|those|him|them)\b", re.IGNORECASE)
_MARKERS = re.compile(r"\s*(?:\[\s*S?\d+(?:\s*[,;]\s*S?\d+)*\s*\]|\(\s*S\d+\s*\)|【[^】]*】)")
_LEADING = re.compile(r"^\s*(?:#+\s*|[-*•]\s+|\d+[.)]\s+)")


def strip_markers(text: str, titles: list[str] | None = None) -> str:
    """Remove citation handles, list markup, and "Title:" prefixes copied from the research log."""
    lines = [_LEADING.sub("", line) for line in text.splitlines()]
    text = _MARKERS.sub("", " ".join(lines)).replace(" .", ".").strip()
    for title in sorted(titles or [], key=len, reverse=True):
        text = text.replace(f"{title}: ", "")
    return text


# What a whole sentence ends on, in Latin and CJK punctuation.
SENTENCE_CLOSERS = ".!\"'”)。！」』）"


def is_fragment(sentence: str) -> bool:
    """A sentence cut off mid-way (by max_tokens, or by the model) ends without punctuation or on a stopword."""
    body = sentence.rstrip()
    if body[-1:] not in SENTENCE_CLOSERS:
        return True
    last = re.findall(r"[A-Za-z']+", body)
    return bool(last) and last[-1].lower() in STOPWORDS


def is_candidate(text: str) -> bool:
    """Shaped like a statement worth citing: long enough, not a question, not clipped, not a run-on."""
    text = text.strip()
    return (
        len(content_tokens(text)) >= MIN_CONTENT_TOKENS
        and not text.endswith(("?", "？"))
        and "…" not in text
        and word_count(text) <= MAX_WORDS
    )


class Attributor:
    """Finds, for a sentence, the on-topic sources that entail it.

    Its methods are steps (`stepresearch.core.steps`): a policy judge's calls are yielded to the node's driver."""

    def __init__(self, sources: dict[str, Source], evidence: list[Evidence], judge: Judge, subject: list[str]) -> None:
        self.sources = sources
        self.evidence = evidence
        self.judge = judge
        self.subject = subject
        cited_ids = dict.fromkeys(e.source_id for e in evidence)
        self.candidates = [
            sources[sid] for sid in cited_ids if sid in sources and sources[sid].aboutness != "unrelated"
        ]

    def on_topic(self, sentence: str, source: Source) -> bool:
        relevance = Relevance(aboutness=source.aboutness, reason="")
        return sentence_on_topic(sentence, relevance, self.subject)

    def attribute(
        self, text: str, *, preferred: set[str] | None = None, kept: list[str] | None = None
    ) -> Steps[CitedSentence | None]:
        """The sentence with its supporting sources, or None if nothing on topic entails it or it is a repeat."""
        return (yield from self.attribute_all([text], preferred=preferred, kept=kept))[0]

    def attribute_prose(
        self, prose: str, *, preferred: set[str], kept: list[str]
    ) -> Steps[tuple[list[CitedSentence], int]]:
        """Attribute every sentence of the model's prose; returns kept sentences and how many were dropped."""
        titles = [s.title for s in self.sources.values()]
        sentences = [s for s in split_sentences(strip_markers(prose, titles))]
        whole = [s for s in sentences if not is_fragment(s)]
        cited = [c for c in (yield from self.attribute_all(whole, preferred=preferred, kept=kept)) if c is not None]
        return cited, len(sentences) - len(cited)

    def attribute_all(
        self, texts: list[str], *, preferred: set[str] | None = None, kept: list[str] | None = None
    ) -> Steps[list[CitedSentence | None]]:
        """Each sentence with its supporting sources, or None; a kept sentence is added to `kept`.

        The judge sees every (sentence, source) pair of the batch at once, so a policy judge's calls go out
        together instead of one sentence at a time; repeats are then dropped in order."""
        texts = [t.strip() for t in texts]
        allowed = [
            [s for s in self.candidates if self.on_topic(t, s)]
            if is_candidate(t) and not (kept is not None and is_repeat(t, kept))
            else []
            for t in texts
        ]
        entailed = yield from self._entailing(texts, allowed)
        out: list[CitedSentence | None] = []
        for text, pairs in zip(texts, entailed):
            cited = self._cited(text, pairs, preferred or set()) if pairs else None
            if cited is not None and kept is not None:
                if is_repeat(text, kept):
                    cited = None
                else:
                    kept.append(cited.text)
            out.append(cited)
        return out

    def _cited(self, text: str, entailed: list[tuple[Judgement, Source]], preferred: set[str]) -> CitedSentence:
        ranked = sorted(entailed, key=lambda pair: (pair[1].id not in preferred, -pair[0].coverage, pair[1].order))
        best_verdict, best = ranked[0]
        source_ids = [best.id]
        for _, other in ranked[1:]:
            if other.origin != best.origin:
                source_ids.append(other.id)
                break
        return CitedSentence(
            text=finish(text),
            source_ids=source_ids,
            evidence_id=self._evidence_for(best.id, best_verdict),
            origin="policy",
        )

    def _entailing(self, texts: list[str], allowed: list[list[Source]]) -> Steps[list[list[tuple[Judgement, Source]]]]:
        """Per sentence, its allowed sources that entail it: the lexical judge's verdicts, or the policy
        judge's on each sentence's lexical shortlist, all sentences' pairs in one batch."""
        lexical = [SemanticJudge().judge_many([(t, s.text, s.title) for s in ok]) for t, ok in zip(texts, allowed)]
        if isinstance(self.judge, LexicalJudge):
            return [[(v, s) for v, s in zip(verdicts, ok) if v.entails] for verdicts, ok in zip(lexical, allowed)]
        shortlists = [
            sorted(((v, s) for v, s in zip(verdicts, ok) if not v.contradicts), key=lambda pair: -_closeness(pair[0]))[
                :POLICY_SHORTLIST
            ]
            for verdicts, ok in zip(lexical, allowed)
        ]
        items = [(t, s.text, s.title) for t, shortlist in zip(texts, shortlists) for _, s in shortlist]
        verdicts = iter((yield from self.judge.judge_steps(items)))
        return [[(v, s) for (_, s), v in zip(shortlist, verdicts) if v.entails] for shortlist in shortlists]

    def _evidence_for(self, source_id: str, verdict: Judgement) -> str | None:
        own = [e for e in self.evidence if e.source_id == source_id]
        for item in own:
            if verdict.sentence and verdict.sentence[:60] in item.text:
                return item.id
        return own[0].id if own else None


def extract_sentences(
    evidence: list[Evidence],
    sources: dict[str, Source],
    query_words: list[str],
    subject: list[str],
    kept: list[str],
    limit: int,
    kind: str = "thing",
) -> list[CitedSentence]:
    """Sentences taken verbatim from the evidence that answer the query: the writer's fallback when the
    policy is weak. Each is on the subject and answers the query (`judge.answers`); ranked by the query's
    own words it contains, each weighted by how rare it is among the candidates, with a mild length penalty.
    """
    pool = [
        (item, position, sentence)
        for item, position, sentence, _ in on_topic_sentences(evidence, sources, subject)
        if is_candidate(sentence)
        and not PRONOUN_START.match(sentence)  # "He put an end to..." means nothing out of its paragraph
        and answers(sentence, query_words, subject, kind)
    ]
    wanted = set(content_tokens(" ".join(query_words)))
    frequency: dict[str, int] = {}
    for _, _, sentence in pool:
        for token in set(content_tokens(sentence)) & wanted:
            frequency[token] = frequency.get(token, 0) + 1
    weight = {t: math.log(1 + len(pool) / frequency.get(t, 1)) for t in wanted}
    ranked = []
    for item, position, sentence in pool:
        tokens = set(content_tokens(sentence))
        overlap = sum(weight[t] for t in wanted & tokens) / (1 + word_count(sentence) / 60)
        ranked.append((-overlap, -item.score, item.order, position, sentence, item))
    out: list[CitedSentence] = []
    for *_, sentence, item in sorted(ranked, key=lambda c: c[:4]):
        if len(out) == limit:
            break
        if is_repeat(sentence, kept):
            continue
        out.append(
            CitedSentence(text=finish(sentence), source_ids=[item.source_id], evidence_id=item.id, origin="extract")
        )
        kept.append(sentence)
    return out


def best_answer(
    part: AskedPart, evidence: list[Evidence], sources: dict[str, Source], subject: list[str]
) -> CitedSentence | None:
    """The evidence sentence that best answers one asked part: on the subject, holding the asked kind of
    fact, and closest to the part in meaning (the semantic signal), its own words as a second witness."""
    candidates: list[tuple[Evidence, str]] = []
    for item, _, sentence, source in on_topic_sentences(evidence, sources, subject):
        if PRONOUN_START.match(sentence):
            if source.aboutness != "about":
                continue
            sentence = resolve_pronoun(sentence, source.title)
            if PRONOUN_START.match(sentence) or not SemanticJudge().judge(sentence, source.text, source.title).entails:
                continue  # the judge does not read the pronoun as the article's subject: left out, not guessed
        if not is_candidate(sentence) or not carries(sentence, part.kind, part.text):
            continue
        share = answer_share(sentence, part.words, subject)
        if share <= 0 and part.words and not has_cjk(part.text) and not has_cjk(sentence):
            # In English a sentence must share a word of the part's own. In Chinese, synonyms go unmatched
            # ("落成" for "建成"), and across two scripts no word is shared: there the asked kind of fact and
            # closeness in meaning decide.
            continue
        candidates.append((item, sentence))
    if not candidates:
        return None
    meanings = meanings_to_question(part.text, [("", sentence) for _, sentence in candidates])
    best: tuple[float, str, CitedSentence] | None = None
    for n, (item, sentence) in enumerate(candidates):
        share = answer_share(sentence, part.words, subject)
        closeness = meanings[n] if meanings else 0.0
        score = closeness + ANSWER_WORDS_WEIGHT * share - word_count(sentence) / LENGTH_PENALTY_WORDS
        if best is None or score > best[0] or (score == best[0] and item.order < best[1]):
            cited = CitedSentence(
                text=finish(sentence), source_ids=[item.source_id], evidence_id=item.id, origin="extract"
            )
            best = (score, item.order, cited)
    return best[2] if best else None


def on_topic_sentences(
    evidence: list[Evidence], sources: dict[str, Source], subject: list[str]
) -> Iterator[tuple[Evidence, int, str, Source]]:
    """Every sentence of the evidence that is on the question's subject, with its evidence item, its
    position there and its source: what the writer and the verifier may choose from."""
    for item in evidence:
        source = sources.get(item.source_id)
        if source is None or source.aboutness == "unrelated":
            continue
        relevance = Relevance(aboutness=source.aboutness, reason="")
        for position, sentence in enumerate(split_sentences(item.text)):
            if sentence_on_topic(sentence, relevance, subject):
                yield item, position, sentence, source


_SUBJECT_PRONOUN = re.compile(r"^(?:He|She|It|They)\b")
_POSSESSIVE_PRONOUN = re.compile(r"^(?:His|Her|Its|Their)\b")


def resolve_pronoun(sentence: str, title: str) -> str:
    """'He shared the prize' from the article on Alexander Fleming reads 'Alexander Fleming shared the prize':
    a summary's pronoun opens a sentence about the article's subject. The caller keeps the result only if the
    judge entails it from the source."""
    title = re.sub(r"\s*\(.*?\)\s*", " ", title).strip()
    if not title:
        return sentence
    if _SUBJECT_PRONOUN.match(sentence):
        return _SUBJECT_PRONOUN.sub(title, sentence, count=1)
    if _POSSESSIVE_PRONOUN.match(sentence):
        return _POSSESSIVE_PRONOUN.sub(f"{title}'s", sentence, count=1)
    return sentence


def finish(text: str) -> str:
    """The sentence with its closing punctuation: a Chinese one closes on 。"""
    text = text.strip()
    if text[-1:] in SENTENCE_CLOSERS:
        return text
    return text + ("。" if has_cjk(text) else ".")


def _closeness(verdict: Judgement) -> float:
    """How near a source sentence is to a statement: by meaning where the signal was used, else by words."""
    return verdict.meaning if verdict.meaning is not None else verdict.coverage
