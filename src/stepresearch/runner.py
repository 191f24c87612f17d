"""Running one research question end to end into a run folder, durably.

The run folder holds `report.md`, `run.json`, `sources.json` (the text of every
retrieved source, so the report can be re-verified later) and `checkpoints.sqlite`. Every
super-step is checkpointed, so a run that dies (a killed process, a policy
server gone away) keeps its progress and `resume=True` continues it without
redoing finished nodes.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from stepresearch.errors import UsageError
from stepresearch.graphs import build_graph, sqlite_checkpointer
from stepresearch.state import Budgets, ResearchState

from .run_record import run_record

log = structlog.get_logger(__name__)

MAX_QUESTION_CHARS = 4000
THREAD_FILE = ".thread"
SOURCES_FILE = "sources.json"  # every retrieved source with its text, for `stepresearch verify`

# on_event(kind, node, payload): kind is "start" when a node starts, "update" when it returns.
EventHandler = Callable[[str, str, Any], None]


class RunResult(BaseModel):
    model_config = {"arbitrary_types_allowed": True}

    out_dir: Path
    report_path: Path
    run_json_path: Path
    thread_id: str
    state: dict


def check_question(question: str | None) -> str:
    text = (question or "").strip()
    if not text:
        raise UsageError('the question is empty; ask something, e.g. stepresearch run "Why did Rome fall?"')
    if len(text) > MAX_QUESTION_CHARS:
        raise UsageError(f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return text


def run_research(
    question: str | None,
    out_dir: str | Path,
    *,
    policy: BaseChatModel | None = None,
    tools: Iterable[Any] | None = None,
    budgets: Budgets | None = None,
    resume: bool = False,
    on_event: EventHandler | None = None,
    extra_record: dict[str, Any] | None = None,
    graph_options: dict[str, Any] | None = None,
) -> RunResult:
    """Research `question` and write the report into `out_dir`; `resume=True` continues the last run there.

    `graph_options` go to `build_graph` (for example `nodes=`, `interactive=`, `prompt_layout=`).
    """
    out = Path(out_dir)
    if resume:
        thread_id = _last_thread(out)
    _check_out_dir(out)
    checkpoint_path = out / "checkpoints.sqlite"
    if not resume:
        question = check_question(question)
        thread_id = "run-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
    checkpointer = sqlite_checkpointer(checkpoint_path)
    try:
        graph = build_graph(policy, tools, budgets=budgets, checkpointer=checkpointer, **(graph_options or {}))
        config = {"configurable": {"thread_id": thread_id}}
        if resume:
            graph_input = None
            _check_resumable(graph.get_state(config), out, thread_id)
        else:
            (out / THREAD_FILE).write_text(thread_id, encoding="utf-8")
            graph_input = {"question": question}
        log.info("run_start", thread_id=thread_id, out_dir=str(out), resume=resume)
        started = time.perf_counter()
        for mode, chunk in graph.stream(graph_input, config, stream_mode=["tasks", "updates"]):
            if on_event is None:
                continue
            if mode == "tasks" and "input" in chunk:
                on_event("start", chunk["name"], chunk["input"])
            elif mode == "updates":
                for node, update in chunk.items():
                    on_event("update", node, update)
        total_s = time.perf_counter() - started
        final: ResearchState = graph.get_state(config).values  # type: ignore[assignment]
    finally:
        checkpointer.conn.close()

    report_path = out / "report.md"
    run_json_path = out / "run.json"
    sources = [
        s.model_dump(include={"id", "title", "uri", "text", "tool", "origin"})
        for s in final.get("sources", {}).values()
    ]
    (out / SOURCES_FILE).write_text(json.dumps(sources, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report = final.get("report")
    report_path.write_text(report.markdown if report else "", encoding="utf-8")
    record = run_record(final, total_s=total_s, thread_id=thread_id, extra=extra_record)
    run_json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("run_end", thread_id=thread_id, seconds=round(total_s, 2), report=str(report_path))
    return RunResult(
        out_dir=out, report_path=report_path, run_json_path=run_json_path, thread_id=thread_id, state=final
    )


def _check_resumable(snapshot: Any, out: Path, thread_id: str) -> None:
    if not snapshot.values:
        raise UsageError(f"nothing to resume in {out}: its checkpoint holds no state for {thread_id}")
    if not snapshot.next:
        raise UsageError(f"the run in {out} already finished; start a new one without --resume")
    log.info("run_resume", thread_id=thread_id, next=list(snapshot.next))


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out must be a folder, and {out} is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to the run folder {out}: {exc.strerror or exc}") from exc


def _last_thread(out: Path) -> str:
    marker = out / THREAD_FILE
    if not marker.is_file() or not (out / "checkpoints.sqlite").is_file():
        raise UsageError(f"nothing to resume in {out}: no checkpoint found there")
    return marker.read_text(encoding="utf-8").strip()
