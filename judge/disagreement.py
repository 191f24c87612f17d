"""Do two statements, worded differently, disagree about the same thing?

"The Great Fire destroyed the old town in 1666" and "In 1667 a blaze swept
through the old quarter of Kelmar" share a name and little else. They are
aligned through what they share (names, event words with synonyms folded,
the words bound to their numbers) and then their anchors are compared: a
date or a count of the same kind that differs, or a flipped polarity.

Two statements that differ in more than one anchor are taken to be about
different things (the population in 1900 and the population in 1950), and
so are statements with different ordinals (the first fire and the second).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from . import lexicon
from .anchors import Analysis, Quantity, analyse, antonyms, denials

# Share of one statement's event words (content words other than numbers and the names both share) that
# the other must also use for the two to be about one event: a third, so that "the fire destroyed the old
# town" and "a blaze swept through the old quarter" align (fire~blaze, old) while "the fire destroyed the
# town" and "the town was granted a charter" (only "town") do not.
EVENT_OVERLAP = 0.34
# Or, by the semantic signal: two statements whose numbers are masked are this close in meaning (e5 cosine)
# tell one event, whatever words each uses ("the steamship sank off the cape with 212 lost" and "when it
# went down near the cape, 148 drowned"). The anchor rules below still decide whether they disagree.
# Chosen on the dev split of benchmarks/sets/contradictions: different events of one place sit near 0.91.
SAME_EVENT_MEANING = 0.94
# A judge that confirms each candidate (a capable policy) is shown more: two statements this close in
# meaning (numbers masked) whose counts differ, whatever each counts ("212 passengers and crew" against "148
# of the people aboard"). The anchors' gates on names and instances still apply; the policy decides.
CONFIRMABLE_EVENT_MEANING = 0.85
_NUMBER = re.compile(r"\d[\d,.]*")
# A name this many tokens from a number is what the number is about ("the Tidewater Symphony in 1931").
NAME_REACH = 4
# Share of event words two statements must share before a flipped negation counts as a disagreement:
# "reached the summit" and "never reached the summit" share all of theirs.
POLARITY_OVERLAP = 0.6


class Disagreement(BaseModel):
    """Two statements about one event or attribute that cannot both be true."""

    kind: Literal["date", "number", "polarity"]
    first: str
    second: str
    first_value: str = ""
    second_value: str = ""
    reason: str


def disagreement(
    first: str, second: str, first_title: str = "", second_title: str = "", *, confirmable: bool = False
) -> Disagreement | None:
    """The disagreement between two statements, or None when they agree or are about different things.

    `confirmable`: a judge will confirm each candidate (`Judge.confirm`), so candidates are found by meaning
    as well, down to `CONFIRMABLE_EVENT_MEANING`, with counts of different things compared."""
    a, b = analyse(first), analyse(second)
    a_names, b_names = _name_keys(a, first_title), _name_keys(b, second_title)
    shared = a_names & b_names
    if different_subjects(first, second, first_title, second_title):
        return None
    if _different_ordinals(a, b):
        return None
    closeness = _masked_meaning(first, second) if confirmable else None
    loose = closeness is not None and closeness >= CONFIRMABLE_EVENT_MEANING
    pairs = _differing_pairs(a, b, any_count=loose)
    if pairs:
        if _also_differs(a, b, pairs[0][0]) or _another_instance(a, b) or _another_instance(b, a):
            return None  # two points in time, or "a smaller flood": not one fact told two ways
        qa, qb = pairs[0]
        same_unit = not qa.is_date and bool(qa.unit) and bool(shared)  # "53 days" / "41 days" of one siege
        same_thing = bool(_bound_names(a, qa) & _bound_names(b, qb) & shared)  # "the Tidewater Symphony ... 1931"
        if (
            not (same_unit or same_thing)
            and _event_share(a, b, shared | _name_phrase_words(a, b, shared)) < EVENT_OVERLAP
            and not loose
            and not same_event(first, second)
        ):
            return None
        return Disagreement(
            kind="date" if qa.is_date else "number",
            first=first,
            second=second,
            first_value=a.tokens[qa.position].surface,
            second_value=b.tokens[qb.position].surface,
            reason=f"{a.tokens[qa.position].surface} against {b.tokens[qb.position].surface}",
        )
    if (shared or not (a_names or b_names)) and a.negations() % 2 != b.negations() % 2:
        if _event_share(a, b, frozenset()) >= POLARITY_OVERLAP and _denies_shared(a, b) and _denies_shared(b, a):
            return Disagreement(kind="polarity", first=first, second=second, reason="one denies what the other states")
    return None


def different_subjects(first: str, second: str, first_title: str = "", second_title: str = "") -> bool:
    """The two statements are about two things, read with their sources' titles (and openings) as context:
    their names differ; each names someone the other lacks ("Queen Isolde was crowned at Tarsk" and "King
    Aldric was crowned at Tarsk"); or they come from articles on two subjects and share no name of their
    own ("Extinction was global during this interval", from another extinction's article)."""
    a, b = analyse(first), analyse(second)
    a_names, b_names = _name_keys(a, first_title), _name_keys(b, second_title)
    shared = a_names & b_names
    if a_names and b_names and not shared:
        return True
    if _own_names(a, shared, first_title) and _own_names(b, shared, second_title):
        return True
    return _headings_differ(first_title, second_title) and not (_name_keys(a, "") & _name_keys(b, ""))


def corroborates(first: str, second: str, first_title: str = "", second_title: str = "") -> bool:
    """Two statements tell one event in their own words and agree on its date or number: "the bridge
    collapsed in 1894" and "the parish buried the bridge workers in the spring of 1894, after the
    crossing fell". The second is then another witness for the first, though it does not entail it."""
    a, b = analyse(first), analyse(second)
    a_names, b_names = _name_keys(a, first_title), _name_keys(b, second_title)
    shared = a_names & b_names
    if (a_names and b_names and not shared) or (
        _own_names(a, shared, first_title) and _own_names(b, shared, second_title)
    ):
        return False
    if _different_ordinals(a, b) or _another_instance(a, b) or _another_instance(b, a) or _differing_pairs(a, b):
        return False
    if a.negations() % 2 != b.negations() % 2:
        return False
    matching = [
        (qa, qb)
        for qa in a.quantities
        if qa.kind not in ("ordinal", "day", "month")
        for qb in b.quantities
        if qa.matches(qb) or qb.matches(qa)
    ]
    if not matching:
        return False
    excluded = shared | _name_phrase_words(a, b, shared)
    return (
        any(
            (not qa.is_date and bool(qa.unit) and bool(shared))
            or bool(_bound_names(a, qa) & _bound_names(b, qb) & shared)
            for qa, qb in matching
        )
        or _event_share(a, b, excluded) >= EVENT_OVERLAP
        or same_event(first, second)
    )


def sentence_context(title: str, sentences: list[str], index: int) -> str:
    """What sentence `index` of a source is about besides its own words: the title, and for a later sentence
    the opening one, which names the subject that sentence calls "it" or "the city" ("Constantinople fell to
    the Ottomans. The city fell on 29 May 1453"). Passed as the `*_title` of `disagreement`/`corroborates`."""
    if index == 0 or not sentences:
        return title
    return f"{title}. {sentences[0]}" if title else sentences[0]


def same_event(first: str, second: str) -> bool:
    """The two statements, numbers masked, are as close in meaning as one event told twice; False when the
    embedding model is unavailable (the word rules then decide alone)."""
    closeness = _masked_meaning(first, second)
    return closeness is not None and closeness >= SAME_EVENT_MEANING


def _masked_meaning(first: str, second: str) -> float | None:
    """Cosine of the two statements with their numbers masked, so the values in dispute do not count."""
    from .semantic import SemanticUnavailable, signal

    try:
        return signal().similarity(_NUMBER.sub("N", first), _NUMBER.sub("N", second))
    except SemanticUnavailable:
        return None


def _differing_pairs(a: Analysis, b: Analysis, any_count: bool = False) -> list[tuple[Quantity, Quantity]]:
    """Quantities of the same kind whose values differ, where neither statement also states the other's.
    `any_count`: two counts are compared whatever they count."""
    out = []
    for qa in a.quantities:
        if qa.kind in ("ordinal", "day", "month") or any(qa.matches(qb) or qb.matches(qa) for qb in b.quantities):
            continue
        for qb in b.quantities:
            alike = qa.comparable(qb) or (any_count and qa.kind == qb.kind == "count")
            if not alike or any(qb.matches(x) or x.matches(qb) for x in a.quantities):
                continue
            out.append((qa, qb))
            break
    return out


def _also_differs(a: Analysis, b: Analysis, quantity: Quantity) -> bool:
    """Besides the conflicting quantity, another of the other family (a date beside a count) differs too."""

    def unmatched(x: Analysis, y: Analysis) -> list[Quantity]:
        return [
            q
            for q in x.quantities
            if q.kind not in ("ordinal", "day", "month") and q.is_date != quantity.is_date
            and not any(q.matches(o) or o.matches(q) for o in y.quantities)
        ]  # fmt: skip

    return bool(unmatched(a, b)) and bool(unmatched(b, a))


def _event_share(a: Analysis, b: Analysis, shared_names: frozenset[str] | set[str]) -> float:
    """Share of one statement's event words (content words other than numbers and the shared names) that
    the other also uses, synonyms folded; the larger of the two directions."""

    def keys(analysis: Analysis) -> list[frozenset[str]]:
        numeric = analysis.numeric
        return [t.keys for t in analysis.content if t.position not in numeric and not t.keys & shared_names]

    ka, kb = keys(a), keys(b)
    if not ka or not kb:
        return 0.0
    all_a, all_b = set().union(*ka), set().union(*kb)
    return max(sum(1 for k in ka if k & all_b) / len(ka), sum(1 for k in kb if k & all_a) / len(kb))


def _denies_shared(a: Analysis, b: Analysis) -> bool:
    """Each negation of `a` denies something `b` says ("never reached the summit" against "reached the
    summit"; not "have no symptoms" against "infected")."""
    return all(token.keys & b.keys for token in denials(a))


def _another_instance(a: Analysis, b: Analysis) -> bool:
    """'A smaller flood', 'another fire', 'her first opera', 'the west wing' against 'the east wing': a marks
    its thing as one of several, which b does not. An ordinal before a verb ("first identified") marks a
    time, not a thing, and does not count."""
    b_keys = b.keys
    b_stems = b.stems()
    a_stems = a.stems()
    opposite = antonyms()
    for token in a.content:  # "the east wing" and "the west wing"
        if any(o in b_stems and o not in a_stems for o in opposite.get(token.stem, ())) and token.stem not in b_stems:
            return True
    b_ordinals = [q for q in b.quantities if q.kind == "ordinal"]
    for i, token in enumerate(a.tokens[:-1]):
        following = a.tokens[i + 1]
        if token.surface.lower() in lexicon.OTHER_INSTANCE_WORDS and following.keys & b_keys:
            return True
        ordinal = next((q for q in a.quantities if q.kind == "ordinal" and q.position == i), None)
        if ordinal is not None and not following.stop and not following.surface.lower().endswith("ed"):
            if not any(ordinal.matches(q) for q in b_ordinals):
                return True
    return False


def _bound_names(analysis: Analysis, quantity: Quantity) -> set[str]:
    """Keys of the names within a few words of a quantity: what it is the date or number of."""
    keys: set[str] = set()
    for token in analysis.names:
        if (
            0 < abs(token.position - quantity.position) <= NAME_REACH
            and token.clause == analysis.tokens[quantity.position].clause
        ):
            keys |= token.keys
    return keys


def _name_phrase_words(a: Analysis, b: Analysis, shared: set[str]) -> set[str]:
    """Words that stand beside a shared name in both statements ("Merrow viaduct"): part of the name, not
    of the event, so "the viaduct opened" and "the viaduct was repainted" share no event word."""

    def beside(analysis: Analysis) -> set[str]:
        stems: set[str] = set()
        for token in analysis.names:
            if token.keys & shared:
                for near in (token.position - 1, token.position + 1):
                    if 0 <= near < len(analysis.tokens) and not analysis.tokens[near].stop:
                        stems.add(analysis.tokens[near].stem)
        return stems

    return beside(a) & beside(b)


def _own_names(analysis: Analysis, shared: set[str], title: str = "") -> bool:
    """A name the other statement lacks: in the text (a sentence-opening word only when a name follows it,
    "Ravel Castle"), or in the title of its source ("She won the 1911 prize", from the article on Marie
    Curie, is about Curie, not about Pauling; a title counts only for a statement that opens with a
    pronoun, whose subject the title supplies)."""
    if any(not t.keys & shared for t in analysis.names):
        return True
    title_keys = {k for t in analyse(title).tokens if t.capitalised and not t.stop for k in t.keys} if title else set()
    first = analysis.tokens[0] if analysis.tokens else None
    if first is not None and first.capitalised and first.keys & title_keys and not first.keys & shared:
        return True  # "Hollis won the prize", from the article on Tom Hollis: the opening word is a name
    opens_with_pronoun = bool(analysis.tokens) and analysis.tokens[0].surface.lower() in lexicon.CONTINUING_PRONOUNS
    return (
        (opens_with_pronoun or _describes_title(analysis, title))
        and bool(title)
        and any(token.capitalised and not token.stop and not token.keys & shared for token in analyse(title).tokens)
    )


def _describes_title(analysis: Analysis, title: str) -> bool:
    """The statement opens on a definite description of its source's subject ("The lighthouse was first lit",
    from the article "Tarn Lighthouse"): like a pronoun, it takes its subject from the title."""
    tokens = analysis.tokens
    if len(tokens) < 2 or tokens[0].surface.lower() != "the" or tokens[1].capitalised or not title:
        return False
    heading = title.split(". ")[0]  # the title itself, not the opening sentence that may follow it
    return bool(tokens[1].keys & {k for t in analyse(heading).tokens for k in t.keys})


def _name_keys(analysis: Analysis, title: str) -> set[str]:
    """Names, with a capitalised opening word counted as one: "Isolde's coronation" names Isolde. A name is
    matched by its own form, never through a synonym group ("Mount McKinley" does not name "Mountain")."""
    keys: set[str] = set()
    for token in analysis.tokens:
        opening = token.sentence_initial and token.capitalised and not token.stop
        if token.position in analysis.name_positions or opening:
            keys |= _own_form(token.keys)
    if title:
        for token in analyse(title).tokens:
            if token.capitalised and not token.stop:
                keys |= _own_form(token.keys)
    return keys


def _own_form(keys: frozenset[str]) -> set[str]:
    """A token's keys without its synonym groups' (`#`-prefixed) keys, and without a lone letter's (the "F"
    of "°F" is a unit, not a name)."""
    return {k for k in keys if not k.startswith("#") and len(k) > 1}


def _headings_differ(first_title: str, second_title: str) -> bool:
    """Both sources have a title, and each title names something the other does not: every sentence of a
    summary is about its article's subject, so two sentences that share no name of their own are about two
    subjects ("Extinction was global during this interval", from another extinction's article)."""
    if not first_title or not second_title:
        return False
    a, b = (_name_keys(analyse(t.split(". ")[0]), "") for t in (first_title, second_title))
    return bool(a - b) and bool(b - a)


def _different_ordinals(a: Analysis, b: Analysis) -> bool:
    first = [q for q in a.quantities if q.kind == "ordinal"]
    second = [q for q in b.quantities if q.kind == "ordinal"]
    return bool(first and second) and not any(x.matches(y) for x in first for y in second)
