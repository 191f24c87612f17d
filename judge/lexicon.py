"""The word lists the deterministic judge reasons with, in one place.

Each list is general English, not tuned to any benchmark sentence: polarity
words, antonym pairs, paraphrase groups of common verbs and nouns, words that
widen a claim's scope, causal connectives, hedges on numbers, and number
words. Entries are written as plain words and stemmed when loaded, so an
inflected form ("rejected", "rejects") matches its entry.
"""

from __future__ import annotations

# Words that flip a clause's polarity. "n't" is matched as a suffix by the tokenizer.
NEGATIONS = frozenset("not no never none neither nor without cannot nobody nothing nowhere n't".split())

# Words that deny what follows them as a negation does: "unable to manage" is "could not manage", and
# "rejected nonviolent resistance" is not "employed" it.
NEGATIVE_WORDS = frozenset(
    """unable impossible incapable fail failed fails failure lack lacked lacks refuse refused refuses reject
    rejected rejects deny denied denies oppose opposed opposes abandon abandoned abandons""".split()
)

# Words that mark another instance of a thing: "a smaller flood struck Morrow in 1736" is not the 1702 flood.
OTHER_INSTANCE_WORDS = frozenset(
    "another other new earlier later previous next smaller larger bigger lesser subsequent former latter second".split()
)

# Words that order two things: "A before B" is not "B before A".
ORDERING_WORDS = frozenset("before after than preceded followed succeeded defeated replaced".split())
# Words that order two events in time. A statement using one relates two events; the source must too.
# ("earlier", "later" and "then" are left out: they are as often adjectives or fillers, "in later life".)
TIME_ORDER_WORDS = frozenset("before after prior preceded followed following until afterwards".split())

# Pairs whose members assert opposite things about the same event or attribute.
ANTONYM_PAIRS: tuple[tuple[str, str], ...] = (
    ("able", "unable"),
    ("accept", "reject"),
    ("accepted", "refused"),
    ("win", "lose"),
    ("won", "lost"),
    ("victory", "defeat"),
    ("increase", "decrease"),
    ("rise", "fall"),
    ("grow", "shrink"),
    ("gain", "loss"),
    ("before", "after"),
    ("earlier", "later"),
    ("success", "failure"),
    ("succeed", "fail"),
    ("successful", "unsuccessful"),
    ("legal", "illegal"),
    ("possible", "impossible"),
    ("allow", "forbid"),
    ("allow", "ban"),
    ("permit", "prohibit"),
    ("approve", "reject"),
    ("include", "exclude"),
    ("survive", "die"),
    ("alive", "dead"),
    ("birth", "death"),
    ("born", "died"),
    ("open", "close"),
    ("opened", "closed"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("highest", "lowest"),
    ("longest", "shortest"),
    ("oldest", "youngest"),
    ("oldest", "newest"),
    ("first", "last"),
    ("earliest", "latest"),
    ("higher", "lower"),
    ("larger", "smaller"),
    ("bigger", "smaller"),
    ("large", "small"),
    ("greater", "lesser"),
    ("longer", "shorter"),
    ("older", "younger"),
    ("high", "low"),
    ("left", "right"),
    ("north", "southern"),
    ("south", "northern"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("majority", "minority"),
    ("support", "oppose"),
    ("ally", "enemy"),
    ("public", "private"),
    ("ancient", "modern"),
    ("major", "minor"),
    ("agree", "disagree"),
    ("entry", "exit"),
    ("import", "export"),
    ("inside", "outside"),
    ("upper", "lower"),
    ("maximum", "minimum"),
    ("strong", "weak"),
    ("strengthen", "weaken"),
    ("rich", "poor"),
    ("hot", "cold"),
    ("wet", "dry"),
    ("start", "end"),
    ("begin", "end"),
    ("began", "ended"),
    ("above", "below"),
    ("fast", "slow"),
    ("heavy", "light"),
    ("true", "false"),
    ("correct", "incorrect"),
    ("male", "female"),
    ("common", "rare"),
    ("frequent", "rare"),
    ("always", "never"),
    ("everyone", "nobody"),
    ("absent", "present"),
    ("lack", "have"),
    ("deny", "confirm"),
    ("deny", "admit"),
    ("abolish", "establish"),
    ("destroy", "preserve"),
    ("destroy", "build"),
    ("attack", "defend"),
    ("benefit", "harm"),
    ("cure", "cause"),
    ("protect", "harm"),
    ("improve", "worsen"),
    ("acquit", "convict"),
    ("guilty", "innocent"),
    ("independent", "dependent"),
    ("domestic", "foreign"),
    ("native", "foreign"),
    ("natural", "artificial"),
    ("natural", "synthetic"),
    ("visible", "invisible"),
    ("known", "unknown"),
    ("effective", "ineffective"),
    ("safe", "dangerous"),
    ("active", "inactive"),
    ("active", "dormant"),
    ("extinct", "extant"),
)

# Prefixes that make an antonym of the word they precede ("unsuccessful", "disagree").
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")
MIN_PREFIX_STEM = 4  # "interest" is not "in" + "terest": the rest must itself be a word of the other text

# Counted things that name the same thing after a number: "4,000 people died" and "4,000 lives".
UNIT_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "people",
        "person",
        "persons",
        "lives",
        "life",
        "deaths",
        "death",
        "victims",
        "casualties",
        "fatalities",
        "inhabitants",
        "residents",
        "individuals",
        "men",
        "souls",
        "dead",
    ),
    ("years", "year"),
    ("days", "day"),
)

