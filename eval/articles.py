"""Reports to score: where they come from, their citations, and their text with citations stripped.

A report is a Markdown article, ours or another system's, with numbered citations (`[1]`, `[1][3]`,
`[1, 2]`, `[2-4]`) resolved by a reference list under a heading such as "Sources" or "References", or with
inline links (`[text](https://...)`). The text behind each cited source is a `Page`: for our run folders,
the retrieved text in `sources.json`; for another system's report, the pages the user supplies
(`--pages`, a JSONL of `{url, text, title}`). A citation whose source has no page is `unknown`, never
supported.

Reading another system's Markdown is deterministic and heuristic: a citation inside a table is not read
(our Verification table cites sources that disagree by design), and a reference line must start with its
number. The statement a citation covers is the stretch of its sentence since the previous citation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from stepresearch.app.run_folder import CHECKPOINT_FILE, CONFIG_FILE, REPORT_FILE, RUN_FILE, SOURCES_FILE, THREAD_FILE
from stepresearch.core.errors import UsageError
from stepresearch.core.phrases import TABLES
from stepresearch.core.text import split_sentences

# A folder with any of these is a run folder: without report.md it holds a run that did not finish.
RUN_MARKERS = (RUN_FILE, CONFIG_FILE, CHECKPOINT_FILE, THREAD_FILE)
# Headings that open a reference list, in the languages reports come in (ours come from phrases.TABLES).
REFERENCE_HEADINGS = ("sources", "references", "reference", "bibliography", "citations", "works cited",
                      "参考文献", "参考资料", "参考来源", "引用", "来源")  # fmt: skip
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MARK_GROUP = re.compile(r"\[(\d+(?:\s*[,，、;–-]\s*\d+)*)\]")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://[^\s<>\]\)]+")
_REFERENCE_LINE = re.compile(r"^\s*(?:[-*]\s*)?\[?(\d+)\]?[.:)]?\s+(.*\S)\s*$")
_OUR_REFERENCE = re.compile(r"^(.*?)\s+—\s+(\S+)$")  # "[n] Title — uri", as our renderer writes it
_MARKS_AFTER_STOP = re.compile(r"([.!?。！？])((?:\s*\[\d+(?:\s*[,，、;–-]\s*\d+)*\])+)")
_TRAILING = ".,;:)]}>\"'"
MAX_RANGE = 20  # "[2-4]" cites 2, 3 and 4; a wider "range" is more likely two numbers joined by a dash


class Page(BaseModel):
    """The text behind one cited source."""

    ref: str = Field(description="The source's URL or uri, as the reference list gives it.")
    title: str = ""
    text: str


class Citation(BaseModel):
    """One (statement, cited source) pair."""

    statement: str
    ref: str | None = Field(description="The cited source's URL or uri; None when the number is not listed.")
    number: int | None = None
    title: str = ""


class Article(BaseModel):
    """One report of one system for one task."""

    task_id: str
    system: str
    markdown: str
    origin: str = Field(description="Where the report was read: a run folder, or FILE.jsonl:LINE.")
    pages: dict[str, Page] | None = Field(
        default=None, description="Text per source ref; None when the report came with no source text at all."
    )
    run_dir: str | None = None


def strip_citations(markdown: str) -> str:
    """The article as a reader judges it: no citation marks, no reference list, links as their words."""
    body, _ = split_references(markdown)
    body = _LINK.sub(r"\1", body)
    body = _MARK_GROUP.sub("", body)
    return re.sub(r"[ \t]+([.,;:!?。，；：！？])", r"\1", body).strip() + "\n"


def split_references(markdown: str) -> tuple[str, dict[int, tuple[str, str]]]:
    """(the article before its reference list, {number: (ref, title)}). The list is the last section whose
    heading is a reference heading; a list line is `[n] ...` or `n. ...` with a URL, or our `Title — uri`."""
    lines = markdown.splitlines()
    start = None
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and _is_reference_heading(heading.group(1)) and _section_lines(lines, i):
            start = i  # a heading that merely says "Reference" (a title) lists nothing, and is not the list
    if start is None:
        return markdown, {}
    listed: dict[int, tuple[str, str]] = {}
    for match in _section_lines(lines, start):
        rest = match.group(2)
        ours = _OUR_REFERENCE.match(rest)
        url = _URL.search(rest)
        if url:
            ref = url.group(0).rstrip(_TRAILING)
            title = _LINK.sub(r"\1", rest.replace(url.group(0), "")).strip(" -—–:()[]<>.,")
        elif ours:
            title, ref = ours.group(1), ours.group(2)
        else:
            title = ref = rest
        listed[int(match.group(1))] = (ref, title)
    return "\n".join(lines[:start]), listed


def citations(markdown: str) -> list[Citation]:
    """Every (statement, cited source) pair of the article's prose, each pair once."""
    return citations_in(*split_references(markdown))


