"""Reading a sentence into positioned tokens and anchors.

An anchor is a part of a sentence that a faithful restatement must keep:
a quantity (year, decade, century, percentage, count with its unit,
ordinal), a name, and the sentence's polarity, scope and causal words.
Every token keeps its position and its clause, because an anchor is only
as good as what it is bound to: "the 1911 prize in physics" is wrong when
the source's 1911 prize is in chemistry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from stepresearch.text import STOPWORDS, stem_word

from . import lexicon

_TOKEN = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th|s)?)(?![\w])"
    r"|(?P<word>[^\W\d_](?:[\w']*[^\W_])?)"
    r"|(?P<pct>%)"
    r"|(?P<cut>;|(?<=\s)[\u2013\u2014](?=\s)|[,:]|\.(?=\s|$))"
)
# Hedges on a number say how exact it is, not what happened: they are not content to be matched.
HEDGE_WORDS = frozenset("approximately roughly nearly almost circa estimated around about".split())
RELATIVE_PRONOUNS = frozenset({"which", "who", "whom", "whose"})
# Suffixes that make a noun, an agent or a superlative: "discovery", "inventor", "survival", "highest" also
# key as their root.
DERIVATIONAL_SUFFIXES = ("y", "er", "or", "al", "ist", "ian", "est")
MIN_DERIVED_ROOT = 4
TEMPORAL_PREPOSITIONS = frozenset(
    "in by since until till from to of after before during around circa c ca early late mid".split()
)


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str  # year | decade | century | percent | ordinal | count | day
    unit: str = ""  # for counts: the stem of the word after the number ("day", "peopl")
    hedged: bool = False
    position: int = 0
    span: tuple[int, ...] = ()  # every token of the quantity: "500", "million", and the counted word

    def matches(self, other: Quantity) -> bool:
        """Whether `other` (from a source) states this quantity, allowing for rounding and coarser dates."""
        if self.kind == "year" and other.kind == "year":
            return self.value == other.value
        if self.kind == "decade" and other.kind in ("year", "decade"):
            return other.value - other.value % 10 == self.value
        if self.kind == "century" and other.kind in ("year", "decade", "century"):
            if other.kind == "century":
                return other.value == self.value
            return (self.value - 1) * 100 < other.value <= self.value * 100
        if self.kind != other.kind:
            return False
        if self.kind == "ordinal":
            return self.value == other.value
        if other.value == 0:
            return self.value == 0
        tolerance = lexicon.HEDGE_TOLERANCE if self.hedged else lexicon.EXACT_TOLERANCE
        return abs(self.value - other.value) / abs(other.value) <= tolerance

    def within(self, other: Quantity) -> bool:
        """A coarser date of the other's contains this one: 1758 is within "the 1750s" and "the 18th
        century". Neither confirms nor contradicts the exact year."""
        if self.kind != "year":
            return False
        if other.kind == "decade":
            return self.value - self.value % 10 == other.value
        if other.kind == "century":
            return (other.value - 1) * 100 < self.value <= other.value * 100
        return False

    def comparable(self, other: Quantity) -> bool:
        """Same kind of thing (a year and a year, "53 days" and "40 days"), so a mismatch is a conflict."""
        dates = ("year", "decade", "century")
        if self.kind in dates and other.kind in dates:
            return True
        if self.kind != other.kind:
            return False
        return self.kind != "count" or (bool(self.unit) and _same_unit(self.unit, other.unit))

    @property
    def is_date(self) -> bool:
        return self.kind in ("year", "decade", "century")


@dataclass(frozen=True)
class Token:
    surface: str
    stem: str
    keys: frozenset[str]  # the stem and the synonym groups it belongs to
    position: int
    clause: int
    chunk: int = 0
    stop: bool = False
    negation: bool = False
    negative: bool = False  # a word that denies like a negation: "unable", "failed"
    capitalised: bool = False
    sentence_initial: bool = False


