"""Verify: extract the key claims and check each against every retrieved source.

Claims come from two places. The evidence is scanned deterministically for
sentences that carry numbers, dates or names, so verification works even when
the policy is weak; and the policy proposes claims as structured output, kept
only when some evidence passage supports them. Each claim is then matched
against sentence windows of *all* retrieved sources (BM25 to find them, the
lexical support score to judge them). Sources that share an origin or repeat
one another count as one witness (`independence.py`). A window that restates
the claim with a different number or date contradicts it (`conflicts.py`); a
window that differs only by a negation is put to the policy to judge.

Verdicts: `supported` (2+ independent witnesses agree), `single_source`,
`contradicted` (independent witnesses disagree), `unsupported`.
"""

from __future__ import annotations

import math

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field

from stepresearch.serving.calls import ask
from stepresearch.state import Claim, Evidence, ResearchState, Source, Verdict
from stepresearch.text import (
    SUPPORT_THRESHOLD,
    content_tokens,
    is_repeat,
    names,
    split_sentences,
    statements,
    support_score,
)
from stepresearch.tools.bm25_index import Bm25Index, Passage

from .citations import attribute
from .conflicts import negation_mismatch, number_conflict, quantities
from .context import get_context
from .independence import independence_groups
from .layout import messages_for

CLAIMS_TASK = """TASK: claims
List up to 5 key factual claims from the research log that help answer the question. Each claim is one short sentence with its names, numbers and dates.
Reply in JSON: {"claims": ["...", "..."]}"""

JUDGE_TASK = """TASK: judge
Claim: {claim}
Passage: {passage}
Does the passage support or refute the claim?
Reply in JSON: {{"verdict": "supports" or "refutes" or "unrelated"}}"""

MAX_CLAIMS = 8
MAX_POLICY_CLAIMS = 3
MAX_PER_SOURCE = 2
MAX_JUDGEMENTS = 3
WINDOW_SENTENCES = 2
CANDIDATE_WINDOWS = 40


class ClaimsDraft(BaseModel):
    claims: list[str] = Field(default_factory=list, max_length=5)


class Judgement(BaseModel):
    verdict: str


def verify(state: ResearchState, config: RunnableConfig) -> dict:
    sources = state.get("sources", {})
    evidence = state.get("evidence", [])
    if not evidence:
        return {"claims": []}
    texts = evidence_claims(evidence, state["question"])
    texts += policy_claims(state, config, texts)
    checker = ClaimChecker(sources)
    judgements_left = MAX_JUDGEMENTS
    claims = []
    for text in texts:
        claim, judged = checker.check(text, lambda claim, window: judge(state, config, claim, window), judgements_left)
        judgements_left -= judged
        claims.append(claim)
    return {"claims": claims}


def evidence_claims(evidence: list[Evidence], question: str) -> list[str]:
    """Sentences of the evidence that carry a number, a date or a name, most relevant first."""
    wanted = set(content_tokens(question))
    pool = [(item, sentence) for item in evidence for sentence in split_sentences(item.text)]
    frequency: dict[str, int] = {}
    for _, sentence in pool:
        for token in set(content_tokens(sentence)) & wanted:
            frequency[token] = frequency.get(token, 0) + 1
    ranked = []
    for item, sentence in pool:
        n_words = len(sentence.split())
        if not 6 <= n_words <= 45 or sentence.endswith("?"):
            continue
        if not (quantities(sentence) or names(sentence)):
            continue
        tokens = set(content_tokens(sentence))
        relevance = sum(math.log(1 + len(pool) / frequency[t]) for t in tokens & wanted)
        ranked.append((-relevance, item.order, sentence, item.source_id))
    claims: list[str] = []
    per_source: dict[str, int] = {}
    for _, _, sentence, source_id in sorted(ranked):
        if len(claims) == MAX_CLAIMS:
            break
        if per_source.get(source_id, 0) >= MAX_PER_SOURCE or is_repeat(sentence, claims) or restates(sentence, claims):
            continue
        claims.append(sentence)
        per_source[source_id] = per_source.get(source_id, 0) + 1
    return claims


def restates(sentence: str, claims: list[str]) -> bool:
    """True if the sentence's words mostly repeat a kept claim's, or the other way round."""
    tokens = set(content_tokens(sentence))
    for claim in claims:
        other = set(content_tokens(claim))
        smaller = min(len(tokens), len(other)) or 1
        if len(tokens & other) / smaller >= 0.85 and quantities(sentence) == quantities(claim):
            return True
    return False