def citations_in(body: str, listed: dict[int, tuple[str, str]]) -> list[Citation]:
    """The pairs of `body`, its numbers resolved by `listed` (the article's reference list)."""
    out: list[Citation] = []
    seen: set[tuple[str, str | None, int | None]] = set()
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("|", "#")):
            continue
        text = _MARKS_AFTER_STOP.sub(r"\2\1", re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", stripped))
        for sentence in split_sentences(text):
            for citation in _sentence_citations(sentence, listed):
                key = (citation.statement, citation.ref, citation.number)
                if citation.statement and key not in seen:
                    seen.add(key)
                    out.append(citation)
    return out


def find_page(pages: dict[str, Page] | None, ref: str | None) -> Page | None:
    """The page for a cited ref, matching URLs loosely (scheme, `www.`, a trailing slash, a fragment)."""
    if pages is None or ref is None:
        return None
    if ref in pages:
        return pages[ref]
    wanted = normalise_url(ref)
    return next((page for key, page in pages.items() if normalise_url(key) == wanted), None)


def normalise_url(url: str) -> str:
    url = url.strip().split("#", 1)[0].rstrip("/")
    return re.sub(r"^https?://(www\.)?", "", url).lower()


# --- where reports are read from --------------------------------------------------------------------------


def read_run_folder(folder: Path, task_id: str, system: str) -> Article:
    """The report of one run folder, with its retrieved sources as pages; a folder without one is refused."""
    report = folder / REPORT_FILE
    if not report.is_file():
        raise UsageError(f"report folder {folder} holds no {REPORT_FILE} (did its run finish?)")
    pages = None
    sources_path = folder / SOURCES_FILE
    if sources_path.is_file():
        try:
            rows = json.loads(sources_path.read_text(encoding="utf-8"))
            pages = {r["uri"]: Page(ref=r["uri"], title=r.get("title", ""), text=r.get("text", "")) for r in rows}
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UsageError(f"{sources_path} is not a sources list: {exc}") from None
    return Article(
        task_id=task_id,
        system=system,
        markdown=report.read_text(encoding="utf-8"),
        origin=str(folder),
        pages=pages,
        run_dir=str(folder),
    )


def run_question(folder: Path) -> str | None:
    """The question a run folder's run.json records, if it has a readable one."""
    from stepresearch.app.run_record import load_run_record

    try:
        return load_run_record(folder / RUN_FILE).question
    except UsageError:
        return None


def read_articles_jsonl(path: Path) -> list[tuple[int, dict]]:
    """Another system's output, DeepResearch Bench's raw-data shape: `{id, prompt, article}` a line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(row, dict) or not isinstance(row.get("article"), str):
            raise UsageError(f"{path}:{number}: a report line is {{id, prompt, article}} with the article a string")
        if "id" not in row and "prompt" not in row:
            raise UsageError(f"{path}:{number}: a report line needs an id or a prompt to match it to its task")
        rows.append((number, row))
    if not rows:
        raise UsageError(f"{path} holds no report")
    return rows


def read_pages(path: Path) -> dict[str, Page]:
    """`--pages`: a JSONL of `{url, text, title}`, the text behind another system's cited URLs."""
    if not path.is_file():
        raise UsageError(f"--pages {path} does not exist")
    pages: dict[str, Page] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            page = Page(ref=row["url"], title=row.get("title", ""), text=row["text"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}:{number}: a page line is {{url, text, title}}: {exc}") from None
        pages[page.ref] = page
    return pages


def _section_lines(lines: list[str], start: int) -> list[re.Match]:
    """The reference lines of the section under the heading at `start`."""
    out = []
    for line in lines[start + 1 :]:
        if _HEADING.match(line):
            break
        match = _REFERENCE_LINE.match(line)
        if match:
            out.append(match)
    return out


def _sentence_citations(sentence: str, listed: dict[int, tuple[str, str]]) -> list[Citation]:
    out: list[Citation] = []
    last, statement = 0, ""
    marks = sorted([*_MARK_GROUP.finditer(sentence), *_LINK.finditer(sentence)], key=lambda m: m.start())
    for mark in marks:
        covered = _plain(sentence[last : mark.start()] + (mark.group(1) if mark.re is _LINK else ""))
        statement = covered if _has_words(covered) else statement  # "[1] [2]": both cover the same stretch
        if not _has_words(statement):
            statement = _plain(_MARK_GROUP.sub("", _LINK.sub(r"\1", sentence)))
        if mark.re is _LINK:
            out.append(Citation(statement=statement, ref=mark.group(2).rstrip(_TRAILING), title=mark.group(1)))
        else:
            for number in _numbers(mark.group(1)):
                ref, title = listed.get(number, (None, ""))
                out.append(Citation(statement=statement, ref=ref, number=number, title=title))
        last = mark.end()
    return out


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,，、;]\s*", group):
        if part and re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            a, b = (int(n) for n in re.split(r"\s*[–-]\s*", part))
            out += list(range(a, b + 1)) if 0 < b - a <= MAX_RANGE else [a, b]
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def _plain(text: str) -> str:
    text = text.strip(" \t-—–:;,：；，")
    if ": " in text:
        text = text.rsplit(": ", 1)[1]  # "Another source disagrees: ..." — the label is not the claim
    return text.strip()


def _has_words(text: str) -> bool:
    return len(re.findall(r"\w", text)) >= 3


def _is_reference_heading(text: str) -> bool:
    text = text.strip().strip("*").strip().lower()
    ours = {table.sources.lower() for table in TABLES.values()}
    return text in ours or any(text == h or text.startswith(h + " ") for h in REFERENCE_HEADINGS)
