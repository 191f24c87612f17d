"""`eval run` and `eval score`: research and score tasks into one output folder, resumably, concurrently.

The output folder holds, per task, `tasks/<id>/`: the run folder (`run/`, for `eval run`), a copy of the
report (`report.md`), the journal of judgements (`judgements.jsonl`) and, once the task is scored,
`scores.json`. At the end come `summary.json` and `eval.html`. Running the same command again skips every
task whose scores.json was made by the same judge and grading, resumes an unfinished research run from its
checkpoint, and reads each judgement already in a journal instead of asking the judge again: a killed
evaluation loses at most the one judgement in flight.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import structlog
from pydantic import BaseModel, Field, ValidationError

from stepresearch.core.errors import StepResearchError, UsageError

from . import formulas
from .articles import Article, read_run_folder
from .journal import Journal
from .judging import EvalJudge
from .scoring import CitationJudgeKind, TaskScores, score_task
from .summary import SUMMARY_FILE, EvalSummary, summarise
from .tasks import EvalTask

log = structlog.get_logger(__name__)

TASKS_DIR = "tasks"
RUN_DIR = "run"
SCORES_FILE = "scores.json"
PAGE_FILE = "eval.html"
FAILED_FILE = "failed.txt"  # why a task's research failed; the next run of the command tries it again

EventKind = Literal["started", "skipped", "researching", "scoring", "finished", "failed"]


class EvalEvent(BaseModel):
    """Progress of an evaluation, one per task step, for the CLI's progress display or an app's."""

    kind: EventKind
    task_id: str
    detail: str = ""
    done: int = 0
    total: int = 0


class EvalOptions(BaseModel):
    """How reports are scored; recorded with every score, and a finished task is skipped only under the same."""

    system: str = Field(description="The name the scores go under: a system, a configuration.")
    grading: formulas.Grading = "binary"
    citation_judge: CitationJudgeKind = "semantic"
    concurrency: int = Field(default=1, ge=1, description="Tasks researched and scored at once.")


EventHandler = Callable[[EvalEvent], None]
Research = Callable[[EvalTask, Path], None]


def task_folder(out: Path, task_id: str) -> Path:
    """The folder of one task's results: its id, made safe as a file name."""
    return out / TASKS_DIR / (re.sub(r"[^\w.-]+", "_", task_id).strip("._") or "task")


def score_reports(
    tasks: list[EvalTask],
    articles: dict[str, Article],
    out: Path,
    *,
    judge: EvalJudge | None,
    options: EvalOptions,
    on_event: EventHandler | None = None,
) -> EvalSummary:
    """Score existing reports (`articles` by task id); tasks without a report are listed as missing."""
    return _evaluate(tasks, out, judge=judge, options=options, on_event=on_event, articles=articles)


def run_and_score(
    tasks: list[EvalTask],
    out: Path,
    *,
    research: Research,
    judge: EvalJudge | None,
    options: EvalOptions,
    on_event: EventHandler | None = None,
) -> EvalSummary:
    """Research every task with `research(task, run_dir)` (see `research_with`), then score its report."""
    return _evaluate(tasks, out, judge=judge, options=options, on_event=on_event, research=research)


def research_with(
    *, policy: Any, tools: list[Any], budgets: Any = None, graph_options: dict[str, Any] | None = None,
    run_config: Any = None,
) -> Research:  # fmt: skip
    """A `research` for `run_and_score`: `run_research` with one policy, tools and budgets for every task.
    A run folder with a checkpoint and no report is resumed, so a killed evaluation loses no research."""
    from stepresearch.app.run_folder import CHECKPOINT_FILE, THREAD_FILE
    from stepresearch.app.runner import run_research

    def research(task: EvalTask, run_dir: Path) -> None:
        resume = (run_dir / THREAD_FILE).is_file() and (run_dir / CHECKPOINT_FILE).is_file()
        common = {"policy": policy, "tools": tools, "budgets": budgets, "graph_options": graph_options,
                  "run_config": run_config}  # fmt: skip
        if resume:
            try:
                run_research(None, run_dir, resume=True, **common)
                return
            except UsageError as exc:  # an empty checkpoint: nothing to continue, so start again
                log.info("eval_research_restart", task=task.id, reason=str(exc))
        run_research(task.prompt, run_dir, overwrite=True, **common)

    return research