@dataclass(frozen=True)
class Analysis:
    text: str
    tokens: tuple[Token, ...]
    quantities: tuple[Quantity, ...]
    name_positions: frozenset[int] = field(default_factory=frozenset)
    antecedents: tuple[tuple[int, int], ...] = ()  # (relative clause, position of the word it describes)

    def same_phrase(self, a: int, b: int) -> bool:
        """Tokens a and b stand in one clause, or one stands in a relative clause describing the other
        ("Gustave Eiffel, whose company built the tower": company describes Eiffel)."""
        ca, cb = self.tokens[a].clause, self.tokens[b].clause
        if ca == cb:
            return True
        heads = dict(self.antecedents)
        return (cb in heads and abs(heads[cb] - a) <= 1) or (ca in heads and abs(heads[ca] - b) <= 1)

    @property
    def numeric(self) -> set[int]:
        """Positions that belong to a quantity: its number and multiplier words."""
        out = {q.position for q in self.quantities}
        for q in self.quantities:
            out.update(q.span)
        return out

    @property
    def content(self) -> list[Token]:
        """Tokens that carry meaning: not stopwords, negations or parts of a quantity."""
        numeric = {q.position for q in self.quantities} | {
            p for q in self.quantities for p in q.span if self.tokens[p].surface.lower() in lexicon.MULTIPLIERS
        }
        return [t for t in self.tokens if not t.stop and not t.negation and t.position not in numeric]

    @property
    def names(self) -> list[Token]:
        return [t for t in self.tokens if t.position in self.name_positions]

    @cached_property
    def keys(self) -> frozenset[str]:
        out: set[str] = set()
        for token in self.content:
            out |= token.keys
        return frozenset(out)

    def negations(self, start: int = 0, end: int | None = None) -> int:
        """Negations and denying words ("unable", "failed") in the stretch: their parity is the polarity."""
        end = len(self.tokens) if end is None else end
        return sum(1 for t in self.tokens[start:end] if t.negation or t.negative)

    def stems(self) -> set[str]:
        return {t.stem for t in self.tokens}


