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

from stepresearch.core.language import has_cjk
from stepresearch.core.text import STOPWORDS, stem_word

from . import glossary, lexicon, zh_words

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


# Characters that make a word a Chinese numeral ("三百", "两千", "十五"), for cn2an to write as digits.
_CHINESE_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]")
_ONLY_NUMERALS = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+$")
# "三点二亿" is 3.2 hundred million: 点 is the decimal point between numerals.
_NUMERAL_RUN = re.compile(r"([零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?)")
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百千万亿\d.]+)")
_NUMBER_FOLLOWERS = tuple(
    lexicon.DATE_MARKS
    | set(lexicon.CHINESE_MULTIPLIERS)
    | {"多", "余"}
    | lexicon.CHINESE_CLASSIFIERS
    | {w for group in lexicon.CHINESE_UNIT_GROUPS for w in group if has_cjk(w)}
)
_DIGIT_RUNS = re.compile(r"\d+(?:\.\d+)?|\D+")
_NUMERAL_TAGS = frozenset({"m", "t", "mq"})
# Marks that rjieba leaves glued to a number's neighbour ("全长约", "多名", "万人"): peeled off so the number
# reads its hedge, multiplier and counted word.
_PEEL_BEFORE = ("约", "近")
_PEEL_AFTER = ("多", "余", "万", "亿", "千", "百", "月", "日", "号")  # "12 日夜": the day, then the night


def _has_number(word: str) -> bool:
    return bool(_CHINESE_NUMERAL.match(word) or word[:1].isdigit())


def _in_digits(numeral: str, cn2an) -> str:
    """One Chinese numeral written in digits ("三点二" -> "3.2"), or as it is when cn2an cannot read it."""
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return numeral  # not a numeral after all: it stays as it is
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:f}".rstrip("0")
    return str(value)


def _as_digits(word: str, cn2an) -> str:
    """A numeral word with its Chinese numerals as digits ("两千多年" -> "2000多年", "百分之三十" -> "30%"). A
    lone numeral character is a number only before a date mark, a multiplier, a hedge, a measure word or a
    unit ("三月", "五万"): "一些" (some) and "一心" are words of their own."""

    def digits(match: re.Match) -> str:
        numeral, rest = match.group(1), word[match.end() :]
        if len(numeral) == 1 and not rest.startswith(_NUMBER_FOLLOWERS):
            return numeral
        return _in_digits(numeral, cn2an)

    word = _PERCENT.sub(lambda m: _NUMERAL_RUN.sub(digits, m.group(1)) + "%", word)
    return _NUMERAL_RUN.sub(digits, word)


# A Chinese word is keyed by its dictionary glosses too, so two words that gloss alike are synonyms to the
# judge as an English synonym group's words are: 落成 and 完工 both gloss "complete", 遇难 and 丧生 "die".
# Only glosses of a word of two characters or more: a single character glosses a dozen unrelated senses.
GLOSS_KEY = "@"
MIN_GLOSSED_CHARS = 2


@lru_cache(maxsize=50_000)
def gloss_keys(word: str) -> frozenset[str]:
    if len(word) < MIN_GLOSSED_CHARS:
        return frozenset()
    stems = {stem(w) for gloss in glossary.glosses(word) for w in re.findall(r"[a-z]+", gloss.lower())}
    return frozenset(GLOSS_KEY + s for s in stems if s and s not in STOPWORDS and len(s) > 2)


# Before a numeral, what makes it a number whatever follows it: an ordinal mark, a hedge, an era, a month
# ("七月十五" is the fifteenth).
_NUMBER_LEADERS = ("第", "约", "近", "公元前", "公元", "月")