# Words a faithful paraphrase swaps for one another. The first word of a group is its canonical form.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("found", "establish", "create", "set up", "institute"),
    ("discover", "find", "found", "identify", "detect", "uncover", "isolate"),
    ("employ", "work", "hire", "staff"),
    ("invent", "devise", "develop", "pioneer"),
    ("build", "construct", "erect"),
    ("design", "plan", "draw up"),
    ("die", "pass away", "perish"),
    ("kill", "slay"),
    ("begin", "start", "commence", "launch", "initiate", "break out"),
    ("end", "finish", "conclude", "terminate", "cease", "stop", "complete", "fall"),
    ("collapse", "fall", "give way", "cave in", "crumble", "topple"),
    ("crown", "coronation", "enthrone"),
    ("surrender", "capitulate", "yield", "fall"),
    ("see", "observe", "spot", "sight", "notice"),
    ("win", "receive", "earn", "award", "obtain", "gain"),
    ("share", "split", "jointly"),
    ("write", "author", "compose", "pen"),
    ("large", "big", "great", "huge", "vast"),
    ("largest", "biggest", "greatest"),
    ("earliest", "first"),
    ("small", "little", "tiny", "minor"),
    ("high", "tall", "elevated", "height"),
    ("highest", "tallest"),
    ("famous", "renowned", "celebrated", "well-known", "best-known", "known", "noted"),
    ("important", "significant", "key", "notable", "crucial", "major", "profound"),
    ("country", "nation", "state"),
    ("city", "town", "metropolis"),
    ("world", "global", "worldwide", "earth", "planet", "international"),
    ("people", "person", "individual", "human", "population", "inhabitant", "resident"),
    ("doctor", "physician", "medic"),
    ("scientist", "researcher"),
    ("death", "fatality", "casualty"),
    ("deadly", "fatal", "lethal", "deadliest"),
    ("illness", "disease", "sickness", "ailment", "infection"),
    ("cause", "trigger", "produce", "bring about", "lead to", "result in", "responsible", "blame"),
    ("spread", "transmit", "carry", "pass"),
    ("help", "aid", "assist", "contribute", "enable"),
    ("use", "employ", "utilize", "utilise", "apply"),
    ("show", "demonstrate", "reveal", "indicate", "display"),
    ("say", "state", "declare", "claim", "assert"),
    ("call", "name", "term", "dub", "known as"),
    ("lie", "locate", "situate", "sit", "stand"),
    ("near", "close", "nearby", "adjacent"),
    ("part", "portion", "section", "segment"),
    ("make", "produce", "manufacture", "create"),
    ("change", "alter", "transform", "convert", "modify"),
    ("get", "obtain", "acquire", "derive"),
    ("take", "capture", "seize", "conquer"),
    ("lead", "head", "command", "direct", "guide"),
    ("rule", "govern", "reign", "control"),
    ("serve", "act", "work"),
    ("marry", "wed"),
    ("measure", "gauge", "survey"),
    ("about", "approximately", "around", "roughly", "nearly", "almost", "some", "circa"),
    ("rapid", "fast", "quick", "swift"),
    ("old", "ancient", "early"),
    ("main", "principal", "chief", "primary", "leading"),
    ("many", "numerous", "several", "multiple"),
    ("describe", "characterize", "characterise", "portray", "depict", "consider", "regard"),
    ("infect", "contract", "catch"),
    ("treat", "cure", "heal"),
    ("effect", "impact", "influence", "consequence"),
    ("regulate", "control", "govern", "manage"),
    ("promote", "encourage", "stimulate", "foster"),
    ("hinder", "inhibit", "suppress", "block", "impede"),
    ("join", "unite", "combine", "merge", "link"),
    ("expand", "extend", "enlarge", "grow", "widen"),
    ("protect", "shield", "defend", "guard"),
    ("mountain", "peak", "mount"),
    ("river", "waterway"),
    ("bridge", "span", "viaduct", "crossing"),
    ("painting", "portrait", "picture", "artwork"),
    ("mission", "flight", "spaceflight", "voyage", "expedition"),
    ("crew", "astronaut"),
    ("plane", "airplane", "aeroplane", "aircraft"),
    ("ship", "vessel", "boat"),
    ("war", "conflict", "fighting"),
    ("army", "force", "troop"),
    ("king", "monarch", "ruler", "sovereign"),
    ("president", "head of state"),
    ("explode", "blow up", "burst"),
    ("accident", "disaster", "catastrophe"),
    ("fire", "blaze", "flame", "inferno"),
    ("storm", "tempest", "gale"),
    ("flood", "inundation", "deluge"),
    ("destroy", "ruin", "devastate", "wreck", "raze", "level"),
    ("burn", "blaze", "scorch"),
    ("evacuate", "relocate", "remove"),
    ("virus", "pathogen", "germ"),
    ("mold", "mould", "fungus"),
    ("medicine", "drug", "medication", "remedy"),
    ("award", "prize", "honour", "honor"),
    ("study", "research", "investigate", "examine"),
    ("book", "volume", "work"),
    ("publish", "release", "issue", "print"),
    ("metre", "meter", "m"),
    ("kilometre", "kilometer", "km"),
    ("mile", "mi"),
    ("foot", "feet", "ft"),
    ("kilogram", "kg"),
    ("tonne", "ton"),
    ("year", "yr"),
)