def stem(word: str) -> str:
    lower = word.lower().replace("\u2019", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    lower = lexicon.IRREGULAR_FORMS.get(lower, lower)
    return stem_word(lower)


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    """Stem (or stemmed two-word phrase) -> the synonym groups it belongs to, as keys "#g<i>"."""
    out: dict[str, set[str]] = {}
    for index, group in enumerate(lexicon.SYNONYM_GROUPS):
        for phrase in group:
            key = " ".join(stem(w) for w in re.split(r"[\s-]+", phrase))
            out.setdefault(key, set()).add(f"#g{index}")
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for a, b in lexicon.ANTONYM_PAIRS:
        sa, sb = stem(a), stem(b)
        out.setdefault(sa, set()).add(sb)
        out.setdefault(sb, set()).add(sa)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _stemmed_sets() -> dict[str, frozenset[str]]:
    return {
        "scope": frozenset(stem(w) for w in lexicon.SCOPE_WORDS),
        "causal": frozenset(stem(w) for w in lexicon.CAUSAL_WORDS),
        "weak_causal": frozenset(stem(w) for w in lexicon.WEAK_CAUSAL_WORDS),
        "hedge": frozenset(lexicon.HEDGES),
    }


# A negation denies the first content word within this many tokens after it ("did not win", "have no
# symptoms"): that word is what a negation says something about.
NEGATION_REACH = 3


def denials(analysis: Analysis, start: int = 0, end: int | None = None) -> list[Token]:
    """For each negation (or denying word) in the stretch, the content word it denies, when it has one."""
    end = len(analysis.tokens) if end is None else end
    out = []
    for i in range(start, min(end, len(analysis.tokens))):
        token = analysis.tokens[i]
        if not (token.negation or token.negative):
            continue
        denied = next(
            (t for t in analysis.tokens[i + 1 : i + 1 + NEGATION_REACH] if not t.stop and not t.negation), None
        )
        if denied is not None:
            out.append(denied)
    return out


def is_scope(token: Token) -> bool:
    return token.stem in _stemmed_sets()["scope"]


def causal_positions(analysis: Analysis) -> list[int]:
    """Positions of words that assert a cause; "so" and "since" count only where they open a clause."""
    sets = _stemmed_sets()
    out = []
    tokens = analysis.tokens
    for i, token in enumerate(tokens):
        if token.stem not in sets["causal"]:
            continue
        if token.stem in sets["weak_causal"]:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if token.stem == stem("result") and not (following and following.surface.lower() in ("in", "of", "from")):
                continue
            if (
                token.stem in (stem("since"), stem("so"))
                and following is not None
                and (following.surface[:1].isdigit() or following.surface.lower() in ("far", "much", "many", "called"))
            ):
                continue
        out.append(token.position)
    return out


@lru_cache(maxsize=20_000)
def analyse(text: str) -> Analysis:
    """Tokens with positions, clauses and synonym keys; quantities; which tokens are names."""
    raw: list[tuple[str, int]] = []  # (surface, clause)
    chunks: list[int] = []  # comma-delimited stretch of each token
    clause = chunk = 0
    next_clause = 1
    outer: int | None = None  # the clause a subordinate clause interrupts, resumed at its closing comma
    antecedents: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(text):
        if match.group("cut"):
            chunk += 1
            if match.group("cut") not in (",", ":"):  # a colon opens a list, not a new clause
                clause, next_clause, outer = next_clause, next_clause + 1, None
            elif outer is not None:
                clause, outer = outer, None
            continue
        surface = match.group(0)
        lower = surface.lower()
        if lower in lexicon.SUBORDINATORS:
            if raw:
                outer = clause if outer is None else outer
                clause, next_clause = next_clause, next_clause + 1
            else:
                outer = next_clause  # an opening "Though ...," clause: the main clause follows the comma
                next_clause += 1
            if lower in RELATIVE_PRONOUNS and raw:
                antecedents.append((clause, len(raw) - 1))
        if lower.endswith("n't"):
            raw += [(surface[:-3] or surface, clause), ("n't", clause)]
            chunks += [chunk, chunk]
            continue
        if lower == "cannot":
            raw += [("can", clause), ("not", clause)]
            chunks += [chunk, chunk]
            continue
        raw.append((surface, clause))
        chunks.append(chunk)

    groups = _groups()
    tokens: list[Token] = []
    for position, (surface, clause_no) in enumerate(raw):
        lower = surface.lower()
        token_stem = stem(surface) if not surface[:1].isdigit() else lower.replace(",", "")
        keys = {token_stem} | set(groups.get(token_stem, ()))
        if not surface[:1].isdigit():
            for suffix in DERIVATIONAL_SUFFIXES:
                root = lower[: -len(suffix)]
                if lower.endswith(suffix) and len(root) >= MIN_DERIVED_ROOT:
                    keys.add(stem(root))
                    keys |= groups.get(stem(root), set())
        if position + 1 < len(raw):
            pair = token_stem + " " + stem(raw[position + 1][0])
            keys |= groups.get(pair, set())
        if position > 0:
            pair = stem(raw[position - 1][0]) + " " + token_stem
            keys |= groups.get(pair, set())
        tokens.append(
            Token(
                surface=surface,
                stem=token_stem,
                keys=frozenset(keys),
                position=position,
                clause=clause_no,
                chunk=chunks[position],
                stop=(lower in STOPWORDS or lower in lexicon.HEDGES or lower in HEDGE_WORDS)
                and lower not in lexicon.NEGATIONS,
                negation=lower in lexicon.NEGATIONS,
                negative=lower in lexicon.NEGATIVE_WORDS,
                capitalised=surface[:1].isupper(),
                sentence_initial=position == 0 or raw[position - 1][0] in ('"', "“"),
            )
        )
    quantities = tuple(_quantities(tokens))
    numeric = {q.position for q in quantities}
    return Analysis(
        text=text,
        tokens=tuple(tokens),
        quantities=quantities,
        name_positions=_names(tokens, numeric),
        antecedents=tuple(antecedents),
    )


def _names(tokens: list[Token], numeric: set[int]) -> frozenset[int]:
    """Capitalised words that are names: mid-sentence, or sentence-initial and followed by another name word."""
    out: set[int] = set()
    for i, token in enumerate(tokens):
        if not token.capitalised or token.stop or token.negation or i in numeric:
            continue
        if not token.sentence_initial:
            out.add(i)
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and following.capitalised and not following.stop:
            out.add(i)
    return frozenset(out)


def _quantities(tokens: list[Token]) -> list[Quantity]:
    out: list[Quantity] = []
    lowers = [t.surface.lower() for t in tokens]
    i = 0
    while i < len(tokens):
        lower = lowers[i]
        following = lowers[i + 1] if i + 1 < len(tokens) else ""
        previous = lowers[i - 1] if i > 0 else ""
        hedged = any(w in lexicon.HEDGES for w in lowers[max(0, i - 2) : i])
        quantity: Quantity | None = None
        consumed = 1
        if lower[:1].isdigit():
            quantity, consumed = _numeral(tokens, lowers, i, hedged)
        elif lower in lexicon.FRACTIONS and (previous in ("a", "one", "two", "three", "half") or lower == "half"):
            share = lexicon.FRACTIONS[lower] * (lexicon.NUMBER_WORDS.get(previous, 1) if previous != "a" else 1)
            quantity = Quantity(round(share, 2), "percent", hedged=hedged, position=i)
        elif lower in lexicon.MONTHS and tokens[i].capitalised:
            quantity = Quantity(MONTH_NUMBERS[lower], "month", position=i)
        elif _ROMAN.match(tokens[i].surface) and i > 0 and tokens[i - 1].capitalised:
            quantity = Quantity(_roman_value(tokens[i].surface), "ordinal", position=i)  # "Flyer III", "Henry VIII"
        elif lower in lexicon.ORDINALS and following not in ("of",):
            quantity = Quantity(lexicon.ORDINALS[lower], "ordinal", position=i)
            if following == "century":
                quantity = Quantity(lexicon.ORDINALS[lower], "century", position=i)
        elif lower in lexicon.NUMBER_WORDS and lower != "one" or (lower == "one" and following in lexicon.MULTIPLIERS):
            value = lexicon.NUMBER_WORDS[lower]
            if following in lexicon.FRACTIONS:
                i += 1
                continue  # "two thirds": the fraction reads the count before it
            j = i + 1
            if (
                value >= 20
                and value % 10 == 0
                and following in lexicon.NUMBER_WORDS
                and lexicon.NUMBER_WORDS[following] < 10
            ):
                value += lexicon.NUMBER_WORDS[following]  # "fifty-three"
                j += 1
            while j < len(tokens) and lowers[j] in lexicon.MULTIPLIERS:
                value *= lexicon.MULTIPLIERS[lowers[j]]
                j += 1
            if j < len(tokens) and lowers[j] in ("percent", "per"):
                quantity = Quantity(value, "percent", hedged=hedged, position=i)
            else:
                quantity = Quantity(value, "count", unit=_unit(tokens, j), hedged=hedged, position=i)
            consumed = j - i
        if quantity is not None:
            span = tuple(range(i, min(len(tokens), i + max(1, consumed) + (1 if quantity.unit else 0))))
            out.append(Quantity(quantity.value, quantity.kind, quantity.unit, quantity.hedged, quantity.position, span))
        i += max(1, consumed)
    return out


def _numeral(tokens: list[Token], lowers: list[str], i: int, hedged: bool) -> tuple[Quantity | None, int]:
    lower = lowers[i]
    following = lowers[i + 1] if i + 1 < len(tokens) else ""
    previous = lowers[i - 1] if i > 0 else ""
    suffix = re.search(r"(st|nd|rd|th|s)$", lower)
    digits = lower[: suffix.start()] if suffix else lower
    try:
        value = float(digits.replace(",", ""))
    except ValueError:
        return None, 1
    if suffix and suffix.group(1) != "s":
        kind = "century" if following == "century" else "ordinal"
        return Quantity(value, kind, position=i), 1
    if suffix:  # "1880s"
        return Quantity(value, "decade", position=i), 1
    if following in lexicon.ERAS:
        return Quantity(value * lexicon.ERAS[following], "year", position=i), 2
    if following == "%" or following in ("percent", "per"):
        return Quantity(value, "percent", hedged=hedged, position=i), 2
    j = i + 1
    while j < len(tokens) and lowers[j] in lexicon.MULTIPLIERS:
        value *= lexicon.MULTIPLIERS[lowers[j]]
        j += 1
    plain_integer = "," not in digits and "." not in digits
    if j == i + 1 and plain_integer and 1000 <= value <= 2100:
        if not _counts_something(following) or previous in TEMPORAL_PREPOSITIONS:
            return Quantity(value, "year", position=i), 1
    if j == i + 1 and plain_integer and 1 <= value <= 31 and following in lexicon.MONTHS:
        return Quantity(value, "day", position=i), 1
    if j == i + 1 and plain_integer and 1 <= value <= 31 and previous in lexicon.MONTHS:
        return Quantity(value, "day", position=i), 1
    return Quantity(value, "count", unit=_unit(tokens, j), hedged=hedged, position=i), j - i


MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(), start=1
    )
}
_ROMAN = re.compile(r"^(?=[IVX]{2,5}$)X{0,3}(?:IX|IV|V?I{0,3})$")


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, char in enumerate(numeral):
        value = values[char]
        total += -value if i + 1 < len(numeral) and values[numeral[i + 1]] > value else value
    return total


MEASURES = frozenset("m km mi ft kg cm mm metres meters feet miles kilometres kilometers tonnes tons".split())


def _counts_something(word: str) -> bool:
    """A four-digit number is a year unless a plural noun or a measure follows it ("1500 soldiers")."""
    if word in MEASURES:
        return True
    return word.isalpha() and word.islower() and word.endswith("s") and not word.endswith(("ss", "ics", "us"))


def _unit(tokens: list[Token], j: int) -> str:
    """The counted thing: the next content word, skipping "of", adjectives of size are kept as is."""
    for token in tokens[j : j + 2]:
        if token.surface.lower() in ("of", "the", "a", "an"):
            continue
        if token.surface[:1].isdigit() or token.stop:
            return ""
        return token.stem
    return ""


@lru_cache(maxsize=1)
def _unit_groups() -> dict[str, int]:
    return {stem(word): i for i, group in enumerate(lexicon.UNIT_GROUPS) for word in group}


def _same_unit(a: str, b: str) -> bool:
    if a == b:
        return True
    units = _unit_groups()
    if a in units and units.get(a) == units.get(b):
        return True
    groups = _groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))
