"""A user's own folder of `.md`, `.txt` and `.html` files as a searchable corpus."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import structlog

from stepresearch.errors import CorpusError

from .bm25_index import Bm25Index, Passage
from .corpus import CorpusSearchTool

log = structlog.get_logger(__name__)

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
CHUNK_CHARS = 1200


class FolderCorpus:
    """Reads a folder once: its documents, the files it skipped, and why."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: dict[str, tuple[str, str]] = {}  # uri -> (title, text)
        self.skipped: list[tuple[str, str]] = []

    @classmethod
    def read(cls, root: str | Path) -> FolderCorpus:
        path = Path(root).expanduser()
        if not path.exists():
            raise CorpusError(f"corpus folder not found: {path}")
        if not path.is_dir():
            raise CorpusError(f"corpus path is not a folder: {path}")
        corpus = cls(path.resolve())
        files = sorted(p for p in corpus.root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as exc:
                corpus._skip(file, exc.strerror or str(exc))
                continue
            if b"\x00" in data[:4096]:
                corpus._skip(file, "binary content")
                continue
            raw = data.decode("utf-8", errors="replace")
            title, text = _html_to_text(raw) if file.suffix.lower() in (".html", ".htm") else _plain(raw, file)
            if not text.strip():
                corpus._skip(file, "no text")
                continue
            corpus.documents[str(file)] = (title, text)
        if not corpus.documents:
            raise CorpusError(
                f"no readable documents in {corpus.root} (looked for {', '.join(SUFFIXES)}; "
                f"{len(files)} matching file(s), {len(corpus.skipped)} skipped)"
            )
        return corpus

    def _skip(self, file: Path, reason: str) -> None:
        self.skipped.append((str(file), reason))
        log.warning("corpus_file_skipped", path=str(file), reason=reason)

    def fingerprint(self) -> str:
        parts = [self.root.as_posix()]
        for uri in sorted(self.documents):
            stat = Path(uri).stat()
            parts.append(f"{uri}:{stat.st_size}:{stat.st_mtime_ns}")
        return "\n".join(parts)

    def passages(self) -> list[Passage]:
        out = []
        for uri, (title, text) in self.documents.items():
            for chunk in _chunks(text):
                out.append(Passage(doc_uri=uri, title=title, text=chunk, origin=uri))
        return out


def folder_search_tool(root: str | Path, cache_dir: Path | None = None) -> CorpusSearchTool:
    corpus = FolderCorpus.read(root)
    index = Bm25Index.cached(corpus.passages, corpus.fingerprint(), cache_dir)
    tool = CorpusSearchTool("corpus", index, {uri: text for uri, (_, text) in corpus.documents.items()})
    tool.skipped = corpus.skipped  # type: ignore[attr-defined]
    return tool


def _plain(raw: str, file: Path) -> tuple[str, str]:
    title = file.stem.replace("_", " ").replace("-", " ")
    for line in raw.splitlines():
        if line.strip():
            heading = line.strip().lstrip("#").strip()
            if line.lstrip().startswith("#") and heading:
                title = heading
            break
    return title, raw


def _chunks(text: str) -> list[str]:
    """Paragraph-aligned chunks of about CHUNK_CHARS, so BM25 ranks passages, not whole books."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    chunks: list[str] = []
    current = ""
    for para in paragraphs:
        if current and len(current) + len(para) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current}\n\n{para}" if current else para
        while len(current) > 2 * CHUNK_CHARS:
            chunks.append(current[:CHUNK_CHARS])
            current = current[CHUNK_CHARS:]
    if current:
        chunks.append(current)
    return chunks


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript") and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
        else:
            self.parts.append(data)


def _html_to_text(raw: str) -> tuple[str, str]:
    parser = _TextExtractor()
    parser.feed(raw)
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()
    return parser.title.strip() or text[:60], text