# Words that widen what a claim covers. A statement using one says more than a source that does not.
SCOPE_WORDS = frozenset(
    """all every always entire whole world worldwide global globally universal universally everywhere
    everyone everybody everything only sole solely exclusively completely entirely totally forever
    invariably""".split()
)

# Connectives that assert a cause. A causal statement needs a causal source sentence.
CAUSAL_WORDS = frozenset(
    """because cause caused causes causing due owing thanks therefore consequently hence thus trigger
    triggered triggers led lead leads result resulted results resulting responsible reason since so blame
    blamed blames attributed""".split()
)
# "so" and "since" are also non-causal ("so far", "since 1990"): they count only before a clause.
WEAK_CAUSAL_WORDS = frozenset({"since", "so", "thus", "result", "results"})

# Words before a number that make it approximate ("about 500", "more than 500").
HEDGES = frozenset(
    """about around approximately roughly nearly almost some over under circa estimated est ca
    more less fewer least most up close""".split()
)
HEDGE_TOLERANCE = 0.10  # an approximate number may be this far (relative) from the source's
EXACT_TOLERANCE = 0.02  # "33%" for "a third", "8,849 m" for "8,848.86 m": rounding, not a new value

NUMBER_WORDS: dict[str, float] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "hundred": 100,
    "thousand": 1000,
}
MULTIPLIERS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
}
# Fractions are compared as percentages: "half" is 50%, "a third" is 33.3%.
FRACTIONS: dict[str, float] = {
    "half": 50.0,
    "halves": 50.0,
    "third": 100 / 3,
    "thirds": 100 / 3,
    "quarter": 25.0,
    "quarters": 25.0,
    "fifth": 20.0,
    "fifths": 20.0,
    "tenth": 10.0,
    "tenths": 10.0,
}
# "second" and "third" are ordinals unless a fraction reading is plain ("a third of", "two thirds").
MONTHS = frozenset("january february march april may june july august september october november december".split())
ERAS = {"bc": -1, "bce": -1, "ad": 1, "ce": 1}

# Question words and what kind of fact answers each.
ASKED_KINDS: dict[str, str] = {
    "who": "person",
    "whom": "person",
    "whose": "person",
    "when": "date",
    "where": "place",
    "why": "cause",
    "what caused": "cause",
    "what causes": "cause",
    "what led to": "cause",
    "how many": "number",
    "how much": "number",
    "how long": "number",
    "how old": "number",
    "how big": "number",
    "how large": "number",
    "how high": "number",
    "how tall": "number",
    "how far": "number",
    "what year": "date",
    "which year": "date",
    "what date": "date",
    "which country": "place",
    "which city": "place",
    "what country": "place",
    "what city": "place",
    "how": "manner",
    "what": "thing",
    "which": "thing",
}

