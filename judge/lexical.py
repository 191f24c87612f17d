"""The deterministic judge: does a passage entail a statement, contradict it, or neither?

It aligns the statement with the single source sentence that covers most of
its content words (synonyms and inflections folded together), then checks
the anchors against that sentence:

- every number, date and name of the statement is stated there (a year for a
  decade, "a third" for 33%, and rounding are allowed);
- polarity agrees inside the aligned stretch: negations, antonyms ("accepted"
  / "rejected") and negating prefixes ("successful" / "unsuccessful");
- a scope word ("worldwide", "all", "only") or a causal connective
  ("because", "led to") of the statement is matched there too;
- each anchor is bound to the words around it: a word next to "1911" in the
  statement must stand in the same clause as 1911 in the source, and not
  nearer to another year that the statement does not mention; a word the
  source uses only with another value of the same kind was borrowed from
  another fact;
- the statement keeps what restricts a superlative or scope word ("the
  third-largest", "the only human disease"), the order around "before" or
  "than", the members of a list, and the agent of a passive ("by a comet").

A statement that joins clauses ("X, and Y") may be entailed clause by
clause, each from its own sentence, and an apposition is a clause of its
own; anchors never bind across sentences, so recombining two true sentences
into a false one is rejected. Lexical by design: cheap, explainable, and
unable to be talked into anything.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from stepresearch.core.language import has_cjk
from stepresearch.core.steps import Steps, returning
from stepresearch.core.text import split_sentences

from . import lexicon
from .anchors import Analysis, Quantity, Token, analyse, antonyms, causal_positions, denials, is_scope

Label = Literal["entails", "contradicts", "neutral"]

# A statement is entailed only if the aligned sentence (with the source's title) covers at least this
# share of its content words. Anchors are the hard guards; this share only has to leave room for a
# paraphrase's own connecting words. Chosen on benchmarks/attribution.py's faithful set (see README).
ENTAIL_COVERAGE = 0.6
# A statement of fewer content words than this has no room for a paraphrase's own words: three of four.
SHORT_STATEMENT = 5
SHORT_COVERAGE = 0.75
# A conflict of anchors counts as a contradiction only about the same thing: the sentences must share
# this share of the statement's non-anchor words. Below it, two different facts merely differ.
CONTRADICT_COVERAGE = 0.5
# With the semantic signal (`judge/semantic.py`), a statement is aligned with a source sentence whose
# meaning is this close (e5 cosine, statements compared like with like), whatever words it uses: that
# replaces the synonym lists for paraphrase. The anchors still decide. Chosen on the dev split of
# benchmarks/sets/attribution (see README): e5's cosines sit in a narrow band, unrelated sentences of one
# article near 0.80, paraphrases above 0.90.
ALIGNED_MEANING = 0.88
# ... and a source sentence this close in meaning is worth comparing even when it shares few words (and, in
# verification, worth a capable policy's call). It never makes two statements "the same thing" for a
# contradiction: see `_compare`.
SAME_THING_MEANING = 0.86
# Only sentences sharing this share of the statement's words are compared by meaning at all.
MEANING_CANDIDATE_SHARE = 0.2
# A word within this many tokens of an anchor, in the same clause, is bound to it ("the 1911 prize in
# physics": physics is four tokens from 1911) ...
BIND_WINDOW = 4
# ... and in the source it must stand within this many tokens of the same number or cause. A paraphrase moves
# words around inside a phrase; it does not move a year to a fact twenty words away. (Names are untyped and
# long lists of them are common, so for a name the clause alone decides.)
MAX_SOURCE_DISTANCE = 20
# A negation this many tokens before the aligned stretch still governs it ("did not ... win").
NEGATION_MARGIN = 3
# Deciding which of two values a word goes with: a comma between them counts as this many tokens more,
# and a value after the word as half a token less ("a gold medal in 1867").
CHUNK_PENALTY = 10
FOLLOWING_BIAS = 0.5
# An ordinal among the first few tokens belongs to the subject ("The second Ardent Lighthouse ...").
SUBJECT_ORDINAL_REACH = 2
# A sentence sharing less than this share of the statement's words can neither entail it (that needs
# ENTAIL_COVERAGE) nor contradict it (that needs its names and half its other words): it is skipped.
PREFILTER_COVERAGE = 0.3
# Clauses shorter than this are not judged on their own: "and Wilbur" is not a claim.
MIN_CLAUSE_WORDS = 3
_CLAUSE_SPLIT = re.compile(
    r";\s+|,\s+(?:and|but|while|whereas)\s+|\s+(?:and|but)\s+(?=(?:later|then|also|was|were|is|are|has|had|he|she|it|they)\b)"
)


class Judgement(BaseModel):
    """The verdict on one statement against one passage, with the reasons a person can check."""

    label: Label
    coverage: float = Field(description="Share of the statement's content words the aligned sentence covers.")
    sentence: str = Field(default="", description="The source sentence the statement was aligned with.")
    reasons: list[str] = Field(default_factory=list)
    anchors_ok: bool = Field(
        default=False,
        description="Every number, name, polarity, scope and cause of the statement agrees with the aligned "
        "sentence; only the share of shared words may fall short. The policy judge may entail only then.",
    )
    judge: str = "lexical"
    meaning: float | None = Field(
        default=None,
        description="Cosine of the statement with the aligned sentence, when the semantic signal was used.",
    )

    @property
    def entails(self) -> bool:
        return self.label == "entails"

    @property
    def contradicts(self) -> bool:
        return self.label == "contradicts"


Alignment = Literal["words", "meaning"]


class LexicalJudge:
    """The deterministic judge aligning by shared words only: the baseline the benchmarks compare against."""

    name = "lexical"
    aligned_by: Alignment = "words"

    def judge(self, statement: str, passage: str, title: str = "") -> Judgement:
        return judge(statement, passage, title, self.aligned_by)

    def judge_many(self, pairs: list[tuple[str, str, str]]) -> list[Judgement]:
        return [judge(*pair, self.aligned_by) for pair in pairs]

    def confirm(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """Disagreements found by `judge.disagreement` stand as found: there is no one else to ask."""
        return [True] * len(pairs)

    def judge_steps(self, pairs: list[tuple[str, str, str]]) -> Steps[list[Judgement]]:
        """`judge_many` as steps that ask for nothing, so nodes drive either judge the same way."""
        return returning(self.judge_many(pairs))

    def confirm_steps(self, pairs: list[tuple[str, str]]) -> Steps[list[bool]]:
        return returning(self.confirm(pairs))

    def bound(self, layout=None, config=None) -> LexicalJudge:
        """The same judge: it lays out no prompts and needs no config."""
        return self


class SemanticJudge(LexicalJudge):
    """The deterministic judge: aligned by meaning (`judge/semantic.py`), decided by the anchors.

    The default for a weak embedded policy and the guard under a capable one. Where the embedding model
    cannot load it aligns by words, and its verdicts say so."""

    name = "semantic"
    aligned_by: Alignment = "meaning"


@lru_cache(maxsize=50_000)
def judge(statement: str, passage: str, title: str = "", aligned_by: Alignment = "meaning") -> Judgement:
    """Entails, contradicts or neutral, with the aligned source sentence and the reasons.

    `aligned_by="meaning"` aligns the statement with source sentences by the semantic signal as well as by
    shared words; `"words"` by shared words alone."""
    statement = statement.strip()
    claim = analyse(statement)
    if not claim.content and not claim.quantities:
        return Judgement(label="neutral", coverage=0.0, reasons=["the statement has no content words"])
    sentences = source_sentences(passage, title)
    if not sentences:
        return Judgement(label="neutral", coverage=0.0, reasons=["the passage has no sentences"])
    bound = passage_bindings(passage, title)
    wanted = [t.keys for t in claim.content]
    shares = [
        sum(1 for keys in wanted if keys & (sentence.keys | context)) / len(wanted) if wanted else 1.0
        for sentence, context in sentences
    ]
    meanings = _meanings(statement, sentences, title, shares) if aligned_by == "meaning" else None
    verdicts = []
    for i, (sentence, context) in enumerate(sentences):
        meaning = meanings[i] if meanings else None
        shared = shares[i]
        close = meaning is not None and meaning >= SAME_THING_MEANING
        if shared < PREFILTER_COVERAGE and not claim.quantities and not close:
            verdicts.append(Judgement(label="neutral", coverage=round(shared, 4), sentence=sentence.text))
            continue
        elsewhere = tuple(b for j, group in enumerate(bound) if j != i for b in group)
        verdicts.append(_compare(claim, sentence, context, elsewhere, meaning))
    entailed = [v for v in verdicts if v.entails]
    if entailed:
        return max(entailed, key=lambda v: v.coverage)
    clauses = split_clauses(statement)
    if len(clauses) > 1:
        parts = [judge(clause, passage, title, aligned_by) for clause in clauses]
        if all(p.entails for p in parts):
            return Judgement(
                label="entails",
                coverage=min(p.coverage for p in parts),
                sentence=" ".join(dict.fromkeys(p.sentence for p in parts)),
                reasons=["entailed clause by clause"],
                anchors_ok=True,
            )
    contradicting = [v for v in verdicts if v.contradicts]
    if contradicting:
        return max(contradicting, key=lambda v: v.coverage)
    return max(verdicts, key=lambda v: (v.anchors_ok, v.coverage))


_APPOSITIVE = re.compile(r"^(?P<subject>[A-Z][^,]{0,60}?), (?P<apposition>(?:an?|the) [^,]{3,120}), (?P<rest>.+)$")


def split_clauses(statement: str) -> list[str]:
    """Independent clauses of a compound statement, each of at least `MIN_CLAUSE_WORDS` content words.

    An apposition is a clause of its own: "Fleming, a Scottish physician, shared the prize" states that
    Fleming was a Scottish physician and that Fleming shared the prize.
    """
    apposition = _APPOSITIVE.match(statement.strip())
    if apposition:
        subject = apposition.group("subject")
        return [f"{subject} was {apposition.group('apposition')}"] + split_clauses(
            f"{subject} {apposition.group('rest')}"
        )
    pieces = [p.strip(" ,.") for p in _CLAUSE_SPLIT.split(statement) if p and p.strip(" ,.")]
    if len(pieces) < 2 or any(_claim_words(p) < MIN_CLAUSE_WORDS for p in pieces):
        return [statement]
    return pieces


def _claim_words(text: str) -> int:
    analysis = analyse(text)
    return len(analysis.content) + len(analysis.quantities)


@lru_cache(maxsize=5_000)
def source_sentences(passage: str, title: str = "") -> tuple[tuple[Analysis, frozenset[str]], ...]:
    """Each sentence of the passage with its context keys: the title, and the lead sentence's subject
    when a later sentence continues it with a pronoun ("He shared the prize ...")."""
    title_keys: set[str] = set()
    if title:
        for token in analyse(title).tokens:
            if not token.stop:
                title_keys |= token.keys
    out = []
    lead_subject: set[str] = set()
    for index, text in enumerate(split_sentences(passage)):
        sentence = analyse(text)
        if index == 0:
            for position in _subject_positions(sentence, frozenset()):
                lead_subject |= sentence.tokens[position].keys
        context = set(title_keys)
        first = sentence.tokens[0].surface.lower() if sentence.tokens else ""
        if index > 0 and first in lexicon.CONTINUING_PRONOUNS:
            context |= lead_subject
        out.append((sentence, frozenset(context)))
    return tuple(out)


def _meanings(
    statement: str, sentences: tuple[tuple[Analysis, frozenset[str]], ...], title: str, shares: list[float]
) -> list[float | None] | None:
    """The statement's cosine with each source sentence that shares at least `MEANING_CANDIDATE_SHARE` of
    its words (None for the others: embedding every sentence of every source costs seconds a run, and a
    paraphrase keeps some words: its names, its numbers). The title leads each sentence, as a reader knows
    what the article is about ("He shared the prize" is about its subject). None when the model is
    unavailable."""
    from .semantic import SemanticUnavailable, signal

    wanted = [i for i, share in enumerate(shares) if share >= MEANING_CANDIDATE_SHARE]
    out: list[float | None] = [None] * len(sentences)
    if not wanted:
        return out
    texts = [f"{title}: {sentences[i][0].text}" if title else sentences[i][0].text for i in wanted]
    try:
        for i, value in zip(wanted, signal().similarities(statement, texts)):
            out[i] = value
    except SemanticUnavailable:
        return None
    return out


def _compare(
    claim: Analysis,
    source: Analysis,
    context: frozenset[str],
    elsewhere: tuple[tuple[Quantity, frozenset[str]], ...],
    meaning: float | None = None,
) -> Judgement:
    source_keys = source.keys | context
    content = claim.content
    covered = [t for t in content if t.keys & source_keys]
    coverage = len(covered) / len(content) if content else 1.0
    unsupported: list[str] = []
    conflicts: list[str] = []

    name_keys = set(context)
    for token in source.tokens:
        if token.capitalised:
            name_keys |= token.keys
    cjk_names = [t.surface for t in source.tokens if t.capitalised and has_cjk(t.surface)]
    for token in claim.names:  # a name must be a name there too: "South Carolina" is not "south of"
        # A Chinese name stands inside a longer one of the source: "柳溪" in "柳溪镇".
        if not token.keys & name_keys and not any(
            token.surface in name for name in cjk_names if has_cjk(token.surface)
        ):
            unsupported.append(f"name {token.surface!r} is not in the source sentence")

    matched_quantities: dict[int, list[Quantity]] = {}
    conflicting_kinds: set[str] = set()
    for quantity in claim.quantities:
        found = [q for q in source.quantities if quantity.matches(q)]
        if found:
            matched_quantities[quantity.position] = found
            continue
        rivals = [q for q in source.quantities if quantity.comparable(q)]
        word = claim.tokens[quantity.position].surface
        if rivals and not any(quantity.within(q) for q in rivals) and not _names_its_subject(claim, quantity):
            stated = ", ".join(source.tokens[q.position].surface for q in rivals[:2])
            conflicts.append(f"{word} where the source says {stated}")
            conflicting_kinds.add("date" if quantity.is_date else quantity.kind)
        else:
            unsupported.append(f"{word} is not in the source sentence")
    unmatched_families = {
        "date" if q.is_date else "amount"
        for q in claim.quantities
        if q.position not in matched_quantities and q.kind not in ("ordinal", "day", "month")
    }
    source_unmatched = {
        "date" if q.is_date else "amount"
        for q in source.quantities
        if q.kind not in ("ordinal", "day", "month") and not any(c.matches(q) or q.matches(c) for c in claim.quantities)
    }
    other_subject = any(_names_its_subject(claim, q) for q in claim.quantities if q.position not in matched_quantities)
    if len(conflicting_kinds) > 1 or len(unmatched_families & source_unmatched) > 1 or other_subject:
        # Another date and another count at once: another point in time ("12,000 in 1800" against
        # "31,000 in 1900"); or another ordinal in the subject ("the second lighthouse"): another thing.
        # Either way not the same fact told wrongly.
        unsupported.append("it is about another fact or another thing than the source sentence")
        conflicts = [c for c in conflicts if " where the source says " not in c]

    span = _aligned_span(claim, source, covered, matched_quantities)
    conflicts += _polarity_conflicts(claim, source, span)
    conflicts += _reversed_order(claim, source, context)
    conflicts += _substituted_members(claim, source, source_keys)
    all_source_keys = set(context)
    for token in source.tokens:
        all_source_keys |= token.keys
    for token in claim.tokens:
        if is_scope(token) and not token.keys & all_source_keys:
            unsupported.append(f"{token.surface!r} widens what the source says")
        elif _is_superlative(token) and not token.keys & all_source_keys:
            unsupported.append(f"{token.surface!r} ranks what the source sentence does not")
    if causal_positions(claim) and not causal_positions(source):
        unsupported.append("the statement asserts a cause the source sentence does not")
    unsupported += _unstated_relation(claim, source)
    unsupported += _unstated_cause(claim, source_keys)
    unsupported += _dropped_qualifiers(claim, source)
    # A word bound to another fact is grounds to withhold support, not proof the statement is false: the
    # clause boundaries it reads are approximate ("a granite tower that Hale drew up" against "Hale designed
    # the tower, which is built of granite").
    unsupported += _binding_violations(claim, source, context, matched_quantities, elsewhere)

    sentence = source.text
    anchor_words = {q.position for q in claim.quantities} | set(claim.name_positions)
    plain = [t for t in content if t.position not in anchor_words]
    plain_coverage = (sum(1 for t in plain if t.keys & source_keys) / len(plain)) if plain else coverage
    agent = _agent(claim)
    if agent is not None and not agent.keys & source_keys:
        unsupported.append(f"the source sentence does not say it was done by {agent.surface!r}")
    anchors_ok = not unsupported and not conflicts
    needed = ENTAIL_COVERAGE if len(content) >= SHORT_STATEMENT else SHORT_COVERAGE
    close = meaning is not None and meaning >= ALIGNED_MEANING
    meant = round(meaning, 4) if meaning is not None else None
    if (coverage >= needed or close) and anchors_ok:
        reasons = [] if coverage >= needed else [f"aligned by meaning ({meaning:.2f}) rather than by words"]
        return Judgement(
            label="entails", coverage=round(coverage, 4), sentence=sentence, anchors_ok=True, reasons=reasons,
            meaning=meant,
        )  # fmt: skip
    missing_names = any(r.startswith("name ") for r in unsupported)
    # About the same thing by words only: e5-small scores "the mill was built in N" against "the mill burned
    # down in N" at 0.96, so closeness in meaning would turn two events into a contradiction.
    same_thing = plain_coverage >= CONTRADICT_COVERAGE
    if conflicts and same_thing and not missing_names:
        return Judgement(
            label="contradicts", coverage=round(coverage, 4), sentence=sentence, reasons=conflicts, meaning=meant
        )
    reasons = unsupported + conflicts
    if coverage < needed and not close:
        reasons.append(f"only {coverage:.0%} of its words are in the source sentence")
    return Judgement(
        label="neutral", coverage=round(coverage, 4), sentence=sentence, reasons=reasons, anchors_ok=anchors_ok,
        meaning=meant,
    )  # fmt: skip


def _agent(claim: Analysis) -> Token | None:
    """Who or what did it, in a passive statement: the first content word after "by" ("started by a comet")."""
    numeric = claim.numeric
    for i, token in enumerate(claim.tokens[:-1]):
        if token.surface.lower() != "by":
            continue
        for later in claim.tokens[i + 1 : i + 4]:
            if later.position in numeric:
                break
            if not later.stop and not later.negation:
                return later
    return None


def _names_its_subject(claim: Analysis, quantity: Quantity) -> bool:
    """An ordinal in the opening words names which one the statement is about ("The second lighthouse
    was lit in 1904"): a different ordinal there is a different thing, not a contradiction."""
    return quantity.kind == "ordinal" and quantity.position <= SUBJECT_ORDINAL_REACH


def _aligned_span(
    claim: Analysis, source: Analysis, covered: list[Token], matched: dict[int, list[Quantity]]
) -> tuple[int, int]:
    """The stretch of the source sentence that the statement's words were found in."""
    wanted: set[str] = set()
    for token in covered:
        wanted |= token.keys
    positions = [t.position for t in source.tokens if not t.stop and t.keys & wanted]
    positions += [q.position for found in matched.values() for q in found]
    if not positions:
        return 0, len(source.tokens)
    return max(0, min(positions) - NEGATION_MARGIN), max(positions) + 1 + NEGATION_MARGIN


def _polarity_conflicts(claim: Analysis, source: Analysis, span: tuple[int, int]) -> list[str]:
    out = []
    # Only negations that deny something both sentences speak of count: "have no symptoms" says nothing
    # against "500 million people had been infected".
    claim_denied = [t for t in denials(claim) if t.keys & source.keys]
    source_denied = [t for t in denials(source, *span) if t.keys & claim.keys]
    if _negated_comparative(claim, source):
        # "no bridge was longer" states what "the longest bridge" does: the denial is the superlative's.
        claim_denied = claim_denied[1:]
    if len(claim_denied) % 2 != len(source_denied) % 2:
        out.append("one says 'not' where the other does not")
    return out + _opposites(claim, source, span)


def _negated_comparative(claim: Analysis, source: Analysis) -> bool:
    """The statement denies a comparative ("none larger", "no other ... longer", "nothing more") and the
    source has that word's superlative ("the largest"): the same rank, told the other way round."""
    if not denials(claim):
        return False
    comparatives = {_degree_base(t.surface.lower(), "er") for t in claim.tokens} - {None}
    superlatives = {_degree_base(t.surface.lower(), "est") for t in source.tokens} - {None}
    if any(t.surface.lower() == "more" for t in claim.tokens) and any(
        t.surface.lower() == "most" for t in source.tokens
    ):
        return True
    return bool(comparatives & superlatives)


def _degree_base(word: str, ending: str) -> str | None:
    """The base of a comparative or superlative by its ending ("larger", "largest" -> "larg"; "bigger" ->
    "big"), or None. Only the pair is compared, so a word that merely ends alike ("forest") matches nothing."""
    if not word.endswith(ending) or len(word) < len(ending) + 3:
        return None
    base = word[: -len(ending)]
    if len(base) > 2 and base[-1] == base[-2]:
        base = base[:-1]
    return base.rstrip("e") if base.endswith("e") else base


def _opposites(claim: Analysis, source: Analysis, span: tuple[int, int]) -> list[str]:
    """Antonyms and negating prefixes of the statement's words inside the aligned stretch."""
    out: list[str] = []
    window = source.tokens[span[0] : span[1]]
    window_stems = {t.stem for t in window}
    plain_stems = {t.stem for t in window if t.position not in source.name_positions}
    claim_stems = claim.stems()
    opposite = antonyms()
    for token in claim.content:
        if token.stem in plain_stems or (token.stem in window_stems and token.capitalised):
            continue  # "north" is not stated by "North Carolina"
        for other in opposite.get(token.stem, ()):
            if other in window_stems and other not in claim_stems:
                out.append(f"{token.surface!r} where the source has its opposite")
                break
        else:
            rival = _prefix_opposite(token.stem, window_stems, claim_stems)
            if rival:
                out.append(f"{token.surface!r} where the source has {rival!r}")
    return out


def _prefix_opposite(stem: str, window_stems: set[str], claim_stems: set[str]) -> str | None:
    """'unsuccessful' against 'successful', or the other way round."""
    for prefix in lexicon.NEGATING_PREFIXES:
        rest = stem[len(prefix) :]
        if stem.startswith(prefix) and len(rest) >= lexicon.MIN_PREFIX_STEM and rest in window_stems:
            return rest
        longer = prefix + stem
        if len(stem) >= lexicon.MIN_PREFIX_STEM and longer in window_stems and longer not in claim_stems:
            return longer
    return None


def _binding_violations(
    claim: Analysis,
    source: Analysis,
    context: frozenset[str],
    matched: dict[int, list[Quantity]],
    elsewhere: tuple[tuple[Quantity, frozenset[str]], ...],
) -> list[str]:
    """Words bound to an anchor in the statement must be bound to the same anchor in the source.

    A word next to an anchor that the source uses only in another sentence was borrowed from another
    fact ("the 1903 prize in chemistry", when chemistry is the 1911 prize's): that is a violation too.
    """
    subject = _subject_positions(claim, context)
    anchors: list[tuple[Token, list[int], list[int], bool]] = []  # anchor, own places, rival places, names bind
    for quantity in claim.quantities:
        if quantity.position in matched:
            own = [q.position for q in matched[quantity.position]]
            rivals = [
                q.position
                for q in source.quantities
                if quantity.comparable(q) and not any(c.matches(q) for c in claim.quantities)
            ]
            anchors.append((claim.tokens[quantity.position], own, rivals, True))
    for token in claim.names:
        # Names are untyped (a person, a prize, a place), so no other name is a rival: a name's words
        # need only stand in its phrase in the source, near it.
        own = [t.position for t in source.names if t.keys & token.keys]
        if token.position not in subject and own and not token.keys & context:
            anchors.append((token, own, [], False))
    # A causal word joins two clauses ("moved in 1903 because the cellars flooded"): its place in the source
    # covers the clause it opens and the one it closes, so both the effect and the cause can bind to it.
    source_causes = [p for c in causal_positions(source) for p in (c, c - 1) if p >= 0]
    for position in causal_positions(claim):
        if source_causes:
            anchors.append((claim.tokens[position], source_causes, [], True))
    out = []
    claim_quantities = {q.position: q for q in claim.quantities}
    source_subject = _subject_positions(source, frozenset())
    # The article's own subject stands beside everything it says: binding it to an anchor tells nothing.
    title_words = {t.position for t in claim.names if t.keys & context}
    for anchor, own, rivals, names_bind in anchors:
        quantity = claim_quantities.get(anchor.position)
        if quantity is not None and _opens_sentence(claim, anchor.position):
            # "In 1776 the Scottish inventor James Watt improved ...": an opening date sets the scene for the
            # whole clause, not for the words beside it; only words borrowed from another date are checked.
            scene_setting = True
        else:
            scene_setting = False
        unbound = []
        for neighbour in _neighbours(claim, anchor, names_bind, subject | title_words):
            occurrences = [
                t for t in source.tokens if not t.stop and t.keys & neighbour.keys and t.position not in source_subject
            ]
            borrowed = quantity is not None and any(
                quantity.comparable(other) and not quantity.matches(other) and neighbour.keys & keys
                for other, keys in elsewhere
            )
            if not occurrences and borrowed and not neighbour.keys & context:
                out.append(
                    f"{neighbour.surface!r} goes with {anchor.surface!r} here, but with another fact in the source"
                )
                break
            limit = MAX_SOURCE_DISTANCE if names_bind else len(source.tokens)
            if occurrences and not scene_setting:
                unbound.append((neighbour, any(_bound(o, own, rivals, source, limit) for o in occurrences)))
        failed = [n for n, bound in unbound if not bound]
        if failed:
            out.append(f"{failed[0].surface!r} goes with {anchor.surface!r} here, but not in the source")
        elif rivals and not scene_setting:
            nearer = _nearer_to_rival(claim, source, anchor, own, rivals, subject | title_words)
            if nearer is not None:
                out.append(f"{nearer.surface!r} goes with another value than {anchor.surface!r} in the source")
    source_keys = source.keys | context
    for token in claim.content:
        if token.keys & source_keys:
            continue
        for quantity in claim.quantities:
            if quantity.position in matched and any(
                quantity.comparable(other) and not quantity.matches(other) and token.keys & keys
                for other, keys in elsewhere
            ):
                out.append(f"{token.surface!r} belongs to another fact of the source than {quantity.value:g}")
                break
    return out


def _opens_sentence(claim: Analysis, position: int) -> bool:
    """The quantity sits in an opening phrase: "In 1776 ...", "On 26 April 1986, ..."."""
    return all(t.stop or t.position in claim.numeric for t in claim.tokens[:position])


def _neighbours(claim: Analysis, anchor: Token, names_bind: bool, subject: set[int]) -> list[Token]:
    """Content words within `BIND_WINDOW` tokens of the anchor, in its comma-delimited stretch and its clause
    (a causal word's neighbours are on both sides of the clauses it joins)."""
    numeric = claim.numeric
    causal = anchor.position in causal_positions(claim)
    out = []
    for token in claim.content:
        if token.chunk != anchor.chunk or token.position in numeric or token.position in subject:
            continue
        if token.clause != anchor.clause and not causal:
            continue
        if token.keys & anchor.keys:
            continue
        if not 0 < abs(token.position - anchor.position) <= BIND_WINDOW:
            continue
        if token.position in claim.name_positions and not names_bind:
            continue
        out.append(token)
    return out


def _nearer_to_rival(
    claim: Analysis, source: Analysis, anchor: Token, own: list[int], rivals: list[int], skip: set[int]
) -> Token | None:
    """A word of the anchor's clause that the source binds to a rival value: "a gold medal ... in 1851" when
    the source has "a silver medal ... in 1851 and a gold medal in 1867"."""
    numeric = claim.numeric
    for token in claim.content:
        if token.clause != anchor.clause or token.chunk != anchor.chunk or token.position in numeric | skip:
            continue
        places = [
            (o, min(_reach(source, o.position, p) for p in own if source.same_phrase(p, o.position)))
            for o in source.tokens
            if not o.stop and o.keys & token.keys and any(source.same_phrase(p, o.position) for p in own)
        ]
        if places and all(
            any(source.same_phrase(r, o.position) and _reach(source, o.position, r) < distance for r in rivals)
            for o, distance in places
        ):
            return token
    return None


def _reach(source: Analysis, word: int, anchor: int) -> float:
    """How far a word is from an anchor, for deciding which of two anchors it goes with: tokens between
    them, more across a comma ("on the Moon, and the fifth mission"), and a little less for an anchor after
    the word, since "a gold medal in 1867" attaches the year to what precedes it; a word in a relative
    clause is nearest of all to the word the clause describes."""
    heads = dict(source.antecedents)
    head = heads.get(source.tokens[word].clause)
    if head is not None and abs(head - anchor) <= 1:
        return 1.0  # a relative clause describes the word it follows: "the Flyer II, which made ..."
    distance = abs(anchor - word) + (CHUNK_PENALTY if source.tokens[anchor].chunk != source.tokens[word].chunk else 0)
    return distance - (FOLLOWING_BIAS if anchor > word else 0)


def _bound(occurrence: Token, own: list[int], rivals: list[int], source: Analysis, limit: int) -> bool:
    """The word stands in the anchor's clause, near it, and no nearer to a rival anchor."""
    for place in own:
        if not source.same_phrase(place, occurrence.position) or abs(place - occurrence.position) > limit:
            continue
        distance = _reach(source, occurrence.position, place)
        near_rivals = [r for r in rivals if r != occurrence.position and source.same_phrase(r, occurrence.position)]
        if all(_reach(source, occurrence.position, r) >= distance for r in near_rivals):
            return True
    return False


def _unstated_cause(claim: Analysis, source_keys: set[str]) -> list[str]:
    """Both sides of a causal claim must be in the source sentence: "droplets caused the plague" needs droplets."""
    out = []
    for position in causal_positions(claim):
        clause = claim.tokens[position].clause
        sides = (
            [t for t in claim.content if t.clause == clause and t.position < position],
            [t for t in claim.content if t.clause == clause and t.position > position],
        )
        for side in sides:
            if side and not any(t.keys & source_keys for t in side):
                out.append(f"the source sentence does not name {' '.join(t.surface for t in side)!r} in this cause")
    return out


@lru_cache(maxsize=5_000)
def passage_bindings(passage: str, title: str = "") -> tuple[tuple[tuple[Quantity, frozenset[str]], ...], ...]:
    """For each sentence of the passage, its quantities with the words bound to them there."""
    return tuple(tuple(_bound_words(sentence)) for sentence, _ in source_sentences(passage, title))


def _bound_words(sentence: Analysis) -> list[tuple[Quantity, frozenset[str]]]:
    """Each quantity of a sentence with the keys of the words bound to it there."""
    out = []
    for quantity in sentence.quantities:
        keys: set[str] = set()
        for token in sentence.content:
            if (
                token.chunk == sentence.tokens[quantity.position].chunk
                and 0 < abs(token.position - quantity.position) <= BIND_WINDOW
            ):
                keys |= token.keys
        out.append((quantity, frozenset(keys)))
    return out


def _dropped_qualifiers(claim: Analysis, source: Analysis) -> list[str]:
    """The claim drops what restricts a superlative or a scope word of the source.

    'the most populous' where the source says 'the third-most populous' drops a rank; 'the only
    disease' where the source says 'the only human disease' drops a restriction. Either widens the
    claim. One occurrence in the source that the claim restates whole is enough.
    """
    claim_keys = claim.keys | {k for t in claim.tokens for k in t.keys}
    claim_stems = claim.stems()
    tokens = source.tokens
    ranks = {q.position: q for q in source.quantities if q.kind == "ordinal"}
    dropped: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if not (is_scope(token) or _is_superlative(token)) or token.stem not in claim_stems:
            continue
        rank = ranks.get(i - 1)
        if rank is not None and not any(q.matches(rank) for q in claim.quantities):
            dropped.setdefault(token.stem, f"drops the source's rank {tokens[i - 1].surface!r}")
            continue
        skipped = []
        for later in tokens[i + 1 : i + 4]:
            if later.keys & claim_keys:
                break
            if not later.stop and not later.capitalised and later.position not in source.numeric:
                skipped.append(later.surface)
        else:
            continue  # nothing of the claim follows: this is not the phrase the claim restates
        if not skipped:
            dropped[token.stem] = ""
        elif dropped.get(token.stem) != "":
            dropped[token.stem] = f"drops the source's restriction {' '.join(skipped)!r} after {token.surface!r}"
    return [reason for reason in dropped.values() if reason]


def _is_superlative(token: Token) -> bool:
    word = token.surface.lower()
    return word in ("most", "least") or (word.endswith("est") and len(word) > 5 and not token.capitalised)


def _unstated_relation(claim: Analysis, source: Analysis) -> list[str]:
    """A comparison ("larger than") or an order in time ("before", "later") that the source sentence does
    not state in any form. Like a cause, a relation between two things is a claim of its own: the source
    must at least relate them (a comparative, a superlative or rank; an ordering word or two dates), or the
    statement adds it. Which way round is `_reversed_order`'s and the anchors' to check."""
    out = []
    claim_words = [t.surface.lower() for t in claim.tokens]
    source_words = [t.surface.lower() for t in source.tokens]
    if _compares(claim) and not (_compares(source) or _ranks(source)):
        out.append("the statement compares what the source sentence does not")
    if set(claim_words) & lexicon.TIME_ORDER_WORDS and not (
        set(source_words) & (lexicon.TIME_ORDER_WORDS | lexicon.ORDERING_WORDS)
        or sum(1 for q in source.quantities if q.is_date) >= 2
    ):
        out.append("the statement orders in time what the source sentence does not")
    return out


def _compares(analysis: Analysis) -> bool:
    """A comparison: "than", unless a number follows it ("more than 100 lives" is a hedged number)."""
    numeric = analysis.numeric
    tokens = analysis.tokens
    return any(
        t.surface.lower() == "than" and not (i + 1 < len(tokens) and tokens[i + 1].position in numeric)
        for i, t in enumerate(tokens)
    )


def _ranks(source: Analysis) -> bool:
    """A superlative or a rank ("the largest", "the most", "second largest")."""
    return any(_is_superlative(t) for t in source.tokens) or any(q.kind == "ordinal" for q in source.quantities)


def _reversed_order(claim: Analysis, source: Analysis, context: frozenset[str]) -> list[str]:
    """'A before B' against 'B before A': the names on each side of an ordering word must stay there."""
    out = []
    for word in lexicon.ORDERING_WORDS:
        here = [t for t in claim.tokens if t.surface.lower() == word]
        there = [t for t in source.tokens if t.surface.lower() == word]
        if not here or not there:
            continue
        pivot, other = here[0], there[0]
        before = _name_keys(claim, claim.tokens[: pivot.position], pivot.clause)
        after = _name_keys(claim, claim.tokens[pivot.position + 1 :], pivot.clause)
        source_before = _name_keys(source, source.tokens[: other.position], other.clause) | (
            context if not before & context else set()
        )
        source_after = _name_keys(source, source.tokens[other.position + 1 :], other.clause)
        if (before & source_after and not before & source_before) or (
            after & source_before and not after & source_after
        ):
            out.append(f"the order around {word!r} is reversed")
    return out


def _name_keys(analysis: Analysis, tokens: tuple[Token, ...] | list[Token], clause: int) -> set[str]:
    keys: set[str] = set()
    for token in tokens:
        if token.position in analysis.name_positions or (
            token.sentence_initial and token.capitalised and not token.stop
        ):
            keys.add(token.stem)
    return keys


def _substituted_members(claim: Analysis, source: Analysis, source_keys: set[str]) -> list[str]:
    """'smallpox and anthrax' where the source lists 'rabies and anthrax': one member swapped for another."""
    out = []
    claim_keys = claim.keys
    for i, token in enumerate(claim.tokens):
        if token.stop or token.keys & source_keys or i + 2 >= len(claim.tokens) or i in claim.numeric:
            continue
        link, sibling = claim.tokens[i + 1], claim.tokens[i + 2]
        if link.surface.lower() not in ("and", "or") or not sibling.keys & source_keys:
            continue
        for j, other in enumerate(source.tokens[2:], start=2):
            if other.keys & sibling.keys and source.tokens[j - 1].surface.lower() == link.surface.lower():
                replaced = source.tokens[j - 2]
                if not replaced.stop and not replaced.keys & claim_keys:
                    out.append(f"{token.surface!r} where the source lists {replaced.surface!r}")
                    break
    return out


def _subject_positions(claim: Analysis, context: frozenset[str]) -> set[int]:
    """The statement's opening run of name words: its usual grammatical subject.

    The run counts only if no other content word comes before it: in "Gutenberg invented the press in
    East Asia", East Asia is a place the sentence asserts, not its subject."""
    out: set[int] = set()
    names = sorted(claim.name_positions)
    numeric = {q.position for q in claim.quantities}
    first = claim.tokens[0] if claim.tokens else None
    if first is not None and first.capitalised and not first.stop and 0 not in numeric:
        out.add(0)  # "Darwin was buried ...": a capitalised opening word is the subject, name or not
    leading_word = (
        any(not t.stop and not t.negation and t.position not in numeric for t in claim.tokens[: names[0]])
        if names
        else True
    )
    if names and not leading_word:
        run = [names[0]]
        for position in names[1:]:
            if position == run[-1] + 1:
                run.append(position)
            else:
                break
        out.update(run)
    return out
