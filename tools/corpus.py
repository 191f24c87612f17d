"""Search over a local corpus: BM25 picks passages, hits come back one per document."""

from __future__ import annotations

from .base import SearchHit
from .bm25_index import Bm25Index

MAX_DOCUMENT_CHARS = 20_000


class CorpusSearchTool:
    """BM25 over passages, deduplicated to documents.

    A long document is indexed as several passages; its hit carries the
    document's text (up to `MAX_DOCUMENT_CHARS`) with the best-matching passage
    first, so a reader sees the relevant part even in a clipped document.
    """

    def __init__(self, name: str, index: Bm25Index, documents: dict[str, str] | None = None) -> None:
        self.name = name
        self.index = index
        self._documents = documents or {}
        self.notes: list[str] = []  # what reading the corpus skipped, clipped or repaired: the run reports it

    @property
    def size(self) -> int:
        return len({p.doc_uri for p in self.index.passages})

    def search(self, query: str, k: int) -> list[SearchHit]:
        hits: dict[str, SearchHit] = {}
        for passage, score in self.index.search(query, k * 3):
            if passage.doc_uri in hits:
                continue
            full = self._documents.get(passage.doc_uri, passage.text)
            text = full if len(full) <= MAX_DOCUMENT_CHARS else _lead_with(passage.text, full)
            hits[passage.doc_uri] = SearchHit(
                title=passage.title, uri=passage.doc_uri, text=text, score=score, origin=passage.origin
            )
            if len(hits) == k:
                break
        return list(hits.values())


def _lead_with(passage: str, full: str) -> str:
    rest = full.replace(passage, "", 1)
    return (passage + "\n\n" + rest)[:MAX_DOCUMENT_CHARS]