def _numerals_as_digits(text: str, cn2an) -> str:
    """The text with each Chinese numeral that reads as a number written in digits, before jieba cuts it
    (its cuts of numerals are unreliable: "三点二" + "亿立方米", "一二" + "〇" + "年"). A numeral is a
    number when a date mark, multiplier, hedge, measure word or unit follows it, or an ordinal mark, hedge,
    era or month precedes it: "统一六国" and "一心一意" keep their characters."""

    def digits(match: re.Match) -> str:
        numeral = match.group(1)
        before, after = text[: match.start()], text[match.end() :]
        if not (after.startswith(_NUMBER_FOLLOWERS) or before.endswith(_NUMBER_LEADERS)):
            return numeral
        if len(numeral) == 1 and not after.startswith(_NUMBER_FOLLOWERS) and not before.endswith("月"):
            return numeral
        return _in_digits(numeral, cn2an)

    return _NUMERAL_RUN.sub(digits, text)


def _merged_numerals(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba cuts "三百二十米" as "三百" + "二十米": consecutive numeral words are one number to cn2an."""
    out: list[tuple[str, str]] = []
    for word, tag in tagged:
        numeral = tag in _NUMERAL_TAGS or bool(_ONLY_NUMERALS.match(word))  # jieba tags "〇" as "x"
        if out and numeral and out[-1][1] in _NUMERAL_TAGS and _has_number(word) and _has_number(out[-1][0]):
            out[-1] = (out[-1][0] + word, "m")
        else:
            out.append((word, "m" if numeral and _ONLY_NUMERALS.match(word) else tag))
    return out


@lru_cache(maxsize=20_000)
def prepare_cjk(text: str) -> tuple[str, frozenset[str]]:
    """A CJK sentence as space-separated words, with numerals as digits and CJK punctuation as its Latin
    counterpart, so one tokenizer reads both scripts; and the words that are proper names (`zh_words`:
    Chinese has no capitals to show them). Numerals are read before segmentation (`_numerals_as_digits`),
    then in the words jieba tags as numerals that are left."""
    import cn2an

    pieces: list[str] = []
    names: set[str] = set()
    text = _numerals_as_digits(text, cn2an)
    for word, tag in _merged_numerals(list(zh_words.tagged(text))):
        if word in lexicon.CJK_PUNCTUATION:
            pieces.append(lexicon.CJK_PUNCTUATION[word])
            continue
        if tag in _NUMERAL_TAGS:
            word = _as_digits(word, cn2an)
        if tag in zh_words.NAME_TAGS:
            names.add(word.lower())
        for part in _DIGIT_RUNS.findall(word) if tag in _NUMERAL_TAGS else [word]:
            if pieces and pieces[-1][:1].isdigit():
                while len(part) > 1 and part[:1] in _PEEL_AFTER:
                    pieces.append(part[:1])
                    part = part[1:]
            if len(part) > 1 and part[-1:] in _PEEL_BEFORE:
                pieces += [part[:-1], part[-1]]
            elif part:
                pieces.append(part)
    for i in range(len(pieces) - 1):  # "约长 42 公里": the hedge opens the word before the number
        word = pieces[i]
        if len(word) > 1 and word[:1] in _PEEL_BEFORE and pieces[i + 1][:1].isdigit():
            pieces[i] = f"{word[:1]} {word[1:]}"
    return " ".join(pieces), frozenset(names)


@lru_cache(maxsize=20_000)
def analyse(text: str) -> Analysis:
    """Tokens with positions, clauses and synonym keys; quantities; which tokens are names.

    A sentence in a CJK script is first read by `prepare_cjk`; its tokens keep the original words."""
    cjk_names: frozenset[str] | None = None
    original = text
    if has_cjk(text):
        text, cjk_names = prepare_cjk(text)
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
        if cjk_names is not None and has_cjk(surface):
            keys |= gloss_keys(surface)
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
                capitalised=surface[:1].isupper() or lower in (cjk_names or ()),  # a Chinese name: jieba's tag
                sentence_initial=position == 0 or raw[position - 1][0] in ('"', "“"),
            )
        )
    quantities = tuple(_quantities(tokens))
    numeric = {q.position for q in quantities}
    names = _names(tokens, numeric) | {t.position for t in tokens if t.surface.lower() in (cjk_names or ())}
    names -= numeric
    return Analysis(
        text=original,
        tokens=tuple(tokens),
        quantities=quantities,
        name_positions=frozenset(names),
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
    chinese = _chinese_date(tokens, lowers, i, value, digits, hedged)
    if chinese is not None:
        return chinese
    hedged = hedged or following in lexicon.CHINESE_HEDGES
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


def _chinese_date(tokens: list[Token], lowers: list[str], i: int, value: float, digits: str, hedged: bool = False):
    """A number marked as a date in Chinese: "221 年" after 公元前 (-221), "1921 年", "3 月", "5 日", "15 世纪",
    "1980 年代". A number with 年 and no mark of a date before it is a count of years when below
    `MIN_BARE_YEAR` ("历时 20 年"), as "2000 多 年" is a duration."""
    following = lowers[i + 1] if i + 1 < len(tokens) else ""
    previous = lowers[i - 1] if i > 0 else ""
    plain_integer = "," not in digits and "." not in digits
    if not plain_integer:
        return None
    if previous == lexicon.CHINESE_ORDINAL:
        return Quantity(value, "ordinal", position=i), 1
    if has_cjk(following) and following not in lexicon.MULTIPLIERS and following not in lexicon.DATE_MARKS:
        if following in lexicon.CHINESE_HEDGES and following not in lexicon.HEDGE_BEFORE_ONLY:
            return Quantity(value, "count", unit=_unit(tokens, i + 1), hedged=True, position=i), 1
        return Quantity(value, "count", unit=_unit(tokens, i + 1), hedged=hedged, position=i), 1  # "1200 人"
    if following in lexicon.CHINESE_HEDGES and following not in lexicon.HEDGE_BEFORE_ONLY:
        return Quantity(value, "count", unit=_unit(tokens, i + 1), hedged=True, position=i), 1
    if following == lexicon.CHINESE_CENTURY:
        return Quantity(value, "century", position=i), 1
    if following == lexicon.CHINESE_DECADE:
        return Quantity(value, "decade", position=i), 1
    if following == lexicon.CHINESE_YEAR:
        if previous in lexicon.CHINESE_BC:
            return Quantity(-value, "year", position=i), 1
        if previous in lexicon.CHINESE_TEMPORAL or previous in lexicon.CHINESE_AD or value >= MIN_BARE_YEAR:
            return Quantity(value, "year", position=i), 1
        return Quantity(value, "count", unit=stem(lexicon.CHINESE_YEAR), hedged=hedged, position=i), 1
    if following == lexicon.CHINESE_MONTH and 1 <= value <= 12:
        return Quantity(value, "month", position=i), 1
    if following in lexicon.CHINESE_DAYS and 1 <= value <= 31 and previous == lexicon.CHINESE_MONTH:
        return Quantity(value, "day", position=i), 1
    return None


# A number written with 年 and no mark of a date before it is a year from this value on: "1921 年" is a
# year, "20 年" a count of years.
MIN_BARE_YEAR = 1000

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
    """The counted thing: the next content word, skipping "of", adjectives of size are kept as is, and a
    Chinese number's hedge and measure word ("300 多 名 工人" counts 工人)."""
    for token in tokens[j : j + 3]:
        if token.surface.lower() in ("of", "the", "a", "an") or token.surface in lexicon.CHINESE_HEDGES:
            continue
        if token.surface in lexicon.CHINESE_CLASSIFIERS:
            after = tokens[token.position + 1] if token.position + 1 < len(tokens) else None
            if after is None or after.stop or not after.surface[:1].isalnum():
                return token.stem  # nothing is counted after it: "十三 层" counts floors
            continue
        if token.surface[:1].isdigit() or (token.stop and token.stem not in _unit_groups()):
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
