"""Verify: extract the key claims and cross-check each against every retrieved source.

Claims come from two places. The evidence is scanned deterministically for
on-topic sentences that carry numbers, dates or names, so verification works
even when the policy is weak; and the policy proposes claims as structured
output, kept only when an on-topic source entails them. Each claim then goes
to the judge against every retrieved source (`stepresearch.judge`):

- a source that entails it supports it;
- a source the judge finds contradicting it (another value bound to the same
  words, a flipped polarity), or a sentence that tells the same event in its
  own words with another date or number (`judge.disagreement`), contradicts it;
- a sentence that tells the same event in its own words with the same date or
  number (`judge.corroborates`) is one more witness for it, though it does
  not entail it word for word.

Sources that share an origin or repeat one another count as one witness
(`independence.py`). Verdicts: `supported` (2+ independent witnesses agree),
`single_source`, `contradicted` (independent witnesses disagree),
`unsupported`.
"""

from __future__ import annotations

import math
import re

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from stepresearch.core.steps import Ask, Steps, run_steps, step_node
from stepresearch.core.text import content_tokens, locate_all, split_sentences, stem_word, word_count
from stepresearch.judge import Judge, Judgement, PolicyJudge, SemanticJudge, corroborates, disagreement
from stepresearch.judge.anchors import analyse
from stepresearch.judge.disagreement import different_subjects, sentence_context
from stepresearch.judge.lexical import SAME_THING_MEANING
from stepresearch.judge.overlap import is_repeat, word_share
from stepresearch.state import Alignment, Claim, Evidence, ResearchState, Source, Verdict
from stepresearch.state.events import ClaimJudged

from .citations import PRONOUN_START, Attributor, on_topic_sentences, resolve_pronoun
from .context import ResearchContext
from .independence import independence_groups
from .layout import messages_for

CLAIMS_TASK = """TASK: claims
List up to 5 key factual claims from the research log that help answer the question. Each claim is one short sentence with its names, numbers and dates.
Reply in JSON: {"claims": ["...", "..."]}"""

CLAIMS_TOKENS = 200
MAX_CLAIMS = 8
# From the second round on, this many of the claims come from the round's new evidence first: what a round
# found is checked in that round, so reflect sees its gaps and the research follows its leads.
NEW_ROUND_CLAIMS = 4
MAX_POLICY_CLAIMS = 3
MAX_PER_SOURCE = 2
# A witness's label when no single verdict names it: it tells the claim's event in its own words, for or against.
CORROBORATES = "corroborates"
DISAGREES = "disagrees"
# A claim sentence is short enough to be one fact and long enough to say one.
CLAIM_WORDS = (6, 45)
# Two claims that share this much of their words, with the same numbers, are one claim told twice.
RESTATEMENT_SHARE = 0.85
# A capable policy judges the (claim, source) pairs whose anchors do not conflict and that share at least
# this much wording, or are as close in meaning as the judge's "same thing"; pairs further apart are not
# worth a call.
POLICY_MIN_COVERAGE = 0.4


# "The statue was ...": an opening definite description, which in a summary refers to the article's subject.
_DEFINITE_OPENING = re.compile(r"^The (?P<noun>[a-z][a-z\-]+)\b")


class ClaimsDraft(BaseModel):
    claims: list[str] = Field(default_factory=list, max_length=5)


def verify_events(update: dict) -> list[ClaimJudged]:
    """Each key claim and how many sources stand for and against it."""
    return [
        ClaimJudged(text=c.text, verdict=c.verdict, supporting=len(c.supporting), contradicting=len(c.contradicting))
        for c in update.get("claims", [])
    ]


