"""A user's own folder of `.md`, `.txt` and `.html` files as a searchable corpus."""

from __future__ import annotations

import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import structlog

from stepresearch.core.errors import CorpusError

from .bm25_index import Bm25Index, Passage
from .corpus import CorpusSearchTool

log = structlog.get_logger(__name__)

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
CHUNK_CHARS = 1200
# A file larger than this is read up to it, and the run's notes name it. Twenty megabytes is a long book;
# past that a "document" is usually a dump, and reading it whole costs memory for little evidence.
MAX_FILE_BYTES = 20 * 1024 * 1024
# A chunk is cut at the last blank space in its final tenth, so words are not split.
CUT_SEARCH = CHUNK_CHARS // 10


class FolderCorpus:
    """Reads a folder once: its documents, and a note for everything it skipped, clipped or repaired."""

    def __init__(self, root: Path, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.documents: dict[str, tuple[str, str]] = {}  # uri -> (title, text)
        self.skipped: list[tuple[str, str]] = []
        self.notes: list[str] = []

    @classmethod
    def read(cls, root: str | Path, max_file_bytes: int = MAX_FILE_BYTES) -> FolderCorpus:
        path = Path(root).expanduser()
        if not path.exists():
            raise CorpusError(f"corpus folder not found: {path}")
        if not path.is_dir():
            raise CorpusError(f"corpus path is not a folder: {path}")
        corpus = cls(path.resolve(), max_file_bytes)
        files = corpus._files()
        for file in files:
            document = corpus._load(file)
            if document is not None:
                corpus.documents[str(file)] = document
        if not corpus.documents:
            raise CorpusError(
                f"no readable documents in {corpus.root} (looked for {', '.join(SUFFIXES)}; "
                f"{len(files)} matching file(s), {len(corpus.skipped)} skipped)"
            )
        if corpus.skipped:
            shown = ", ".join(f"{Path(p).name} ({why})" for p, why in corpus.skipped[:5])
            more = f" and {len(corpus.skipped) - 5} more" if len(corpus.skipped) > 5 else ""
            corpus.notes.insert(0, f"skipped {len(corpus.skipped)} corpus file(s): {shown}{more}")
        return corpus

    def _files(self) -> list[Path]:
        """Matching files under the root, without following links into folders; links that dangle or
        loop are named, not silently dropped."""
        found: list[Path] = []
        for folder, dirs, names in os.walk(self.root, followlinks=False):
            base = Path(folder)
            for name in dirs:
                if (base / name).is_symlink():
                    self._skip(base / name, "a link to a folder (not followed)")
            for name in names:
                file = base / name
                if file.suffix.lower() not in SUFFIXES:
                    continue
                if file.is_symlink():
                    try:
                        file.resolve(strict=True)
                    except RuntimeError:
                        self._skip(file, "a link that loops")
                        continue
                    except OSError:
                        self._skip(file, "a link to nothing")
                        continue
                    if not file.is_file():
                        self._skip(file, "a link to something that is not a file")
                        continue
                found.append(file)
        return sorted(found)

    def _load(self, file: Path) -> tuple[str, str] | None:
        try:
            size = file.stat().st_size
            with file.open("rb") as handle:
                data = handle.read(self.max_file_bytes)
        except OSError as exc:
            self._skip(file, exc.strerror or str(exc))
            return None
        if b"\x00" in data[:4096]:
            self._skip(file, "binary content")
            return None
        if size > self.max_file_bytes:
            self.notes.append(f"read only the first {_size(self.max_file_bytes)} of {file.name} ({_size(size)})")
        raw = data.decode("utf-8", errors="replace")
        replaced = raw.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        if replaced:
            self.notes.append(f"{file.name} is not valid UTF-8: {replaced} undecodable byte sequence(s) replaced")
        title, text = _html_to_text(raw) if file.suffix.lower() in (".html", ".htm") else _plain(raw, file)
        if not text.strip():
            self._skip(file, "no text")
            return None
        return title, text

    def _skip(self, file: Path, reason: str) -> None:
        self.skipped.append((str(file), reason))
        log.warning("corpus_file_skipped", path=str(file), reason=reason)

    def fingerprint(self) -> str:
        parts = [self.root.as_posix(), f"max_file_bytes={self.max_file_bytes}"]
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


def fingerprint_hash(fingerprint: str) -> str:
    """A corpus fingerprint (every file's path, size and mtime) as a short hash, for run_config.json."""
    return hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:16]


def folder_search_tool(
    root: str | Path, cache_dir: Path | None = None, max_file_bytes: int = MAX_FILE_BYTES
) -> CorpusSearchTool:
    """BM25 over a folder of documents; the tool's `notes` say what was skipped, clipped or repaired."""
    corpus = FolderCorpus.read(root, max_file_bytes)
    index = Bm25Index.cached(corpus.passages, corpus.fingerprint(), cache_dir)
    tool = CorpusSearchTool("corpus", index, {uri: text for uri, (_, text) in corpus.documents.items()})
    tool.skipped = corpus.skipped  # type: ignore[attr-defined]
    tool.notes = corpus.notes
    tool.fingerprint = fingerprint_hash(corpus.fingerprint())  # type: ignore[attr-defined]
    return tool


def _size(n: int) -> str:
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n / 1024:.1f} KB"


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
    """Paragraph-aligned chunks of about CHUNK_CHARS, so BM25 ranks passages, not whole books.

    Linear in the text's length: a paragraph longer than two chunks (a file with no blank lines) is cut
    by position, at a space near each boundary, never by copying the rest of it again and again.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if len(para) > 2 * CHUNK_CHARS:
            if current:
                chunks.append("\n\n".join(current))
                current, size = [], 0
            chunks.extend(_cut(para))
            continue
        if current and size + len(para) > CHUNK_CHARS:
            chunks.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def _cut(para: str) -> list[str]:
    out = []
    start = 0
    while start < len(para):
        end = min(len(para), start + CHUNK_CHARS)
        if end < len(para):
            # At a space, or after a CJK full stop: Chinese text has no spaces to cut at.
            space = max(para.rfind(" ", end - CUT_SEARCH, end), para.rfind("。", end - CUT_SEARCH, end - 1) + 1)
            end = space if space > start else end
        out.append(para[start:end].strip())
        start = end
    return [piece for piece in out if piece]


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