def finished_scores(folder: Path, judge: EvalJudge | None, options: EvalOptions) -> TaskScores | None:
    """The task's scores.json when it was made by this judge and grading (so the task is skipped)."""
    path = folder / SCORES_FILE
    if not path.is_file():
        return None
    try:
        scores = TaskScores.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None
    same_judge = (scores.judge.name if scores.judge else None) == (judge.name if judge else None)
    same_grading = scores.rubric is None or scores.rubric.grading == options.grading
    same_citations = scores.citations is None or scores.citations.judge == options.citation_judge
    return scores if same_judge and same_grading and same_citations and scores.system == options.system else None


def _evaluate(
    tasks: list[EvalTask],
    out: Path,
    *,
    judge: EvalJudge | None,
    options: EvalOptions,
    on_event: EventHandler | None,
    articles: dict[str, Article] | None = None,
    research: Research | None = None,
) -> EvalSummary:
    from stepresearch.core.atomic import write_atomically

    out.mkdir(parents=True, exist_ok=True)
    emit = _Emitter(on_event, len(tasks))
    results: dict[str, TaskScores] = {}
    failed: dict[str, str] = {}
    missing: list[str] = []

    def one(task: EvalTask) -> None:
        folder = task_folder(out, task.id)
        done = finished_scores(folder, judge, options)
        if done is not None:
            results[task.id] = done
            emit("skipped", task.id, "scored before")
            return
        emit("started", task.id, task.prompt[:80])
        try:
            if research is not None:
                run_dir = folder / RUN_DIR
                if not (run_dir / "report.md").is_file():
                    emit("researching", task.id)
                    research(task, run_dir)
                article = read_run_folder(run_dir, task.id, options.system)
            else:
                article = (articles or {}).get(task.id)
                if article is None:
                    missing.append(task.id)
                    emit("skipped", task.id, "no report for this task")
                    return
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(folder / "report.md", article.markdown)
            emit("scoring", task.id)
            scores = score_task(
                task, article, judge=judge, journal=Journal(folder), grading=options.grading,
                citation_judge=options.citation_judge,
            )  # fmt: skip
            write_atomically(folder / SCORES_FILE, scores.model_dump_json(indent=2) + "\n")
            (folder / FAILED_FILE).unlink(missing_ok=True)
            results[task.id] = scores
            emit("finished", task.id, _headline(scores))
        except UsageError:
            raise
        except StepResearchError as exc:
            failed[task.id] = str(exc)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / FAILED_FILE).write_text(str(exc) + "\n", encoding="utf-8")
            emit("failed", task.id, str(exc))

    if options.concurrency <= 1:
        for task in tasks:
            one(task)
    else:
        with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
            for future in [pool.submit(one, task) for task in tasks]:
                future.result()
    ordered = [results[t.id] for t in tasks if t.id in results]
    summary = summarise(
        ordered, system=options.system, judge=judge.info if judge else None, grading=options.grading,
        tasks=len(tasks), missing=missing, failed=failed,
    )  # fmt: skip
    write_atomically(out / SUMMARY_FILE, summary.model_dump_json(indent=2) + "\n")
    from .page import render_page

    write_atomically(out / PAGE_FILE, render_page([summary], {options.system: ordered}, {options.system: out}))
    return summary


class _Emitter:
    """Counts finished tasks and passes events on; thread-safe for concurrent tasks."""

    def __init__(self, handler: EventHandler | None, total: int) -> None:
        self.handler, self.total, self.done = handler, total, 0
        self._lock = threading.Lock()

    def __call__(self, kind: EventKind, task_id: str, detail: str = "") -> None:
        with self._lock:
            if kind in ("skipped", "finished", "failed"):
                self.done += 1
            event = EvalEvent(kind=kind, task_id=task_id, detail=detail, done=self.done, total=self.total)
        log.info("eval_task", kind=kind, task=task_id, detail=detail)
        if self.handler is not None:
            self.handler(event)


def _headline(scores: TaskScores) -> str:
    parts = []
    if scores.criteria and scores.criteria.total is not None:
        parts.append(f"criteria {scores.criteria.total:.2f}")
    if scores.rubric and scores.rubric.score is not None:
        parts.append(f"rubric {scores.rubric.score:.2f}")
    if scores.citations and scores.citations.accuracy is not None:
        parts.append(
            f"citations {scores.citations.supported}/{scores.citations.supported + scores.citations.unsupported}"
        )
    if scores.recall and scores.recall.facts:
        parts.append(f"facts {scores.recall.facts_found}/{scores.recall.facts}")
    return ", ".join(parts)
