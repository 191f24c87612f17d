"""The `stepresearch` command line.

Usage errors (an empty or huge question, a missing corpus, an unreadable
model, a bad flag) print one line and exit 2. A failure during the run prints
one line, keeps the checkpoint, and tells how to resume; it exits 1.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from stepresearch.app.events import (
    BriefMade,
    ClaimJudged,
    LogCompacted,
    NodeFinished,
    NodeStarted,
    ReportWritten,
    ResearchEvent,
    RoundDecided,
    SourcesFound,
    SubQuestionPlanned,
    Token,
)
from stepresearch.app.research_flags import (
    add_research_flags,
    make_policy,
    positive_int,
    positive_seconds,
    research_parts,
    resolve_run_config,
    seconds,
)
from stepresearch.app.run_folder import VIEWER_FILE
from stepresearch.core.errors import StepResearchError, UsageError
from stepresearch.core.phrases import is_phrase
from stepresearch.core.prose import ProseFilter
from stepresearch.nodes.config import ResearchConfig
from stepresearch.serving.server_probe import DEFAULT_WAIT_S

# Between the streamed drafts and the verified report on stdout.
STREAM_RULE = "----- the verified report (report.md): drafts above, only source-backed sentences below -----"
EXIT_USAGE = 2
EXIT_FAILURE = 1
MAX_PORT = 65535
DEFAULT_VIEWER_PORT = 8765  # `stepresearch show`; a fixed default so a bookmarked address keeps working


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    passed_through: list[str] = []
    if "--" in argv and "serve" in argv[: argv.index("--")]:
        # `serve ... -- FLAGS`: everything after `--` goes to the server unchanged.
        cut = argv.index("--")
        argv, passed_through = argv[:cut], argv[cut + 1 :]
    args = parser.parse_args(argv)
    args.passed_through = passed_through
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    from stepresearch.core.logging import configure

    configure(json_lines=getattr(args, "log_json", False), verbose=getattr(args, "verbose", False), console=console)
    try:
        return int(args.handler(args, console) or 0)
    except UsageError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_USAGE
    except StepResearchError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        if getattr(args, "out", None):
            console.print(
                "The checkpoint and the run's configuration are kept; continue with: "
                f"stepresearch run --resume --out {escape(shlex.quote(str(args.out)))}"
            )
        return EXIT_FAILURE
    except KeyboardInterrupt:
        console.print("interrupted; the checkpoint is kept and the run can be resumed with --resume")
        return 130


EXPORT_FORMATS = ("pdf", "docx", "html")  # stepresearch.app.export.FORMATS, without importing it at start-up


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepresearch", description="Deep research with cited, cross-checked reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="research a question and write report.md and run.json")
    run.add_argument("question", nargs="?", help="the question (omit with --resume)")
    run.add_argument("--out", type=Path, default=None, help="run folder (default: runs/<question-slug>)")
    add_research_flags(run)
    run.add_argument(
        "--stream",
        action="store_true",
        help="print the writer's drafts to stdout as the policy writes them, then the verified report "
        "(progress stays on stderr)",
    )
    run.add_argument(
        "--interactive",
        action="store_true",
        help="ask the clarifying question on the terminal (the answer is read from stdin; an empty line goes ahead)",
    )
    run.add_argument(
        "--review",
        choices=["plan", "rounds", "sources"],
        action="append",
        default=[],
        help="pause for you at the terminal: plan (approve, drop, reword or add the first round's sub-questions), "
        "rounds (each follow-up round's too), sources (strike sources before the report is written); repeat",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished run in --out, with the configuration it began with",
    )
    run.add_argument(
        "--allow-changes", action="store_true", help="with --resume: accept flags that differ from the start"
    )
    run.add_argument("--overwrite", action="store_true", help="start a new run in a folder that holds one")
    run.add_argument("--no-viewer", action="store_true", help="do not write run.html, the page that shows the run")
    run.add_argument(
        "--export",
        choices=EXPORT_FORMATS,
        action="append",
        default=[],
        help="also write the report as report.pdf, report.docx or report.html (repeat for several)",
    )
    run.add_argument("--log-json", action="store_true", help="print structlog events as JSON lines on stderr")
    run.add_argument("-v", "--verbose", action="store_true", help="print structlog events as text on stderr")
    run.set_defaults(handler=cmd_run)

    graph = sub.add_parser("graph", help="draw the research graph: Mermaid text, or an SVG or PNG picture, offline")
    graph.add_argument("--format", choices=["mermaid", "svg", "png"], default="mermaid", help="default: mermaid")
    graph.add_argument("--out", type=Path, help="write to this file (needed for png; otherwise stdout)")
    graph.set_defaults(handler=cmd_graph)

    show = sub.add_parser("show", help="serve a run's viewer on 127.0.0.1; it follows a run that is still going")
    show.add_argument("run_dir", type=Path)
    show.add_argument(
        "--port",
        type=_port_or_zero,
        default=DEFAULT_VIEWER_PORT,
        help=f"default {DEFAULT_VIEWER_PORT}; 0 picks a free port",
    )
    show.add_argument("--open", action="store_true", help="open the page in the default browser")
    show.set_defaults(handler=cmd_show)

    report = sub.add_parser("cache-report", help="print a run's prefix-cache figures per node")
    report.add_argument("run_dir", type=Path)
    report.set_defaults(handler=cmd_cache_report)

    check = sub.add_parser("verify", help="re-run the citation validator over a run's report.md")
    check.add_argument("run_dir", type=Path)
    check.add_argument("--fix", action="store_true", help="write the repaired report back to report.md")
    check.add_argument(
        "--judge",
        choices=["auto", "semantic", "lexical", "policy"],
        default="auto",
        help="semantic (aligned by meaning, decided by anchors), lexical (shared words only), the served policy "
        "with the anchors vetoing conflicts, or auto (the default: the policy only when it is known capable, by "
        "--policy-capable or a start-up probe; else semantic)",
    )
    check.add_argument(
        "--policy-capable", action="store_true", help="declare the served policy capable of judging (no probe)"
    )
    check.add_argument("--base-url", help="an OpenAI-compatible policy server to judge with")
    check.add_argument("--model", help="the served model's name")
    check.add_argument("--api-key-env", help="environment variable that holds the server's API key")
    check.add_argument(
        "--timeout", type=positive_seconds, default=120.0, help="seconds per policy request (default 120)"
    )
    check.add_argument(
        "--wait", type=seconds, default=DEFAULT_WAIT_S, help="seconds to wait for a server still loading its model"
    )
    check.set_defaults(handler=cmd_verify)

    export = sub.add_parser("export", help="write a finished run's report as PDF, Word or HTML, to share")
    export.add_argument("run_dir", type=Path)
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="pdf (Chromium), docx or html")
    export.add_argument("--out", type=Path, help="the file to write (default: RUN_DIR/report.<format>)")
    export.set_defaults(handler=cmd_export)

    cache = sub.add_parser("cache", help="show or clear the search-index cache")
    cache.add_argument("action", choices=["info", "clear"])
    cache.set_defaults(handler=cmd_cache)

    serve = sub.add_parser(
        "serve",
        help="start a policy server on 127.0.0.1",
        usage="stepresearch serve [options] [-- FLAGS FOR THE SERVER]",
        description="Start a policy server on 127.0.0.1. Flags after `--` go to the server unchanged "
        "(for SGLang: --context-length, --mem-fraction-static, --max-running-requests, ...).",
    )
    serve.add_argument("--engine", choices=["llama-cpp", "sglang", "sglang-router"], default="llama-cpp")
    serve.add_argument("--port", type=_port, default=None, help="default 8080, 30000 (sglang), 30001 (router)")
    serve.add_argument("--model", help="llama-cpp: a GGUF file (default: the embedded SmolLM2)")
    serve.add_argument("--n-ctx", type=positive_int, default=8192, help="llama-cpp: context size")
    serve.add_argument("--model-path", help="sglang: Hugging Face id or local path of the policy model")
    serve.add_argument("--tp", type=positive_int, default=1, help="sglang: tensor-parallel GPUs")
    serve.add_argument("--reasoning-parser", help="sglang: override the guessed reasoning parser")
    serve.add_argument("--tool-call-parser", help="sglang: override the guessed tool-call parser")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="sglang: start this many workers, each on its own --tp GPUs and port, with the router in front",
    )
    serve.add_argument(
        "--router-port", type=_port, help="sglang with --workers: the router's port (default --port + 1)"
    )
    serve.add_argument("--worker-urls", nargs="+", default=[], help="sglang-router: the SGLang workers")
    serve.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    serve.add_argument(
        "--check",
        action="store_true",
        help="print the resolved command lines and warn about mismatches (exit 1 when there is a warning)",
    )
    serve.set_defaults(handler=cmd_serve)

    from stepresearch.eval.cli import add_eval_parser

    add_eval_parser(sub)
    return parser


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.app.run_folder import RunFolder
    from stepresearch.app.runner import check_question, check_resumable, run_research

    if args.resume and args.out is None:
        raise UsageError("--resume needs --out, the folder of the run to continue")
    if args.resume and args.question:
        raise UsageError("--resume continues the question the run began with; leave the question out")
    question = None if args.resume else check_question(args.question)
    out = args.out or Path("runs") / slug(question or "run")
    args.out = out  # so that a failure's resume hint names the folder even when --out was not given
    if not args.resume and not args.overwrite and RunFolder(out).holds_results():
        raise UsageError(
            f"run folder {out} holds a finished run; choose another --out, or pass --overwrite to replace its report"
        )
    if args.resume:
        # Nothing to resume, or a run already finished, is said before any model or index is loaded.
        check_resumable(out, viewer=not args.no_viewer)
    if args.export:
        from stepresearch.app.export import check_export_tools

        check_export_tools(args.export)  # a missing Chromium or python-docx is said before the research, not after
    recorded = RunFolder(out).load_config() if args.resume else None
    config, changes = resolve_run_config(args, recorded)
    config, tools, policy = research_parts(args, config, console, recorded=recorded, changes=changes)
    progress = Progress(console, stream=args.stream)
    try:
        result = run_research(
            question,
            out,
            policy=policy,
            tools=tools,
            budgets=config.make_budgets(),
            resume=args.resume,
            on_event=progress,
            graph_options={
                "judge": config.judge,
                "reader": config.reader,
                "policy_capable": config.policy_capable,
                "review": set(args.review),
            },  # fmt: skip
            run_config=config,
            overwrite=args.overwrite,
            ask=progress.ask_person if args.interactive else None,
            review=progress.review if args.review else None,
            tokens=args.stream,
            extra_record={"resume_changes": changes} if changes else None,
            viewer=not args.no_viewer,
        )
    finally:
        progress.finish()
    for note in result.state.get("notes", []):
        if is_phrase(note, "degraded_warning"):  # the validator's warning, in the report's language
            console.print(f"[bold yellow]warning:[/] {escape(note)}")
    if args.stream:  # the drafts above are the policy's words; the report keeps what the sources support
        print(f"{STREAM_RULE}\n{result.report_path.read_text(encoding='utf-8')}")
    console.print(f"report: {escape(str(result.report_path))}")
    console.print(f"record: {escape(str(result.run_json_path))}")
    viewer = result.out_dir / VIEWER_FILE
    if viewer.is_file():
        console.print(f"viewer: {escape(str(viewer))} (open it in a browser; `stepresearch show` follows a live run)")
    if args.export:
        from stepresearch.app.export import export_run

        for fmt in dict.fromkeys(args.export):
            console.print(f"export: {escape(str(export_run(result.out_dir, fmt).path))}")
    print(result.report_path)
    return 0


def cmd_export(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.app.export import export_run

    exported = export_run(args.run_dir, args.format, args.out)
    if exported.edited_markdown:
        console.print(
            "[bold yellow]note:[/] report.md differs from the run's validated report (edited by hand?); "
            "the export is of the validated report"
        )
    print(exported.path)
    return 0


def cmd_graph(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.graphs import build_graph, mermaid
    from stepresearch.graphs.drawing import graph_png, graph_svg

    graph = build_graph()
    if args.format == "png":
        if args.out is None:
            raise UsageError("--format png writes a binary file: name it with --out FILE")
        _check_writable(args.out)
        graph_png(graph, args.out)
    else:
        text = mermaid(graph) if args.format == "mermaid" else graph_svg(graph)
        if args.out is None:
            print(text)
            return 0
        _check_writable(args.out)
        args.out.write_text(text + "\n", encoding="utf-8")
    console.print(f"wrote {escape(str(args.out))}")
    return 0


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder; name a file")
    if not path.parent.is_dir():
        raise UsageError(f"--out {path}: the folder {path.parent} does not exist")


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    import webbrowser

    from stepresearch.app.viewer.serve import address, make_server

    server = make_server(args.run_dir, args.port)
    url = address(server)
    console.print(f"Showing {escape(str(args.run_dir))} at [bold]{url}[/] (Ctrl-C to stop)")
    print(url, flush=True)  # on stdout alone, for a script to read
    if args.open:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
    return 0


def cmd_cache_report(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from stepresearch.app.run_folder import RUN_FILE
    from stepresearch.app.run_record import load_run_record

    record_path = args.run_dir / RUN_FILE
    if not record_path.is_file():
        raise UsageError(f"no run.json in {args.run_dir}")
    cache = load_run_record(record_path).cache
    try:
        rows = [
            (str(node), int(row["calls"]), int(row["replay_prompt_units"]), int(row["replay_reused"]),
             float(row["replay_reuse_ratio"]), row.get("server_cached_tokens"))
            for node, row in cache["by_node"].items()
        ]  # fmt: skip
        unit = str(cache.get("unit", "tokens"))
        ratio, unique = float(cache["replay_reuse_ratio"]), int(cache[f"unique_prompt_{unit}"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UsageError(f"{record_path} has no readable cache figures (a run from an older version?)") from None
    table = Table(title=f"prefix cache: {args.run_dir}", title_justify="left")
    for column in ("node", "calls", f"prompt {unit}", "replay reused", "replay reuse", "server cached"):
        table.add_column(column, justify="left" if column == "node" else "right")
    for node, calls, units, reused, row_ratio, server in rows:
        table.add_row(
            node, str(calls), str(units), str(reused), f"{row_ratio:.2f}", "—" if server is None else str(server)
        )
    out = Console(highlight=False, soft_wrap=True)
    out.print(table)
    server = cache.get("server_cached_tokens")
    out.print(f"replay_reuse_ratio: {ratio:.4f}")
    out.print(f"unique_prompt_{unit}: {unique}")
    out.print(f"server_cached_tokens: {'null (the policy reports none)' if server is None else server}")
    return 0


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    """Exit 1 if any citation is a phantom (points at nothing retrieved), else 0."""
    from stepresearch.app.report_check import recheck_run
    from stepresearch.judge import choose_judge

    if args.judge == "policy" and not args.base_url:
        raise UsageError("--judge policy needs --base-url, the policy server that judges")
    policy = None
    if args.base_url:
        served = ResearchConfig(model=args.model, base_url=args.base_url, api_key_env=args.api_key_env,
                                **({"timeout": args.timeout} if args.timeout is not None else {}))  # fmt: skip
        policy = make_policy(served, wait=args.wait, console=console)
    judge, decision = choose_judge(args.judge, policy, capable=args.policy_capable)
    outcome = recheck_run(args.run_dir, fix=args.fix, judge=judge)
    settled = decision.settled(judge)
    console.print(f"judge: {settled.judge} ({escape(settled.reason)})")
    result = outcome.validation
    stats = result.stats
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"citations: {stats.total} total, {stats.valid} valid, {stats.reattributed} re-attributed, "
        f"{stats.removed} removed, {stats.phantom} phantom; {stats.unsupported_sentences} unsupported sentence(s)"
    )
    for sentence in result.unverified:
        out.print(f"  unverified: {escape(sentence)}")
    if outcome.written:
        out.print(f"repaired: {escape(str(args.run_dir / 'report.md'))}")
        if outcome.record_updated:
            out.print(f"updated: {escape(str(args.run_dir / 'run.json'))} (sources and citations)")
    return 1 if stats.phantom else 0


def cmd_cache(args: argparse.Namespace, console: Console) -> int:
    """`info` lists the cached BM25 indexes (bounded and evicted least recently used); `clear` removes them."""
    from stepresearch.tools.bm25_index import (
        MAX_CACHE_BYTES,
        MAX_CACHED_INDEXES,
        cached_indexes,
        clear_cache,
        default_cache_dir,
    )

    out = Console(highlight=False, soft_wrap=True)
    if args.action == "clear":
        count, size = clear_cache()
        out.print(f"removed {count} cached index(es), {size / 1024**2:.1f} MB, from {default_cache_dir() / 'bm25'}")
        return 0
    entries = cached_indexes()
    out.print(
        f"{default_cache_dir() / 'bm25'}: {len(entries)} index(es), "
        f"{sum(size for _, size in entries) / 1024**2:.1f} MB (kept: the {MAX_CACHED_INDEXES} most recently used, "
        f"within {MAX_CACHE_BYTES / 1024**3:.0f} GB)"
    )
    for path, size in entries:
        out.print(f"  {path.name}  {size / 1024**2:.1f} MB")
    return 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.serving import launch

    extra = args.passed_through
    if args.engine == "llama-cpp":
        port = args.port or 8080
        plan = launch.LaunchPlan(
            servers=[launch.llama_cpp_server_command(args.model, port, args.n_ctx, extra_args=extra)]
        )
    elif args.engine == "sglang":
        if not args.model_path:
            raise UsageError("--engine sglang needs --model-path (a Hugging Face id or a local folder)")
        from stepresearch.serving.sglang_facts import installed_version

        port = args.port or 30000
        plan = launch.sglang_plan(
            args.model_path, port, tp=args.tp, workers=args.workers, router_port=args.router_port,
            reasoning_parser=args.reasoning_parser, tool_call_parser=args.tool_call_parser,
            extra_args=extra, version=installed_version(),
        )  # fmt: skip
    else:
        port = args.port or 30001
        plan = launch.LaunchPlan(servers=[], router=launch.router_command(args.worker_urls, port, extra_args=extra))
    if args.workers > 1 and args.engine != "sglang":
        raise UsageError("--workers is for --engine sglang (it starts the workers and the router)")
    if args.check:
        return check_serve(args, plan, console)
    if args.dry_run:
        for command in plan.commands:
            print(launch.shell_line(command))
        for note in plan.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
        return 0
    if args.engine != "llama-cpp":
        launch.require_module("sglang" if args.engine == "sglang" else "sglang_router", "sglang")
    for command in plan.commands:
        launch.check_port_free(int(launch.flag_value(command, "--port") or port))
    if len(plan.commands) == 1:
        console.print(f"serving {args.engine} on http://{launch.HOST}:{port}/v1 (Ctrl-C stops it)")
        launch.run(plan.commands[0])
        return 0  # not reached: run() replaces this process
    from stepresearch.serving.supervise import supervise

    router_port = launch.flag_value(plan.router or [], "--port")
    console.print(
        f"serving {len(plan.servers)} SGLang workers behind the router at http://{launch.HOST}:{router_port}/v1 "
        "(Ctrl-C stops them all)"
    )

    def ended(command: list[str], code: int) -> None:
        console.print(
            f"[bold red]stopped:[/] {escape(launch.shell_line(command[:6]))} … exited with {code}; stopping the rest"
        )

    return supervise(plan.commands, on_exit=ended)


def check_serve(args: argparse.Namespace, plan: Any, console: Console) -> int:
    """`serve --check`: the command lines on stdout, the warnings on stderr; exit 1 when there is one."""
    from stepresearch.serving import launch
    from stepresearch.serving.launch_check import check_plan, check_servers

    for command in plan.commands:
        print(launch.shell_line(command))
    for note in plan.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    warnings = check_plan(plan, args.model_path or "") if plan.servers and args.engine == "sglang" else []
    if args.engine == "sglang":
        urls = [f"http://{launch.HOST}:{launch.flag_value(s, '--port')}" for s in plan.servers]
    else:
        urls = list(args.worker_urls) if args.engine == "sglang-router" else []
    live, answered = check_servers(urls, args.model_path) if urls else ([], [])
    for url in answered:
        console.print(f"checked the running server at {escape(url)} (/server_info)")
    for warning in warnings + live:
        console.print(f"[bold yellow]warning:[/] {escape(warning)}")
    if not warnings and not live:
        console.print("no mismatches found")
    return 1 if warnings or live else 0


class Progress:
    """Renders the run's typed events (`stepresearch.app.events`) on stderr; with `stream`, the writer's prose
    on stdout as it comes. It never looks inside a node's state update."""

    def __init__(self, console: Console, stream: bool = False) -> None:
        self.console = console
        self.stream = stream
        self.status = console.status("starting", spinner="dots")
        self.status.start()
        self.prose: dict[str, ProseFilter] = {}  # one filter per writer call
        self.held: dict[str, list[str]] = {}  # prose of calls that run beside the one being printed
        self.printing: str | None = None
        self.verdicts: dict[str, int] = {}  # of the claims judged since verify started

    def __call__(self, event: ResearchEvent) -> None:
        out = self.console
        if isinstance(event, NodeStarted):
            label = f"search · {event.sub_question}" if event.sub_question else event.node
            self.status.update(f"[bold]{escape(label)}[/]")
        elif isinstance(event, BriefMade):
            out.print(f"[bold]clarify[/] objective: {escape(event.objective)}")
        elif isinstance(event, SubQuestionPlanned):
            out.print(f"[bold]plan[/] {event.id}: {escape(event.text)}")
        elif isinstance(event, SourcesFound):
            titles = [s.title for s in event.sources]
            shown = ", ".join(titles[:4]) + (" …" if len(titles) > 4 else "")
            which = event.sub_question_id or "?"
            out.print(f"[bold]search[/] {which}: {len(titles)} source(s): {escape(shown) or 'nothing found'}")
            for note in event.notes:
                out.print(f"[yellow]note:[/] {escape(note)}")
        elif isinstance(event, NodeFinished) and event.node == "verify":
            summary = ", ".join(f"{n} {v}" for v, n in self.verdicts.items()) or "no claims"
            out.print(f"[bold]verify[/] {summary}")
            self.verdicts = {}
        elif isinstance(event, ClaimJudged):
            self.verdicts[event.verdict] = self.verdicts.get(event.verdict, 0) + 1
        elif isinstance(event, RoundDecided):
            if event.another_round:
                out.print(f"[bold]reflect[/] {event.gaps} gap(s): another round")
            else:
                out.print(f"[bold]reflect[/] done: {escape(event.stop_reason or 'no gaps')}")
        elif isinstance(event, LogCompacted):
            out.print(
                f"[bold]compact[/] {event.items} passage(s) into a digest: log {event.tokens_before} → "
                f"{event.tokens_after} tokens (budget {event.budget_tokens})"
            )
        elif isinstance(event, ReportWritten):
            out.print(f"[bold]write[/] {event.sections} section(s), {event.cited_sources} cited source(s)")
        elif isinstance(event, Token) and self.stream and event.node in ("write", "draft_section"):
            self._prose(event)

    def _prose(self, token: Token) -> None:
        """Print one writer call live; hold the prose of calls beside it until it ends."""
        text = self.prose.setdefault(token.call, ProseFilter()).feed(token.text)
        if self.printing is None:
            self.printing = token.call
        if token.call == self.printing:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            self.held.setdefault(token.call, []).append(text)
        if token.last and token.call == self.printing:
            self.printing = None
            sys.stdout.write("\n\n")
            for call, pieces in list(self.held.items()):
                sys.stdout.write("".join(pieces) + "\n\n")
                del self.held[call]
            sys.stdout.flush()

    def ask_person(self, request: Any) -> str | None:
        """The clarifying question on stderr, the answer from stdin; end of input means no one answered."""
        self.status.stop()
        self.console.print(f"[bold]clarify[/] {escape(request.prompt)}")
        self.console.print("> ", end="")
        line = sys.stdin.readline()
        self.status.start()
        if not line:
            self.console.print("(no answer: going ahead as written)")
            return None
        return line.rstrip("\n")

    def review(self, request: Any) -> dict[str, Any] | None:
        """A review on stderr, numbered (the plan, or the sources); the person's line from stdin. End of
        input goes ahead as it is."""
        from stepresearch.app.review_line import reply_from_line, strike_from_line

        self.status.stop()
        try:
            if request.error:
                self.console.print(f"[bold yellow]not used:[/] {escape(request.error)}")
            if request.kind == "sources_review":
                self.console.print("[bold]review the sources[/] before the report is written")
                for i, s in enumerate(request.sources, start=1):
                    claims = f"for {s.claims_for} claim(s), against {s.claims_against}"
                    self.console.print(f"  {i}. {escape(s.title)} — {escape(s.uri)} ({claims})")
                ids = [s.id for s in request.sources]
                parse = lambda line: strike_from_line(line, ids)  # noqa: E731
            else:
                self.console.print(f"[bold]review the plan[/] (round {request.round})")
                shown = [sq.text for sq in request.sub_questions]
                for i, text in enumerate(shown, start=1):
                    self.console.print(f"  {i}. {escape(text)}")
                parse = lambda line: reply_from_line(line, shown)  # noqa: E731
            self.console.print(escape(request.prompt))
            while True:
                self.console.print("> ", end="")
                line = sys.stdin.readline()
                if not line:
                    self.console.print("(no reply: going ahead as it is)")
                    return None
                try:
                    return parse(line)
                except UsageError as exc:
                    self.console.print(f"[bold yellow]{escape(str(exc))}[/]")
        finally:
            self.status.start()

    def finish(self) -> None:
        self.status.stop()
        for pieces in self.held.values():
            sys.stdout.write("".join(pieces))
        if self.stream:
            sys.stdout.write("\n")
            sys.stdout.flush()


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:8]
    return "-".join(words) or "run"


def _port_or_zero(value: str) -> int:
    return 0 if value.strip() == "0" else _port(value)


def _port(value: str) -> int:
    number = positive_int(value)
    if number > MAX_PORT:
        raise argparse.ArgumentTypeError(f"a port is at most {MAX_PORT}, got {number}")
    return number


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
