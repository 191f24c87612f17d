"""`stepresearch eval run | score | compare`: the command line of the evaluation harness.

Bad input (a missing or malformed task file, an unknown task id, an unreachable judge, a report folder
without a report) is one line and exit 2, before any model loads where that can be known. Progress is
drawn with rich on stderr; the table of scores goes to stdout.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stepresearch.app.research_flags import add_research_flags, positive_int, positive_seconds
from stepresearch.core.errors import UsageError

DEFAULT_JUDGE_WAIT_S = 30.0  # a judge server still loading its model gets this long before it is "unreachable"


def add_eval_parser(sub: Any) -> None:
    """Register `eval` and its three verbs on the CLI's subparsers."""

    evaluate = sub.add_parser("eval", help="score research reports: criteria, rubrics, citations, fact recall")
    verbs = evaluate.add_subparsers(dest="eval_command", required=True)

    run = verbs.add_parser("run", help="research every task, then score each report")
    run.add_argument("tasks", help="`drb` (DeepResearch Bench's 100 tasks) or a JSONL task file")
    run.add_argument("--out", type=Path, required=True, help="the evaluation folder (rerun to resume)")
    _task_flags(run)
    add_research_flags(run, branches_flag="--search-concurrency")
    _judge_flags(run)
    run.add_argument("--concurrency", dest="tasks_at_once", type=positive_int, default=1,
                     help="tasks researched and scored at once (default 1)")  # fmt: skip
    run.set_defaults(handler=cmd_eval_run)

    score = verbs.add_parser("score", help="score reports that already exist (ours, or another system's JSONL)")
    score.add_argument("reports", type=Path, help="a run folder, a folder of run folders, an eval folder, or a "
                       "JSONL of {id, prompt, article}")  # fmt: skip
    score.add_argument("--tasks", required=True, help="`drb` or a JSONL task file: what the reports answer")
    score.add_argument("--out", type=Path, required=True, help="the evaluation folder (rerun to resume)")
    score.add_argument("--pages", type=Path, help="JSONL of {url, text, title}: the text behind cited URLs")
    _task_flags(score)
    _judge_flags(score)
    score.add_argument("--concurrency", dest="tasks_at_once", type=positive_int, default=1,
                       help="tasks scored at once (default 1)")  # fmt: skip
    score.set_defaults(handler=cmd_eval_score)

    compare = verbs.add_parser("compare", help="judge systems pairwise: win rates and Elo")
    compare.add_argument("systems", type=Path, nargs="+", help="two or more REPORTS, as `eval score` takes them")
    compare.add_argument("--tasks", required=True, help="`drb` or a JSONL task file")
    compare.add_argument("--out", type=Path, required=True, help="where compare.json and eval.html go")
    compare.add_argument("--names", help="comma-separated system names, in the order given (default: folder names)")
    _task_flags(compare, scored=False)
    _judge_flags(compare, llm_optional=False)
    compare.set_defaults(handler=cmd_eval_compare)
    for parser in (run, score, compare):
        parser.add_argument("--log-json", action="store_true", help="print structlog events as JSON lines on stderr")
        parser.add_argument("-v", "--verbose", action="store_true", help="print structlog events as text on stderr")


def _task_flags(parser: argparse.ArgumentParser, scored: bool = True) -> None:
    parser.add_argument("--ids", help="only these task ids, e.g. 1,51,60-62")
    parser.add_argument("--limit", type=positive_int, help="only the first N tasks (after --ids)")
    if scored:
        parser.add_argument("--name", help="the system's name in the scores (default: the folder's name)")
        parser.add_argument("--grading", choices=["binary", "ternary"], default="binary",
                            help="rubric grades: satisfied/not (binary, the default) or with partially (ternary)")  # fmt: skip
        parser.add_argument("--references", type=Path,
                            help="JSONL of reference reports {id, prompt, article} (e.g. DeepResearch Bench's "
                            "reference.jsonl): criteria scores become target / (target + reference)")  # fmt: skip
        parser.add_argument("--citation-judge", choices=["semantic", "lexical"], default="semantic",
                            help="the project's entailment judge for citations (default semantic)")  # fmt: skip


