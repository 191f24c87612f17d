"""Re-checking a run folder's report after a person edited it: `stepresearch verify RUN_DIR`.

A hand-edited report can be anything: citations before or after the full
stop, numbers missing from `## Sources`, the Sources section deleted, an
empty file, a binary one. Each gives a correct result or one clear
`UsageError`, never a traceback. With `fix=True` the repaired report is
written back atomically, and `run.json`'s `sources` and `citations` are
brought in step with it.

The report's headings and marks are in its language: read from its own
headings, else from `run.json`'s brief (a report that lost every heading).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from stepresearch.core.atomic import write_atomically
from stepresearch.core.errors import UsageError
from stepresearch.core.phrases import DEFAULT_LANGUAGE, report_language
from stepresearch.judge import Judge, SemanticJudge
from stepresearch.nodes.citation_check import ValidationResult, validate_markdown
from stepresearch.state import Source

from .run_folder import REPORT_FILE, RUN_FILE, SOURCES_FILE
from .run_record import CitedSource, load_run_record, write_run_record


class RecheckResult(BaseModel):
    validation: ValidationResult
    changed: bool
    written: bool = False
    record_updated: bool = False


def recheck_run(run_dir: str | Path, *, fix: bool = False, judge: Judge | None = None) -> RecheckResult:
    """Validate the report in `run_dir` against the sources the run retrieved; repair it with `fix=True`."""
    folder = Path(run_dir)
    report_path = _report_path(folder)
    markdown = read_text_file(report_path, "report")
    sources = load_sources(folder / SOURCES_FILE)
    language = report_language(markdown, default=recorded_language(folder / RUN_FILE))
    result = validate_markdown(markdown, sources, judge or SemanticJudge(), language)
    changed = result.markdown != markdown
    outcome = RecheckResult(validation=result, changed=changed)
    if fix and changed:
        write_atomically(report_path, result.markdown)
        outcome.written = True
        outcome.record_updated = _update_record(folder / RUN_FILE, result, sources)
    return outcome


def recorded_language(path: Path) -> str:
    """The question's language as run.json's brief records it; English for a run without one."""
    try:
        brief = load_run_record(path).brief or {}
    except UsageError:
        return DEFAULT_LANGUAGE
    language = brief.get("language")
    return language if isinstance(language, str) and language else DEFAULT_LANGUAGE


def _report_path(folder: Path) -> Path:
    if not folder.exists():
        raise UsageError(f"{folder} is not a run folder: it does not exist")
    if not folder.is_dir():
        raise UsageError(f"{folder} is a file; give the run folder that holds {REPORT_FILE} and {SOURCES_FILE}")
    path = folder / REPORT_FILE
    if not path.exists():
        raise UsageError(f"{folder} is not a run folder: {REPORT_FILE} is missing")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a report")
    return path


def read_text_file(path: Path, what: str) -> str:
    """UTF-8 text, or one clear error that names the file and what is wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise UsageError(f"the {what} {path} is a binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"the {what} {path} is not UTF-8 text (byte {exc.start})") from None


def load_sources(path: Path) -> list[Source]:
    """The run's retrieved sources, with one clear error for a missing, malformed or incomplete file."""
    if not path.is_file():
        raise UsageError(f"{path.parent} is not a run folder: {SOURCES_FILE} is missing")
    text = read_text_file(path, "sources file")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(raw, list):
        raise UsageError(f"{path} must hold a list of sources, and it holds a {type(raw).__name__}")
    sources = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: entry {i} is not an object")
        try:
            sources.append(Source(**{"origin": entry.get("uri", ""), "tool": "", **entry}))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "?"
            raise UsageError(f"{path}: entry {i} has a bad or missing field {field!r} ({first['msg']})") from None
    return sources


def _update_record(path: Path, result: ValidationResult, sources: list[Source]) -> bool:
    """run.json's numbered sources and citation figures follow the repaired report; False if there is no
    usable run.json to update (the report is repaired all the same)."""
    try:
        record = load_run_record(path)
    except UsageError:
        return False
    by_id = {s.id: s for s in sources}
    record.sources = [
        CitedSource(n=n, id=sid, title=by_id[sid].title, uri=by_id[sid].uri, tool=by_id[sid].tool)
        for n, sid in enumerate(result.cited_source_ids, start=1)
        if sid in by_id
    ]
    record.citations = result.stats.model_dump()
    record.notes = [*record.notes, "report.md was re-checked and repaired by `stepresearch verify --fix`"]
    write_run_record(path, record)
    return True
