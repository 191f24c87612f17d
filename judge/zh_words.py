"""Chinese words and their parts of speech as the judge reads them: jieba's (rjieba), with two repairs.

jieba cuts a name it does not know after its surname (周 + 明远), and tags some common words as names
(大桥, a big bridge, as a place; 卫星, a satellite, as a person). The first is joined again; the second,
where CC-CEDICT glosses the word as a common noun, is tagged a noun. The question reader, the anchors and
the namesake rule all read Chinese through `tagged`, so they agree on what a name is.
"""

from __future__ import annotations

from functools import lru_cache

from stepresearch.core.language import has_cjk
from stepresearch.core.text import STOPWORDS

from . import glossary

# jieba's tags for proper names: a person, a place, an organisation, another proper noun.
NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg"})
PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})
# A Chinese given name has one or two characters.
GIVEN_NAME_CHARS = 2


@lru_cache(maxsize=20_000)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """(word, tag) for each word of the text, spaces dropped, punctuation kept (tagged "x")."""
    import rjieba

    out: list[tuple[str, str]] = []
    for word, tag in rjieba.tag(text):
        if not word.strip():
            continue
        if tag in NAME_TAGS and glossary.is_common_word(word):
            tag = "n"
        if out and _surname_then_given_name(out[-1], word):
            out[-1] = (out[-1][0] + word, "nr")
            continue
        out.append((word, tag))
    return tuple(out)


def _surname_then_given_name(previous: tuple[str, str], word: str) -> bool:
    return (
        previous[1] in PERSON_TAGS
        and len(previous[0]) == 1
        and 1 <= len(word) <= GIVEN_NAME_CHARS
        and has_cjk(word)
        and word not in STOPWORDS
    )