def _judge_flags(parser: argparse.ArgumentParser, llm_optional: bool = True) -> None:
    parser.add_argument("--judge-url", help="an OpenAI-compatible judge, e.g. http://127.0.0.1:30000/v1 "
                        "(default: the embedded SmolLM2, whose scores carry no meaning)")  # fmt: skip
    parser.add_argument("--judge-model", help="the judge's model name (default: the server's first)")
    parser.add_argument("--judge-api-key-env", help="environment variable that holds the judge's API key")
    parser.add_argument("--judge-timeout", type=positive_seconds, default=300.0,
                        help="seconds per judge request (default 300)")  # fmt: skip
    parser.add_argument("--judge-wait", type=positive_seconds, default=DEFAULT_JUDGE_WAIT_S,
                        help=f"seconds to wait for the judge server to answer (default {DEFAULT_JUDGE_WAIT_S:.0f})")  # fmt: skip
    parser.add_argument("--judge-capable", choices=["yes", "no"],
                        help="declare the judge capable or not (default: measured by a short probe)")  # fmt: skip
    if llm_optional:
        parser.add_argument("--no-llm-judge", action="store_true",
                            help="score only what needs no LLM judge: citations and fact recall")  # fmt: skip


def cmd_eval_run(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.app.research_flags import research_parts, resolve_run_config

    from .harness import EvalOptions, research_with, run_and_score

    tasks = _load_tasks(args, args.tasks, console)
    config, _ = resolve_run_config(args, None)
    config, tools, policy = research_parts(args, config, console)
    judge = _make_judge(args, console, embedded_model=None if config.base_url else policy)
    research = research_with(
        policy=policy, tools=tools, budgets=config.make_budgets(), run_config=config,
        graph_options={"judge": config.judge, "reader": config.reader, "policy_capable": config.policy_capable},
    )  # fmt: skip
    options = EvalOptions(system=args.name or args.out.resolve().name, grading=args.grading,
                          citation_judge=args.citation_judge, concurrency=args.tasks_at_once)  # fmt: skip
    with _progress(console, len(tasks)) as on_event:
        summary = run_and_score(tasks, args.out, research=research, judge=judge, options=options, on_event=on_event)
    return _finish(summary, args.out, console)


def cmd_eval_score(args: argparse.Namespace, console: Console) -> int:
    from .articles import read_pages
    from .harness import EvalOptions, score_reports
    from .reports import load_reports

    tasks = _load_tasks(args, args.tasks, console)
    pages = read_pages(args.pages) if args.pages else None
    system = args.name or _default_name(args.reports)
    articles, notes = load_reports(args.reports, tasks, system, pages)
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if not articles:
        raise UsageError(f"no report in {args.reports} matches a task of {args.tasks}")
    judge = _make_judge(args, console)
    options = EvalOptions(system=system, grading=args.grading, citation_judge=args.citation_judge,
                          concurrency=args.tasks_at_once)  # fmt: skip
    with _progress(console, len(tasks)) as on_event:
        summary = score_reports(tasks, articles, args.out, judge=judge, options=options, on_event=on_event)
    return _finish(summary, args.out, console)


def cmd_eval_compare(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.core.atomic import write_atomically

    from .compare import COMPARE_FILE, compare_systems, comparison_table
    from .harness import PAGE_FILE
    from .page import render_page
    from .reports import load_reports

    if len(args.systems) < 2:
        raise UsageError("eval compare needs at least two systems' reports")
    tasks = _load_tasks(args, args.tasks, console)
    names = [n.strip() for n in args.names.split(",")] if args.names else [_default_name(p) for p in args.systems]
    if len(names) != len(args.systems):
        raise UsageError(f"--names gives {len(names)} names for {len(args.systems)} systems")
    if len(set(names)) != len(names):
        raise UsageError("two systems have the same name; tell them apart with --names")
    systems = {}
    for name, path in zip(names, args.systems):
        found, notes = load_reports(path, tasks, name)
        for note in notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
        systems[name] = found
    judge = _make_judge(args, console)
    args.out.mkdir(parents=True, exist_ok=True)
    with console.status("judging pairs") as status:
        comparison = compare_systems(systems, tasks, args.out, judge=judge,
                                     on_event=lambda text: status.update(escape(text)))  # fmt: skip
    write_atomically(args.out / COMPARE_FILE, comparison.model_dump_json(indent=2) + "\n")
    summaries, scores, folders = _scored_systems(dict(zip(names, args.systems)))
    write_atomically(args.out / PAGE_FILE, render_page(summaries, scores, folders, comparison=comparison))
    print(comparison_table(comparison))
    console.print(f"comparison: {escape(str(args.out / COMPARE_FILE))}; page: {escape(str(args.out / PAGE_FILE))}")
    return 0


def _load_tasks(args: argparse.Namespace, spec: str, console: Console):
    from .tasks import load_tasks, parse_ids

    ids = parse_ids(args.ids) if args.ids else None
    tasks = load_tasks(spec, ids=ids, limit=args.limit)
    if not tasks:
        raise UsageError("no task to evaluate")
    if getattr(args, "references", None) is not None:
        from .reports import attach_references

        tasks, notes = attach_references(tasks, args.references)
        for note in notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
    return tasks


def _make_judge(args: argparse.Namespace, console: Console, embedded_model: Any = None):
    """The judge the flags name; None with --no-llm-judge. The embedded model is shared with the policy
    when the policy is embedded too, so it loads once."""
    from .judging import embedded_judge, judge_from_url

    if getattr(args, "no_llm_judge", False):
        return None
    declared = None if args.judge_capable is None else args.judge_capable == "yes"
    if args.judge_url:
        with console.status(f"reaching the judge at {escape(args.judge_url)}"):
            judge = judge_from_url(
                args.judge_url, args.judge_model, args.judge_api_key_env, timeout_s=args.judge_timeout,
                wait_s=args.judge_wait, capable=declared,
            )  # fmt: skip
    else:
        if args.judge_model or args.judge_api_key_env:
            raise UsageError("--judge-model and --judge-api-key-env need --judge-url")
        judge = embedded_judge(embedded_model)
    if judge.info.note:
        console.print(f"[bold yellow]warning:[/] {escape(judge.info.note)}")
    return judge


class _progress:
    """A rich progress bar over the tasks, fed by the harness's EvalEvents."""

    def __init__(self, console: Console, total: int) -> None:
        self.bar = Progress(
            TextColumn("[bold]eval[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=console, transient=False,
        )  # fmt: skip
        self.task = self.bar.add_task("", total=total)

    def __enter__(self):
        self.bar.start()

        def on_event(event) -> None:
            text = f"task {event.task_id}: {event.kind}" + (f" ({event.detail})" if event.detail else "")
            self.bar.update(self.task, completed=event.done, description=escape(text[:100]))

        return on_event

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _finish(summary, out: Path, console: Console) -> int:
    from .harness import PAGE_FILE
    from .summary import SUMMARY_FILE, summary_table

    print(summary_table(summary))
    console.print(f"summary: {escape(str(out / SUMMARY_FILE))}; page: {escape(str(out / PAGE_FILE))}")
    return 1 if summary.failed else 0


def _scored_systems(paths: dict[str, Path]):
    """The summaries and task scores of the compared systems that are eval folders, for the page's bars."""
    from pydantic import ValidationError

    from .harness import SCORES_FILE, TASKS_DIR
    from .scoring import TaskScores
    from .summary import SUMMARY_FILE, EvalSummary

    summaries, scores, folders = [], {}, {}
    for name, path in paths.items():
        if not (path / SUMMARY_FILE).is_file():
            continue
        try:
            summary = EvalSummary.model_validate_json((path / SUMMARY_FILE).read_text(encoding="utf-8"))
            tasks = [TaskScores.model_validate_json(f.read_text(encoding="utf-8"))
                     for f in sorted((path / TASKS_DIR).glob(f"*/{SCORES_FILE}"))]  # fmt: skip
        except (OSError, ValidationError):
            continue
        summary = summary.model_copy(update={"system": name})
        summaries.append(summary)
        scores[name] = tasks
        folders[name] = path
    return summaries, scores, folders


def _default_name(path: Path) -> str:
    path = path.resolve()
    return path.stem if path.is_file() else path.name