# Verbs and nouns that frame a question without naming its subject ("what caused", "who discovered").
QUESTION_FRAME_WORDS = frozenset(
    """cause caused causes discover discovered invent invented found founded happen happened start started
    begin began end ended role effect effects impact impacts important importance main reason reasons
    differ difference history develop developed work works mean meaning kind kinds type types year years
    date dates first known famous explain describe compare key facts fact led lead result results
    significant significance consequence consequences affect affected change changed create created who
    what when where why how which whom whose many much long did does do was were is are""".split()
)

# Past forms the Snowball stemmer cannot map to their verb ("won" is not "win" to it).
IRREGULAR_FORMS: dict[str, str] = {
    "won": "win",
    "began": "begin",
    "begun": "begin",
    "built": "build",
    "wrote": "write",
    "written": "write",
    "fought": "fight",
    "led": "lead",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "became": "become",
    "came": "come",
    "held": "hold",
    "left": "leave",
    "lost": "lose",
    "met": "meet",
    "paid": "pay",
    "ran": "run",
    "said": "say",
    "sold": "sell",
    "sent": "send",
    "spent": "spend",
    "stood": "stand",
    "taught": "teach",
    "thought": "think",
    "told": "tell",
    "brought": "bring",
    "bought": "buy",
    "caught": "catch",
    "chose": "choose",
    "chosen": "choose",
    "drew": "draw",
    "drawn": "draw",
    "fell": "fall",
    "fallen": "fall",
    "flew": "fly",
    "flown": "fly",
    "grew": "grow",
    "grown": "grow",
    "knew": "know",
    "known": "know",
    "rose": "rise",
    "risen": "rise",
    "saw": "see",
    "seen": "see",
    "spoke": "speak",
    "spoken": "speak",
    "struck": "strike",
    "threw": "throw",
    "thrown": "throw",
    "broke": "break",
    "broken": "break",
    "sought": "seek",
    "fed": "feed",
    "felt": "feel",
    "fled": "flee",
    "kept": "keep",
    "meant": "mean",
    "overcame": "overcome",
    "rode": "ride",
    "sank": "sink",
    "swept": "sweep",
    "underwent": "undergo",
    "undergone": "undergo",
    "withdrew": "withdraw",
    "slain": "slay",
    "slew": "slay",
    "shot": "shoot",
    "hid": "hide",
    "hidden": "hide",
    "forbade": "forbid",
    "laid": "lay",
    "dealt": "deal",
    "lain": "lie",
    "arose": "arise",
    "arisen": "arise",
    "bore": "bear",
    "borne": "bear",
    "wed": "marry",
    "wove": "weave",
    "woven": "weave",
    "froze": "freeze",
    "frozen": "freeze",
}
# Pronouns that open a sentence continuing the previous one's subject ("He shared the prize ...").
CONTINUING_PRONOUNS = frozenset("he she it they his her its their this these those him them".split())
# Words that open a subordinate or relative clause; the clause runs to the next comma.
SUBORDINATORS = frozenset("though although while whereas because if unless which who whom whose".split())


