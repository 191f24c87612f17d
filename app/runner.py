"""Running one research question end to end into a run folder, durably.

The run folder holds `report.md`, `run.json`, `sources.json` (the text of every
retrieved source, so the report can be re-verified later), `checkpoints.sqlite`
and `run_config.json`. Every super-step is checkpointed, so a run that dies (a
killed process, a policy server gone away) keeps its progress and `resume=True`
continues it without redoing finished nodes; one killed while writing its
files gets them written on resume. One process writes a folder at a time.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from pydantic import BaseModel

from stepresearch.core.atomic import write_atomically
from stepresearch.core.errors import StepResearchError, UsageError
from stepresearch.core.faults import fault_point
from stepresearch.graphs import PromptRecorder, build_graph, sqlite_checkpointer
from stepresearch.judge import AutoJudge
from stepresearch.nodes import research_context
from stepresearch.nodes.clarify import ClarificationRequest
from stepresearch.nodes.context_window import LogBudget, log_budget
from stepresearch.nodes.plan_review import PlanReviewRequest
from stepresearch.nodes.sources_review import SourcesReviewRequest
from stepresearch.state import Budgets, PromptRecord, ResearchState, is_finished
from stepresearch.tools import Toolset

from .events import STREAM_MODES, ResearchEvent, events_of
from .run_folder import (
    CHECKPOINT_FILE,
    REPORT_FILE,
    RESULT_FILES,
    RUN_FILE,
    SOURCES_FILE,
    THREAD_FILE,
    VIEWER_FILE,
    RunConfig,
    RunFolder,
)
from .run_record import run_record, write_run_record
from .viewer import render_page, run_view

# The interrupts a reviewer answers, by their payload's kind.
REVIEW_REQUESTS = {"plan_review": PlanReviewRequest, "sources_review": SourcesReviewRequest}

log = structlog.get_logger(__name__)

MAX_QUESTION_CHARS = 4000
PROMPTS_FILE = "prompts.jsonl"  # every prompt the run sent, one JSON line each (graphs/prompt_recorder.py)

# on_event(kind, node, payload): kind is "start" when a node starts, "update" when it returns.
EventHandler = Callable[[ResearchEvent], None]


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
    run_config: RunConfig | None = None,
    overwrite: bool = False,
    ask: Callable[[ClarificationRequest], str | None] | None = None,
    tokens: bool = False,
    viewer: bool = True,
    review: Callable[[PlanReviewRequest | SourcesReviewRequest], Any] | None = None,
) -> RunResult:
    """Research `question` and write the report into `out_dir`; `resume=True` continues the last run there.

    The folder is locked for the whole run (a second writer gets a `UsageError`). A new run refuses a
    folder that already holds a run unless `overwrite=True`. `run_config` is recorded in the folder so
    that a resume can rebuild the same tools and policy. Resuming a run that finished but was killed
    before its files were written writes them from the final checkpoint. `graph_options` go to
    `build_graph` (`nodes=`, `insert=`) and `research_context` (`interactive=`, `prompt_layout=`, `judge=`, `policy_capable=`,
    `tool_timeout_s=`).
    Every prompt sent is recorded, through a callback, in the folder's `prompts.jsonl` for the cache figures.
    `on_event` gets the run's typed events (`stepresearch.app.events`), with `Token` events too when `tokens`.
    `ask` makes the run interactive: the clarify node pauses with a `ClarificationRequest`, `ask` is called
    with it, and its answer (None: no answer) resumes the graph. run.json records the exchange.
    `viewer=False` leaves out run.html (`stepresearch.app.viewer`), the page that shows the run in a browser.
    `review` makes the run reviewed by a person, where `graph_options["review"]` says (default `{"plan"}`):
    the plan node pauses with a `PlanReviewRequest` ("plan": the first round's; "rounds": each follow-up
    round's), reflect with a `SourcesReviewRequest` before the writing ("sources"); `review` is called with
    the request and its reply resumes the graph (`nodes/plan_review.py`, `nodes/sources_review.py`).
    """
    out = Path(out_dir)
    tools = tools if isinstance(tools, Toolset) else list(tools) if tools is not None else None  # keeps its notes
    if resume:
        thread_id = last_thread(out)
    else:
        question = check_question(question)
        thread_id = "run-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
    _check_out_dir(out)
    folder = RunFolder(out)
    folder.acquire()
    checkpointer = None
    try:
        if not resume:
            _check_fresh(out, folder, overwrite)
            if run_config is not None:
                folder.save_config(run_config)
        checkpointer = _open_checkpointer(out)
        options = dict(graph_options or {})
        nodes = options.pop("nodes", None)
        insert = options.pop("insert", ())
        if options.pop("interactive", False) and ask is None:
            raise UsageError("an interactive run needs someone to ask: pass ask=callable(request) -> answer")
        options["interactive"] = ask is not None
        kinds = options.pop("review", None)
        if kinds and review is None:
            raise UsageError("a reviewed run needs a reviewer: pass review=callable(request) -> reply")
        options["review"] = (kinds or {"plan"}) if review is not None else ()
        context = research_context(policy, tools, budgets=budgets, **options)
        graph = build_graph(
            nodes=nodes, insert=insert, checkpointer=checkpointer, max_concurrency=context.budgets.search_concurrency
        )
        if not resume:
            (out / PROMPTS_FILE).unlink(missing_ok=True)  # an --overwrite run starts its prompt record afresh
        recorder = PromptRecorder(context.policy, out / PROMPTS_FILE)
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}, "callbacks": [recorder]}
        record_extra = {**(extra_record or {})}
        budget = log_budget(context.policy, context.budgets.max_context_tokens)
        server = getattr(policy, "server", None)
        if isinstance(server, BaseModel):  # a served policy: what it said about itself at start-up
            record_extra["policy_server"] = server.model_dump(exclude={"waited_s"})
        if resume:
            snapshot = _snapshot(graph, config, out)
            if not snapshot.values:
                raise UsageError(f"nothing to resume in {out}: its checkpoint holds no state for {thread_id}")
            if is_finished(snapshot.values):
                if _results_written(out, viewer):
                    raise UsageError(f"the run in {out} already finished; start a new one without --resume")
                log.info("run_files_rewritten", thread_id=thread_id, out_dir=str(out))
                final = snapshot.values
                total_s = sum((final.get("timings") or {}).values())
                notes = ["report.md, run.json and sources.json were written from the final checkpoint on --resume"]
                extra = {**record_extra, "resume_notes": notes}
                return _write_results(
                    out, final, total_s, thread_id, recorder.records, extra, budget, graph if viewer else None, context
                )
            # Not finished, whatever the checkpoint's next tasks look like: LangGraph continues from the last
            # checkpoint, keeps the writes of the tasks that finished after it, and runs only the rest.
            log.info("run_resume", thread_id=thread_id, next=list(snapshot.next))
            graph_input = None
        else:
            write_atomically(out / THREAD_FILE, thread_id)
            graph_input = {"question": question, "notes": tool_notes(tools)}
        log.info("run_start", thread_id=thread_id, out_dir=str(out), resume=resume)
        started = time.perf_counter()
        # durability="sync": each step's checkpoint is on disk before the next step starts, so a kill at
        # any moment resumes from a state that the steps before it really reached.
        while True:
            pending = _stream_until_pause(graph, graph_input, config, context, on_event, tokens)
            if pending is None:
                break
            if pending.get("kind") in REVIEW_REQUESTS:
                asked = REVIEW_REQUESTS[pending["kind"]].model_validate(pending)
                reply = review(asked) if review is not None else None
                log.info("reviewed", kind=asked.kind, replied=reply is not None)
                graph_input = Command(resume=reply if reply is not None else {"approve": True})
                continue
            request = ClarificationRequest.model_validate(pending)
            answer = ask(request) if ask is not None else None
            log.info("clarification_answered", answered=answer is not None)
            graph_input = Command(resume={"answer": answer})  # LangGraph cannot resume with a bare None
        total_s = time.perf_counter() - started
        snapshot = graph.get_state(config)
        final: ResearchState = snapshot.values  # type: ignore[assignment]
        if not is_finished(final):
            raise _unfinished(out, snapshot, resume)
        return _write_results(
            out, final, total_s, thread_id, recorder.records, record_extra, budget, graph if viewer else None, context
        )
    finally:
        if checkpointer is not None:
            checkpointer.conn.close()
        folder.release()


def _stream_until_pause(
    graph: Any,
    graph_input: Any,
    config: RunnableConfig,
    context: Any,
    on_event: EventHandler | None,
    tokens: bool,
) -> dict[str, Any] | None:
    """Run the graph until it ends (None) or pauses in an interrupt (its payload), telling `on_event`."""
    pending = None
    seen: Counter[str] = Counter()  # updates per node in this process, for the `after:<node>#<k>` fault points
    # "tasks" is the runner's own: a task's start is where the `before:<node>` fault points are.
    modes = [*STREAM_MODES, "tasks"] + (["messages"] if tokens else [])
    for mode, chunk in graph.stream(graph_input, config, context=context, stream_mode=modes, durability="sync"):
        if on_event is not None:
            for event in events_of(mode, chunk):
                on_event(event)
        if mode == "tasks" and "input" in chunk:
            # A task starts only once the step before it is checkpointed: for the node after a fan-out this
            # is the join, with every branch's writes in the checkpoint.
            fault_point(f"before:{chunk['name']}")
        if mode == "updates":
            for node, update in chunk.items():
                if node == "__interrupt__":
                    pending = update[0].value
                else:
                    seen[node] += 1
                    fault_point(f"after:{node}")
                    fault_point(f"after:{node}#{seen[node]}")
    return pending


def _write_results(
    out: Path,
    final: ResearchState,
    total_s: float,
    thread_id: str,
    prompts: list[PromptRecord],
    record_extra: dict[str, Any],
    budget: LogBudget,
    graph: Any | None,
    context: Any,
) -> RunResult:
    """sources.json, report.md, run.json, then run.html (when `graph` is given), each written atomically; a
    kill between them leaves a run whose `--resume` writes them again from the checkpoint."""
    report_path = out / REPORT_FILE
    run_json_path = out / RUN_FILE
    sources = [
        s.model_dump(include={"id", "title", "uri", "text", "tool", "origin"})
        for s in final.get("sources", {}).values()
    ]
    fault_point("before-write:sources.json")
    write_atomically(out / SOURCES_FILE, json.dumps(sources, indent=1, ensure_ascii=False) + "\n")
    report = final.get("report")
    fault_point("before-write:report.md")
    write_atomically(report_path, report.markdown if report else "")
    if isinstance(context.judge, AutoJudge):
        context.judge.decide()  # an `auto` judge decides when it first judges; this process may not have
    judged = {"judge": context.judge.name}
    if context.judge_decision is not None:
        judged["judge_decision"] = context.judge_decision.settled(context.judge).model_dump(mode="json")
    record = run_record(
        final, total_s=total_s, thread_id=thread_id, prompts=prompts, log_budget=budget,
        extra={**judged, **record_extra}, count_tokens=_token_counter(context.policy),
    )  # fmt: skip
    fault_point("before-write:run.json")
    write_run_record(run_json_path, record)
    if graph is not None:
        view = run_view(final, graph, status="finished", record=record.model_dump(mode="json"))
        fault_point(f"before-write:{VIEWER_FILE}")
        write_atomically(out / VIEWER_FILE, render_page(view))
    log.info("run_end", thread_id=thread_id, seconds=round(total_s, 2), report=str(report_path))
    return RunResult(
        out_dir=out, report_path=report_path, run_json_path=run_json_path, thread_id=thread_id, state=final
    )


def _token_counter(policy) -> Callable[[str], int] | None:
    """The policy's own tokenizer as a counter, when it has one (the embedded model does)."""
    tokenize = getattr(policy, "tokenize", None)
    if not callable(tokenize):
        return None

    def count(text: str) -> int:
        try:
            return len(tokenize(text))
        except Exception:  # a served model without a tokenize endpoint: count words instead
            return len(text.split())

    return count


def _check_fresh(out: Path, folder: RunFolder, overwrite: bool) -> None:
    if overwrite:
        return
    if folder.holds_results():
        raise UsageError(
            f"run folder {out} holds a finished run; choose another --out, or pass --overwrite to replace its report"
        )
    if (out / THREAD_FILE).is_file():
        raise UsageError(
            f"run folder {out} holds an unfinished run; continue it with --resume, or pass --overwrite to start over"
        )


def _open_checkpointer(out: Path):
    path = out / CHECKPOINT_FILE
    try:
        return sqlite_checkpointer(path)
    except sqlite3.DatabaseError as exc:
        raise UsageError(
            f"{path} is not a readable checkpoint database ({exc}); start over in another folder"
        ) from None


def _snapshot(graph, config: dict, out: Path):
    try:
        return graph.get_state(config)
    except sqlite3.DatabaseError as exc:
        raise UsageError(
            f"{out / CHECKPOINT_FILE} is not a readable checkpoint database ({exc}); start over in another folder"
        ) from None


def tool_notes(tools: Iterable[Any] | None) -> list[str]:
    """What setting up the tools left out (a `Toolset`'s notes: an MCP server that did not start), and what
    each tool skipped, clipped or repaired while reading its corpus: the report names it."""
    own = [str(note) for note in getattr(tools, "notes", None) or []]
    return list(
        dict.fromkeys([*own, *(str(note) for tool in tools or [] for note in getattr(tool, "notes", None) or [])])
    )


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


def _results_written(out: Path, viewer: bool) -> bool:
    """Every result file of a finished run is in the folder (run.html too, when the run writes one)."""
    names = RESULT_FILES + ((VIEWER_FILE,) if viewer else ())
    return all((out / name).is_file() for name in names)


def _unfinished(out: Path, snapshot: Any, resume: bool) -> StepResearchError:
    """The graph stopped without a validated report: say where, and write no result file from that state."""
    where = ", ".join(snapshot.next) or "no further step"
    if resume:
        return UsageError(
            f"the checkpoint in {out} cannot be continued: the graph stops before a validated report "
            f"(next: {where}); no result file was written and the checkpoint is kept"
        )
    return StepResearchError(
        f"the research stopped before a validated report (next: {where}); no result file was written"
    )


def read_checkpoint(out: Path) -> Any:
    """The folder's latest state snapshot (pending writes of a half-done step applied), read through a graph
    with no policy or tools: cheap, and safe before any model or index loads."""
    thread_id = last_thread(out)
    checkpointer = _open_checkpointer(out)
    try:
        return _snapshot(build_graph(checkpointer=checkpointer), {"configurable": {"thread_id": thread_id}}, out)
    finally:
        checkpointer.conn.close()


def check_resumable(out: Path, viewer: bool = True) -> str:
    """The thread a `--resume` of `out` continues, refusing a run that already finished and wrote its files.

    It reads the checkpoint without a policy or tools, so the CLI says this before any model or index loads."""
    thread_id = last_thread(out)
    snapshot = read_checkpoint(out)
    if not snapshot.values:
        raise UsageError(f"nothing to resume in {out}: its checkpoint holds no state for {thread_id}")
    if is_finished(snapshot.values) and _results_written(out, viewer):
        raise UsageError(f"the run in {out} already finished; start a new one without --resume")
    return thread_id


def last_thread(out: Path) -> str:
    """The thread a `--resume` continues, or a usage error when the folder holds no run to continue."""
    marker = out / THREAD_FILE
    if not marker.is_file() or not (out / CHECKPOINT_FILE).is_file():
        raise UsageError(f"nothing to resume in {out}: no checkpoint found there")
    return marker.read_text(encoding="utf-8").strip()
