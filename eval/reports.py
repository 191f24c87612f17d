"""Find the reports `eval score` and `eval compare` are given, and match each to its task.

A REPORTS argument is one of:
- a JSONL file of another system's output, DeepResearch Bench's raw-data shape `{id, prompt, article}`,
  matched to tasks by id, else by prompt (`--pages` supplies the text behind its cited URLs);
- an `eval` output folder (its `tasks/<id>/`);
- one run folder (it holds report.md), matched by its question;
- a folder of run folders, matched by folder name (the task id), else by the question each run records.
A run folder without a report is refused: its run did not finish.
"""

from __future__ import annotations

from pathlib import Path

from stepresearch.app.run_folder import REPORT_FILE
from stepresearch.core.errors import UsageError

from .articles import (
    RUN_MARKERS,
    Article,
    Page,
    read_articles_jsonl,
    read_run_folder,
    run_question,
)
from .tasks import EvalTask


def load_reports(
    path: Path, tasks: list[EvalTask], system: str, pages: dict[str, Page] | None = None
) -> tuple[dict[str, Article], list[str]]:
    """({task id: article}, notes on reports no task matched)."""
    if not path.exists():
        raise UsageError(f"reports {path} do not exist (give a run folder, an eval folder or a JSONL file)")
    by_prompt = {_norm(t.prompt): t.id for t in tasks}
    by_id = {t.id: t.id for t in tasks}
    from .harness import RUN_DIR, TASKS_DIR, task_folder

    by_folder = {task_folder(Path(), t.id).name: t.id for t in tasks}
    found: dict[str, Article] = {}
    notes: list[str] = []

    def place(task_id: str | None, article_of, where: str) -> None:
        if task_id is None:
            notes.append(f"{where}: no task matches this report; it is not scored")
        elif task_id not in found:
            found[task_id] = article_of(task_id)

    if path.is_file():
        for number, row in read_articles_jsonl(path):
            task_id = by_id.get(str(row.get("id"))) or by_prompt.get(_norm(row.get("prompt", "")))
            article = row["article"]
            place(
                task_id,
                lambda tid, text=article, n=number: Article(
                    task_id=tid, system=system, markdown=text, origin=f"{path}:{n}", pages=pages
                ),
                f"{path}:{number}",
            )
        return found, notes
    if (path / REPORT_FILE).is_file() and not (path / TASKS_DIR).is_dir():
        task_id = by_prompt.get(_norm(run_question(path) or "")) or (tasks[0].id if len(tasks) == 1 else None)
        place(task_id, lambda tid: read_run_folder(path, tid, system), str(path))
        return found, notes
    base = path / TASKS_DIR if (path / TASKS_DIR).is_dir() else path
    folders = sorted(p for p in base.iterdir() if p.is_dir())
    for folder in folders:
        run = folder / RUN_DIR if (folder / RUN_DIR).is_dir() else folder
        if not (run / REPORT_FILE).is_file():
            if any((run / marker).exists() for marker in RUN_MARKERS):
                raise UsageError(f"report folder {run} holds no {REPORT_FILE} (did its run finish?)")
            if (folder / REPORT_FILE).is_file():  # an eval folder of scored JSONL reports
                run = folder
            else:
                continue
        task_id = by_folder.get(folder.name) or by_id.get(folder.name) or by_prompt.get(_norm(run_question(run) or ""))
        if run is folder and not (run / "sources.json").is_file() and (folder / REPORT_FILE).is_file():
            place(task_id, lambda tid, f=folder: _plain_report(f, tid, system, pages), str(folder))
        else:
            place(task_id, lambda tid, r=run: read_run_folder(r, tid, system), str(run))
    if not found and not notes:
        raise UsageError(f"{path} holds no report ({REPORT_FILE} in a run folder, or a JSONL of articles)")
    return found, notes


def attach_references(tasks: list[EvalTask], path: Path) -> tuple[list[EvalTask], list[str]]:
    """Tasks with the reference reports of `--references` (a JSONL in the `{id, prompt, article}` shape,
    as DeepResearch Bench's `reference.jsonl`), matched by id, else by prompt; notes on lines no task has."""
    if not path.is_file():
        raise UsageError(f"--references {path} does not exist")
    by_prompt = {_norm(t.prompt): t.id for t in tasks}
    ids = {t.id for t in tasks}
    found: dict[str, str] = {}
    notes: list[str] = []
    for number, row in read_articles_jsonl(path):
        task_id = str(row.get("id")) if str(row.get("id")) in ids else by_prompt.get(_norm(row.get("prompt", "")))
        if task_id is None:
            notes.append(f"{path}:{number}: no task matches this reference")
        else:
            found.setdefault(task_id, row["article"])
    return [t.model_copy(update={"reference": found[t.id]}) if t.id in found else t for t in tasks], notes


def _plain_report(folder: Path, task_id: str, system: str, pages: dict[str, Page] | None) -> Article:
    return Article(
        task_id=task_id,
        system=system,
        markdown=(folder / REPORT_FILE).read_text(encoding="utf-8"),
        origin=str(folder),
        pages=pages,
    )


def _norm(text: str) -> str:
    return " ".join(str(text).split())