# --- Chinese -------------------------------------------------------------------------------------------
# The anchors read a Chinese sentence after rjieba has segmented it and cn2an has written its numerals as
# digits (`anchors.prepare_cjk`); these are the words that then play the English words' parts. The two
# scripts share no word, so each English set above is widened with its Chinese entries below.
CJK_PUNCTUATION = {"，": ",", "、": ",", "。": ".", "；": ";", "：": ":", "！": ".", "？": ".", "…": "."}
CHINESE_NEGATIONS = frozenset("不 没 没有 未 无 非 并非 从未 未曾 不是 并未 不再 别 勿 毫无".split())
CHINESE_NEGATIVE_WORDS = frozenset("未能 无法 不能 失败 拒绝 否认 反对 放弃 缺乏".split())
# Before a number ("约 300", "近 2000") or right after it ("300 多", "2000 余", "100 左右").
CHINESE_HEDGES = frozenset("约 大约 约为 近 将近 接近 大概 左右 多 余 来 逾 超过 至少 上下 几".split())
# Of those, the ones that only ever stand before a number: after one they are another word.
HEDGE_BEFORE_ONLY = frozenset("约 大约 约为 近 将近 接近 大概 逾 超过 至少 几".split())
CHINESE_MULTIPLIERS = {"十": 10.0, "百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}
# Measure words between a number and what it counts ("300 名 工人"): the counted thing is the next word.
CHINESE_CLASSIFIERS = frozenset("名 个 位 座 条 只 头 次 人次 件 家 所 辆 艘 架 本 部 处 层 项 种".split())
# What a date's parts are written with: the year, month and day marks, the century and the decade.
CHINESE_YEAR, CHINESE_MONTH, CHINESE_DAYS = "年", "月", frozenset({"日", "号"})
CHINESE_CENTURY, CHINESE_DECADE = "世纪", "年代"
CHINESE_ORDINAL = "第"
DATE_MARKS = frozenset({CHINESE_YEAR, CHINESE_MONTH, CHINESE_CENTURY, CHINESE_DECADE} | CHINESE_DAYS)
CHINESE_BC, CHINESE_AD = frozenset({"公元前", "前"}), frozenset({"公元"})
# Before a year-number with 年 ("于 618 年", "在 221 年"): a date, not a count of years.
CHINESE_TEMPORAL = frozenset("于 在 从 自 到 至 直到 截至 公元".split())
# With the connectives of purpose, which answer 为什么 as "in order to" answers why: 为了, 目的, 旨在.
CHINESE_CAUSAL_WORDS = frozenset(
    "因为 由于 因 因此 所以 导致 造成 引起 致使 因而 起因 原因 缘故 归因于 为了 目的 旨在 以便".split()
)
CHINESE_SUBORDINATORS = frozenset("虽然 尽管 如果 即使 因为 由于".split())
CHINESE_UNIT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("人", "名", "位", "people", "person"),
    ("年", "years", "year"),
    ("天", "日", "days", "day"),
    ("公里", "千米", "km", "kilometres", "kilometers"),
    ("米", "公尺", "m", "metres", "meters"),
    ("吨", "tonnes", "tons"),
    ("平方公里", "km2"),
)
CHINESE_TIME_ORDER_WORDS = frozenset("之前 以前 之后 以后 早于 晚于 先于 直到".split())
CHINESE_CONTINUING_PRONOUNS = frozenset("他 她 它 他们 她们 它们 该 其 此 这 这座 这位 该桥 该地".split())

NEGATIONS = NEGATIONS | CHINESE_NEGATIONS
NEGATIVE_WORDS = NEGATIVE_WORDS | CHINESE_NEGATIVE_WORDS
HEDGES = HEDGES | CHINESE_HEDGES
MULTIPLIERS = {**MULTIPLIERS, **{k: v for k, v in CHINESE_MULTIPLIERS.items() if k != "十"}}
CAUSAL_WORDS = CAUSAL_WORDS | CHINESE_CAUSAL_WORDS
SUBORDINATORS = SUBORDINATORS | CHINESE_SUBORDINATORS
UNIT_GROUPS = tuple(
    group + tuple(w for extra in CHINESE_UNIT_GROUPS if set(extra) & set(group) for w in extra if w not in group)
    for group in UNIT_GROUPS
) + tuple(extra for extra in CHINESE_UNIT_GROUPS if not any(set(extra) & set(g) for g in UNIT_GROUPS))
TIME_ORDER_WORDS = TIME_ORDER_WORDS | CHINESE_TIME_ORDER_WORDS
CONTINUING_PRONOUNS = CONTINUING_PRONOUNS | CHINESE_CONTINUING_PRONOUNS
# Chinese question words and the kind of fact each asks for, longest first where one contains another
# ("哪一年" before "哪", "多少" before "多").
CHINESE_ASKED_KINDS: dict[str, str] = {
    "什么时候": "date", "什么时间": "date", "哪一年": "date", "哪年": "date", "何年": "date", "何时": "date",
    "哪一天": "date", "哪天": "date", "哪个世纪": "date", "什么年代": "date", "几月": "date",
    "什么原因": "cause", "为什么": "cause", "为何": "cause", "因为什么": "cause",
    "什么地方": "place", "哪个国家": "place", "哪座城市": "place", "哪个城市": "place", "哪里": "place",
    "哪儿": "place", "何处": "place", "何地": "place", "在哪": "place",
    "什么人": "person", "哪位": "person", "谁": "person",
    "多少": "number", "多长": "number", "多高": "number", "多大": "number", "多远": "number",
    "多重": "number", "多久": "number", "多深": "number", "多宽": "number", "多快": "number", "几": "number",
    "如何": "manner", "怎样": "manner", "怎么": "manner",
    "什么": "thing", "哪个": "thing", "哪些": "thing", "哪": "thing",
}  # fmt: skip