@step_node(events=verify_events)
def verify(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    if not evidence:
        return {"claims": []}
    ctx = runtime.context
    brief = state.get("brief")
    subject = brief.subject if brief else []
    judge = ctx.judge.bound(lambda task: messages_for(state, ctx, task))
    texts = evidence_claims(evidence, sources, state["question"], subject, newest_round=state.get("round", 1))
    texts += yield from policy_claims(state, ctx, texts, judge, subject)
    return {"claims": (yield from ClaimChecker(sources, judge).check_steps(texts))}


def evidence_claims(
    evidence: list[Evidence], sources: dict[str, Source], question: str, subject: list[str], newest_round: int = 1
) -> list[str]:
    """On-topic sentences of the evidence that carry a number, a date or a name, most relevant first; after
    the first round, up to NEW_ROUND_CLAIMS of them from the newest round's evidence before the rest."""
    wanted = set(content_tokens(question))
    pool = [(item, sentence) for item, _, sentence, _ in on_topic_sentences(evidence, sources, subject)]
    frequency: dict[str, int] = {}
    for _, sentence in pool:
        for token in set(content_tokens(sentence)) & wanted:
            frequency[token] = frequency.get(token, 0) + 1
    ranked = []
    for item, sentence in pool:
        n_words = word_count(sentence)
        if not CLAIM_WORDS[0] <= n_words <= CLAIM_WORDS[1] or sentence.endswith("?"):
            continue
        anchors = analyse(sentence)
        if not (anchors.quantities or anchors.names):
            continue
        tokens = set(content_tokens(sentence))
        relevance_score = sum(math.log(1 + len(pool) / frequency[t]) for t in tokens & wanted)
        ranked.append((-relevance_score, item.order, sentence, item.source_id, item.round))
    ranked.sort()
    if newest_round > 1:
        new = [r for r in ranked if r[4] == newest_round][:NEW_ROUND_CLAIMS]
        ranked = new + [r for r in ranked if r not in new]
    claims: list[str] = []
    per_source: dict[str, int] = {}
    for _, _, sentence, source_id, _ in ranked:
        if len(claims) == MAX_CLAIMS:
            break
        if per_source.get(source_id, 0) >= MAX_PER_SOURCE or is_repeat(sentence, claims) or restates(sentence, claims):
            continue
        claims.append(sentence)
        per_source[source_id] = per_source.get(source_id, 0) + 1
    return claims


def restates(sentence: str, claims: list[str]) -> bool:
    """True if the sentence's words mostly repeat a kept claim's with the same numbers."""
    values = {(q.kind, q.value) for q in analyse(sentence).quantities}
    for claim in claims:
        share = max(word_share(sentence, claim), word_share(claim, sentence))
        if share >= RESTATEMENT_SHARE and values == {(q.kind, q.value) for q in analyse(claim).quantities}:
            return True
    return False


def policy_claims(
    state: ResearchState, ctx: ResearchContext, already: list[str], judge: Judge, subject: list[str]
) -> Steps[list[str]]:
    """Claims the policy proposes, kept only when an on-topic retrieved source entails them."""
    messages = messages_for(state, ctx, CLAIMS_TASK)
    reply = yield Ask(ctx.policy, messages, node="verify", schema=ClaimsDraft, max_tokens=CLAIMS_TOKENS)
    attributor = Attributor(state.get("sources", {}), state.get("evidence", []), judge, subject)
    kept: list[str] = []
    for text in reply.parsed.claims if reply.parsed else []:
        grounded = yield from attributor.attribute(text.strip(), kept=already + kept)
        if grounded is not None and len(kept) < MAX_POLICY_CLAIMS:
            kept.append(grounded.text)
    return kept


class ClaimChecker:
    """Judges every claim against every retrieved source, and counts independent witnesses."""

    def __init__(self, sources: dict[str, Source], judge: Judge | None = None) -> None:
        self.sources = sources
        self.judge = judge or SemanticJudge()
        self.groups = independence_groups(sources)
        self.sentences = {sid: split_sentences(s.text) for sid, s in sources.items()}

    def check(self, text: str) -> Claim:
        return self.check_all([text])[0]

    def check_all(self, texts: list[str]) -> list[Claim]:
        return run_steps(self.check_steps(texts))

    def check_steps(self, texts: list[str]) -> Steps[list[Claim]]:
        ids = list(self.sources)
        pairs = [(t, sid) for t in texts for sid in ids]
        # "He received the 1921 prize" is judged as its own source reads it ("Albert Einstein received ..."):
        # against another article's "He was awarded the 1918 prize" it is about someone else, not a conflict.
        stated = {t: self._as_its_source_reads_it(t) for t in texts}
        own = {t: getattr(self._own_source(t), "id", None) for t in texts}
        # Against its own source a claim is judged as written: that source is what it was quoted from.
        verdicts = SemanticJudge().judge_many(
            [(t if sid == own[t] else stated[t], self.sources[sid].text, self.sources[sid].title) for t, sid in pairs]
        )
        for i, ((text, sid), verdict) in enumerate(zip(pairs, verdicts)):
            if verdict.contradicts and self._about_another_subject(text, sid, verdict.sentence):
                verdicts[i] = verdict.model_copy(
                    update={"label": "neutral", "reasons": verdict.reasons + ["about another article's subject"]}
                )
        if isinstance(self.judge, PolicyJudge):
            ask_for = [i for i, v in enumerate(verdicts) if not v.contradicts and _close(v)]
            judged = yield from self.judge.judge_steps(
                [(stated[pairs[i][0]], *self._passage(pairs[i][1])) for i in ask_for]
            )
            for i, verdict in zip(ask_for, judged):
                verdicts[i] = verdict
        candidates = [
            (i, counter)
            for i, ((text, sid), verdict) in enumerate(zip(pairs, verdicts))
            if not verdict.entails and not verdict.contradicts
            if sid != own[text]  # a source does not disagree with the sentence quoted from it
            for counter in [self._disagreeing_sentence(text, sid, stated[text])]
            if counter is not None
        ]
        if isinstance(self.judge, PolicyJudge):
            # A capable policy also confirms the anchors' own contradictions: "the fire broke out in 1540"
            # against "the abbey was founded in 1120" conflicts in its dates but tells another event.
            vetoes = [(i, v.sentence) for i, v in enumerate(verdicts) if v.contradicts and v.judge == "lexical"]
            candidates += vetoes
        confirmed = yield from self.judge.confirm_steps([(pairs[i][0], counter) for i, counter in candidates])
        counters = {i: counter for (i, counter), ok in zip(candidates, confirmed) if ok}
        for (i, _), ok in zip(candidates, confirmed):
            if verdicts[i].contradicts and not ok:
                verdicts[i] = verdicts[i].model_copy(
                    update={"label": "neutral", "reasons": verdicts[i].reasons + ["policy: another event"]}
                )
        by_claim: dict[str, list[tuple[str, object, str | None]]] = {t: [] for t in texts}
        for i, ((text, sid), verdict) in enumerate(zip(pairs, verdicts)):
            by_claim[text].append((sid, verdict, counters.get(i)))
        return [self._claim(text, by_claim[text], stated[text]) for text in texts]

    def _claim(self, text: str, verdicts: list, stated: str | None = None) -> Claim:
        supporting: dict[str, str] = {}
        against: dict[str, str] = {}
        labels: dict[str, str] = {}
        for sid, verdict, counter in verdicts:
            if verdict.entails:
                supporting[sid], labels[sid] = verdict.sentence, verdict.label
            elif verdict.contradicts:
                against[sid], labels[sid] = verdict.sentence, verdict.label
            elif counter is not None:
                against[sid], labels[sid] = counter, DISAGREES
            else:
                witness = self._corroborating_sentence(text, sid, stated)
                if witness is not None:
                    supporting[sid], labels[sid] = witness, CORROBORATES
        support_groups = {self.groups[sid] for sid in supporting}
        contradicting = [sid for sid in against if self.groups[sid] not in support_groups]
        against_groups = {self.groups[sid] for sid in contradicting}
        quotes, seen = [], set()
        for sid in supporting:
            if self.groups[sid] not in seen:
                quotes.append(supporting[sid])
                seen.add(self.groups[sid])
        return Claim(
            text=text,
            verdict=verdict_for(len(support_groups), len(against_groups)),
            supporting=list(supporting),
            contradicting=contradicting,
            evidence=quotes[:3],
            counter_evidence=[against[sid] for sid in contradicting][:3],
            supporting_witnesses=len(support_groups),
            contradicting_witnesses=len(against_groups),
            alignments=[
                Alignment(
                    source_id=sid, label=labels[sid], passage=quote, spans=locate_all(quote, self.sources[sid].text)
                )
                for sid, quote in [*supporting.items(), *((s, against[s]) for s in contradicting)]
            ],
        )

    def _disagreeing_sentence(self, text: str, source_id: str, stated: str | None = None) -> str | None:
        """A sentence of the source that tells the claim's event in its own words with another value; the
        claim compared as its own source reads it (`stated`), with that source's title as its context."""
        own_title = self._title_of(text)
        text = stated or text
        confirmable = isinstance(self.judge, PolicyJudge)  # a capable policy confirms each candidate
        for index, sentence in enumerate(self.sentences.get(source_id, [])):
            title = self._context(source_id, index)
            found = disagreement(text, sentence, first_title=own_title, second_title=title, confirmable=confirmable)
            if found is not None:
                return sentence
        return None

    def _title_of(self, text: str) -> str:
        """The context of the source a claim was quoted from: its subject when the claim says "She won ..."."""
        own = self._own_source(text)
        if own is None:
            return ""
        sentences = self.sentences.get(own.id, [])
        index = next((i for i, s in enumerate(sentences) if text in s or s in text), 0)
        return self._context(own.id, index)

    def _about_another_subject(self, text: str, source_id: str, sentence: str) -> bool:
        """An anchor conflict between a claim and another source's sentence that are about two subjects (by
        their names, and their articles' titles) is no contradiction: two extinctions, two statues."""
        own = self._own_source(text)
        if own is None or own.id == source_id:
            return False
        sentences = self.sentences.get(source_id, [])
        index = next((i for i, s in enumerate(sentences) if sentence and (sentence in s or s in sentence)), 0)
        return different_subjects(text, sentence, self._title_of(text), self._context(source_id, index))

    def _own_source(self, text: str) -> Source | None:
        """The source a claim was quoted from, spaces compared as the sentence splitter leaves them (the
        corpus writes "1,250\u00a0feet")."""
        wanted = " ".join(text.rstrip(".").split())
        return next((s for s in self.sources.values() if wanted in " ".join(s.text.split())), None)

    def _as_its_source_reads_it(self, text: str) -> str:
        """The claim with its opening reference to its own source's subject spelled out: a pronoun ("He
        received ..."), or a definite description naming the title's head word ("The statue was dedicated
        ...", from the article "Statue of Liberty"). Another article's "the statue" is another statue."""
        own = self._own_source(text)
        if own is None or not own.title:
            return text
        if PRONOUN_START.match(text):
            return resolve_pronoun(text, own.title)
        description = _DEFINITE_OPENING.match(text)
        title = re.sub(r"\s*\(.*?\)\s*", " ", own.title).strip()
        if description and stem_word(description["noun"].lower()) in {stem_word(w.lower()) for w in title.split()}:
            return title + text[description.end() :]
        return text

    def _context(self, source_id: str, index: int) -> str:
        return sentence_context(self.sources[source_id].title, self.sentences.get(source_id) or [], index)

    def _corroborating_sentence(self, text: str, source_id: str, stated: str | None = None) -> str | None:
        own_title = self._title_of(text)
        text = stated or text
        for index, sentence in enumerate(self.sentences.get(source_id, [])):
            title = self._context(source_id, index)
            if corroborates(text, sentence, first_title=own_title, second_title=title):
                return sentence
        return None

    def _passage(self, source_id: str) -> tuple[str, str]:
        source = self.sources[source_id]
        return source.text, source.title


def verdict_for(supporting_witnesses: int, contradicting_witnesses: int) -> Verdict:
    if contradicting_witnesses:
        return "contradicted"
    if supporting_witnesses >= 2:
        return "supported"
    if supporting_witnesses == 1:
        return "single_source"
    return "unsupported"


def _close(verdict: Judgement) -> bool:
    """Worth a policy call: near enough in wording or in meaning to be about the same thing."""
    return verdict.coverage >= POLICY_MIN_COVERAGE or (verdict.meaning or 0.0) >= SAME_THING_MEANING
