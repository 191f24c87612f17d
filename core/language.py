"""Which language a text is in, read by a maintained detector (py3langid, offline, 97 languages).

A question, a document and a sentence each have a language; the report is written in the question's, and
the text layer (`stepresearch.core.text`) splits, segments and stems each text by its own. Short texts are
where detectors slip: "Ottoman Empire" reads as Malagasy with 4% confidence, so a reading below
`MIN_CONFIDENCE` falls back to the script: a text mostly in Han characters is Chinese, in kana Japanese,
in Hangul Korean, and any other is the default language.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_LANGUAGE = "en"
# py3langid's normalised probability below which its reading is not trusted: measured, "Who painted The
# Starry Night?" reads as English at 0.23 and "Gutenberg" as German at 0.11, while any sentence of a
# document reads above 0.9.
MIN_CONFIDENCE = 0.5
# A text is in a CJK script when this share of its letters are Han, kana or Hangul characters: a Chinese
# sentence quoting "Qingshi Bridge" is still Chinese.
CJK_SHARE = 0.3

HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA_CHARS = "\u3040-\u30ff"
HANGUL_CHARS = "\uac00-\ud7af"
# Every character of a CJK script, as a regular-expression class body: "[" + CJK_CHARS + "]".
CJK_CHARS = HAN_CHARS + KANA_CHARS + HANGUL_CHARS
_HAN = re.compile(f"[{HAN_CHARS}]")
_KANA = re.compile(f"[{KANA_CHARS}]")
_HANGUL = re.compile(f"[{HANGUL_CHARS}]")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier():
    """The detector's model, loaded once (about a second): it is read-only, so sharing it is safe."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def has_cjk(text: str) -> bool:
    """Whether the text has any Han, kana or Hangul character: the texts that need segmenting."""
    return bool(_HAN.search(text) or _KANA.search(text) or _HANGUL.search(text))


def script_language(text: str) -> str | None:
    """The language a CJK script alone gives, or None for any other script."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return None
    kana, hangul, han = (len(p.findall(text)) for p in (_KANA, _HANGUL, _HAN))
    if kana and (kana + han) / letters >= CJK_SHARE:
        return "ja"
    if hangul / letters >= CJK_SHARE:
        return "ko"
    if han / letters >= CJK_SHARE:
        return "zh"
    return None


@lru_cache(maxsize=20_000)
def detect_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """ISO 639-1 code of the text's language; `default` when neither the detector nor the script is sure."""
    by_script = script_language(text)
    if by_script is not None:
        return by_script
    if not _LETTER.search(text):
        return default
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE or language in ("zh", "ja", "ko"):
        return default  # a CJK reading of a text with no CJK script is the detector slipping
    return language


def is_cjk_language(language: str) -> bool:
    """Languages written without spaces between words: they are segmented, not split on spaces."""
    return language in ("zh", "ja", "ko")
