"""A BM25 index over passages, built with bm25s and cached on disk.

Indexing the ~10k default summaries takes about a second and a half; loading
the cached index takes a fraction of that, and a folder corpus is re-indexed
only when a file in it changes (the cache key is every file's path, size and
mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import bm25s
import structlog
from pydantic import BaseModel

from stepresearch.core.cache_dir import default_cache_dir
from stepresearch.core.language import CJK_CHARS, has_cjk
from stepresearch.core.text import STOPWORDS, segment, stemmer

log = structlog.get_logger(__name__)

INDEX_FORMAT = "stepresearch-bm25-v2"  # v2: CJK text is segmented into words
# bm25s's own word pattern, and a single CJK character, which is a word of its own ("桥", a bridge). English
# text tokenises exactly as with bm25s's default.
TOKEN_PATTERN = r"(?u)\b\w\w+\b|[" + CJK_CHARS + "]"
# The index cache keeps the most recently used indexes within both bounds, and evicts the rest:
# the default corpus and a few folders fit; a user's abandoned folders do not pile up.
MAX_CACHED_INDEXES = 8
MAX_CACHE_BYTES = 2 * 1024**3


class Passage(BaseModel):
    """The unit BM25 ranks: a whole short document, or one chunk of a long one."""

    doc_uri: str
    title: str
    text: str
    origin: str


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """bm25s's tokens, with CJK runs segmented into their words first (`stepresearch.core.text.segment`)."""
    spaced = [" ".join(_cjk_spaced(t)) if has_cjk(t) else t for t in texts]
    return bm25s.tokenize(
        spaced,
        token_pattern=TOKEN_PATTERN,
        stopwords=list(STOPWORDS),
        stemmer=stemmer(),
        return_ids=False,
        show_progress=False,
    )


def _cjk_spaced(text: str) -> list[str]:
    return [piece for chunk in text.split() for piece in segment(chunk)]


class Bm25Index:
    """Ranks passages for a query. Thread-safe for concurrent search branches."""

    def __init__(self, passages: list[Passage], retriever: bm25s.BM25) -> None:
        self.passages = passages
        self._retriever = retriever
        self._vocab = set(retriever.vocab_dict)
        self._lock = threading.Lock()

    @classmethod
    def build(cls, passages: list[Passage]) -> Bm25Index:
        retriever = bm25s.BM25()
        retriever.index(tokenize([f"{p.title}. {p.text}" for p in passages]), show_progress=False)
        return cls(passages, retriever)

    @classmethod
    def cached(cls, passages_factory, fingerprint: str, cache_dir: Path | None = None) -> Bm25Index:
        """Load the index saved under `fingerprint`, or build and save it.

        `passages_factory` is only called on a cache miss, so a warm start does
        not even re-read the corpus. A cache that cannot be written is not an
        error: the index just lives in memory for this run.
        """
        root = (cache_dir or default_cache_dir()) / "bm25"
        key = hashlib.sha1(f"{INDEX_FORMAT}:{fingerprint}".encode()).hexdigest()[:16]
        target = root / key
        if (target / "passages.json").is_file():
            try:
                retriever = bm25s.BM25.load(str(target / "index"))
                raw = json.loads((target / "passages.json").read_text(encoding="utf-8"))
                log.info("bm25_cache_hit", path=str(target), passages=len(raw))
                os.utime(target)  # recently used: evicted last
                return cls([Passage(**p) for p in raw], retriever)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("bm25_cache_unreadable", path=str(target), error=str(exc))
        index = cls.build(passages_factory())
        index._save(target)
        evict(root, keep=target)
        return index

    def _save(self, target: Path) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
            self._retriever.save(str(staging / "index"), show_progress=False)
            (staging / "passages.json").write_text(
                json.dumps([p.model_dump() for p in self.passages], ensure_ascii=False), encoding="utf-8"
            )
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)  # atomic: a half-written index is never loaded
            log.info("bm25_cache_saved", path=str(target), passages=len(self.passages))
        except OSError as exc:
            log.warning("bm25_cache_not_saved", path=str(target), error=str(exc))

    def search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        tokens = [t for t in tokenize([query])[0] if t in self._vocab]
        if not tokens or not self.passages:
            return []
        k = min(k, len(self.passages))
        with self._lock:
            ids, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.passages[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if float(s) > 0.0]


def cached_indexes(root: Path | None = None) -> list[tuple[Path, int]]:
    """Every cached index with its size in bytes, most recently used first."""
    folder = (root or default_cache_dir()) / "bm25"
    if not folder.is_dir():
        return []
    entries = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [(p, sum(f.stat().st_size for f in p.rglob("*") if f.is_file())) for p in entries]


def evict(root: Path, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used indexes past `MAX_CACHED_INDEXES` or `MAX_CACHE_BYTES`."""
    removed = []
    total = 0
    for rank, (path, size) in enumerate(cached_indexes(root.parent if root.name == "bm25" else root)):
        total += size
        if path != keep and (rank >= MAX_CACHED_INDEXES or total > MAX_CACHE_BYTES):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            log.info("bm25_cache_evicted", path=str(path), bytes=size)
    return removed


def clear_cache(root: Path | None = None) -> tuple[int, int]:
    """Remove every cached index; returns (indexes removed, bytes freed)."""
    entries = cached_indexes(root)
    for path, _ in entries:
        shutil.rmtree(path, ignore_errors=True)
    return len(entries), sum(size for _, size in entries)