def policy_claims(state: ResearchState, config: RunnableConfig, already: list[str]) -> list[str]:
    """Claims the policy proposes, kept only when a retrieved passage supports them."""
    ctx = get_context(config)
    messages = messages_for(state, ctx, CLAIMS_TASK)
    reply = ask(ctx.policy, messages, node="verify", schema=ClaimsDraft, max_tokens=200, config=config)
    kept: list[str] = []
    for text in reply.parsed.claims if reply.parsed else []:
        text = text.strip()
        grounded = attribute(text, state.get("evidence", []), state.get("sources", {}), kept=already + kept)
        if grounded is not None and len(kept) < MAX_POLICY_CLAIMS:
            kept.append(grounded.text)
    return kept


def judge(state: ResearchState, config: RunnableConfig, claim: str, window: str) -> str | None:
    ctx = get_context(config)
    messages = messages_for(state, ctx, JUDGE_TASK.format(claim=claim, passage=window))
    reply = ask(ctx.policy, messages, node="verify", schema=Judgement, max_tokens=20, config=config)
    verdict = reply.parsed.verdict.strip().lower() if reply.parsed else ""
    return verdict if verdict in ("supports", "refutes", "unrelated") else None


class ClaimChecker:
    """Matches claims against sentence windows of every retrieved source."""

    def __init__(self, sources: dict[str, Source]) -> None:
        self.sources = sources
        self.groups = independence_groups(sources)
        passages = []
        for source_id, source in sources.items():
            sentences = statements(source.text)
            for start in range(max(1, len(sentences) - WINDOW_SENTENCES + 1)):
                window = " ".join(sentences[start : start + WINDOW_SENTENCES])
                passages.append(Passage(doc_uri=source_id, title=source.title, text=window, origin=source.origin))
        self.index = Bm25Index.build(passages) if passages else None

    def check(self, text: str, judge_fn, judgements_left: int) -> tuple[Claim, int]:
        """The claim with its verdict, and how many policy judgements it used."""
        best_for: dict[str, tuple[float, str]] = {}
        against: dict[str, str] = {}
        judged = 0
        candidates = self.index.search(text, CANDIDATE_WINDOWS) if self.index else []
        for passage, _ in candidates:
            source_id, window = passage.doc_uri, passage.text
            score = support_score(text, window)
            if negation_mismatch(text, window):
                # Words alone cannot tell "not only" from "not": the policy judges, and an
                # unjudged window counts neither way.
                if judged >= judgements_left:
                    continue
                judged += 1
                verdict = judge_fn(text, window)
                if verdict == "refutes":
                    against.setdefault(source_id, best_sentence(text, window))
                    continue
                if verdict != "supports":
                    continue
            if score >= SUPPORT_THRESHOLD:
                if score > best_for.get(source_id, (0.0, ""))[0]:
                    best_for[source_id] = (score, window)
            elif number_conflict(text, window):
                against.setdefault(source_id, best_sentence(text, window))
        supporting = sorted(best_for, key=lambda sid: -best_for[sid][0])
        support_groups = {self.groups[sid] for sid in supporting}
        contradicting = [sid for sid in against if self.groups[sid] not in support_groups]
        against_groups = {self.groups[sid] for sid in contradicting}
        quotes, seen = [], set()
        for sid in supporting:
            if self.groups[sid] not in seen:
                quotes.append(best_sentence(text, best_for[sid][1]))
                seen.add(self.groups[sid])
        claim = Claim(
            text=text,
            verdict=verdict_for(len(support_groups), len(against_groups)),
            supporting=supporting,
            contradicting=contradicting,
            evidence=quotes[:3],
            counter_evidence=[against[sid] for sid in contradicting][:3],
        )
        return claim, judged


def verdict_for(supporting_witnesses: int, contradicting_witnesses: int) -> Verdict:
    if contradicting_witnesses:
        return "contradicted"
    if supporting_witnesses >= 2:
        return "supported"
    if supporting_witnesses == 1:
        return "single_source"
    return "unsupported"


def best_sentence(claim: str, window: str) -> str:
    sentences = split_sentences(window) or [window]
    wanted = set(content_tokens(claim))
    return max(sentences, key=lambda s: len(wanted & set(content_tokens(s))))
