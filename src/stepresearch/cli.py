"""The `stepresearch` command line.

Usage errors (an empty or huge question, a missing corpus, an unreadable
model, a bad flag) print one line and exit 2. A failure during the run prints
one line, keeps the checkpoint, and tells how to resume; it exits 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from stepresearch.errors import StepResearchError, UsageError

EXIT_USAGE = 2
EXIT_FAILURE = 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    from stepresearch.logging import configure

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
                f"The checkpoint is kept; continue with: stepresearch run --resume --out {escape(str(args.out))}"
            )
        return EXIT_FAILURE
    except KeyboardInterrupt:
        console.print("interrupted; the checkpoint is kept and the run can be resumed with --resume")
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepresearch", description="Deep research with cited, cross-checked reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="research a question and write report.md and run.json")
    run.add_argument("question", nargs="?", help="the question (omit with --resume)")
    run.add_argument("--out", type=Path, default=None, help="run folder (default: runs/<question-slug>)")
    run.add_argument("--corpus", type=Path, help="search this folder of .md/.txt/.html files instead of Wikipedia")
    run.add_argument("--model", help="a GGUF file for the embedded policy, or with --base-url the served model's name")
    run.add_argument(
        "--base-url", help="an OpenAI-compatible server (SGLang, vLLM, llama.cpp), e.g. http://127.0.0.1:30000/v1"
    )
    run.add_argument("--api-key-env", help="environment variable that holds the server's API key")
    run.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per policy request to a server (default 120)"
    )
    run.add_argument("--no-web", action="store_true", help="ignore TAVILY_API_KEY and stay offline")
    run.add_argument("--max-rounds", type=_positive_int, default=2, help="plan/search rounds (default 2)")
    run.add_argument("--max-sub-questions", type=_positive_int, default=6, help="per round (default 6)")
    run.add_argument("--concurrency", type=_positive_int, default=4, help="parallel search branches (default 4)")
    run.add_argument("--resume", action="store_true", help="continue the unfinished run in --out")
    run.add_argument("--log-json", action="store_true", help="print structlog events as JSON lines on stderr")
    run.add_argument("-v", "--verbose", action="store_true", help="print structlog events as text on stderr")
    run.set_defaults(handler=cmd_run)

    graph = sub.add_parser("graph", help="print the research graph as Mermaid")
    graph.set_defaults(handler=cmd_graph)

    report = sub.add_parser("cache-report", help="print a run's prefix-cache figures per node")
    report.add_argument("run_dir", type=Path)
    report.set_defaults(handler=cmd_cache_report)

    check = sub.add_parser("verify", help="re-run the citation validator over a run's report.md")
    check.add_argument("run_dir", type=Path)
    check.add_argument("--fix", action="store_true", help="write the repaired report back to report.md")
    check.set_defaults(handler=cmd_verify)

    serve = sub.add_parser("serve", help="start a policy server on 127.0.0.1")
    serve.add_argument("--engine", choices=["llama-cpp", "sglang", "sglang-router"], default="llama-cpp")
    serve.add_argument("--port", type=_positive_int, default=None, help="default 8080, 30000 (sglang), 30001 (router)")
    serve.add_argument("--model", help="llama-cpp: a GGUF file (default: the embedded SmolLM2)")
    serve.add_argument("--n-ctx", type=_positive_int, default=8192, help="llama-cpp: context size")
    serve.add_argument("--model-path", help="sglang: Hugging Face id or local path of the policy model")
    serve.add_argument("--tp", type=_positive_int, default=1, help="sglang: tensor-parallel GPUs")
    serve.add_argument("--reasoning-parser", help="sglang: override the guessed reasoning parser")
    serve.add_argument("--tool-call-parser", help="sglang: override the guessed tool-call parser")
    serve.add_argument("--worker-urls", nargs="+", default=[], help="sglang-router: the SGLang workers")
    serve.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    serve.set_defaults(handler=cmd_serve)
    return parser


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.runner import check_question, run_research
    from stepresearch.state import Budgets

    if args.resume and args.out is None:
        raise UsageError("--resume needs --out, the folder of the run to continue")
    question = None if args.resume else check_question(args.question)
    out = args.out or Path("runs") / slug(question or "run")
    try:
        budgets = Budgets(
            max_rounds=args.max_rounds,
            max_sub_questions=max(args.max_sub_questions, 1),
            min_sub_questions=min(3, args.max_sub_questions),
            search_concurrency=args.concurrency,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"invalid budget {first['loc'][0]}: {first['msg']}") from exc
    tools, notes = make_tools(args.corpus, web=not args.no_web)
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    policy = make_policy(args.model, args.base_url, args.api_key_env, args.timeout)
    progress = Progress(console)
    result = run_research(
        question, out, policy=policy, tools=tools, budgets=budgets, resume=args.resume, on_event=progress
    )
    progress.finish()
    console.print(f"report: {escape(str(result.report_path))}")
    console.print(f"record: {escape(str(result.run_json_path))}")
    print(result.report_path)
    return 0


def cmd_graph(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.graphs import build_graph, mermaid

    graph = build_graph(policy=_Unused(), tools=[lambda query, k: []])  # type: ignore[arg-type]
    print(mermaid(graph))
    return 0


def make_tools(corpus: Path | None, *, web: bool) -> tuple[list[Any], list[str]]:
    from stepresearch.tools import TavilySearchTool, folder_search_tool, wiki_search_tool

    notes = []
    if corpus is not None:
        tool = folder_search_tool(corpus)
        skipped = getattr(tool, "skipped", [])
        if skipped:
            notes.append(f"skipped {len(skipped)} unreadable file(s): " + ", ".join(p for p, _ in skipped[:5]))
        tools: list[Any] = [tool]
    else:
        tools = [wiki_search_tool()]
    if web:
        tavily = TavilySearchTool.from_env()
        if tavily is not None:
            tools.append(tavily)
            notes.append("TAVILY_API_KEY is set: searching the web with Tavily as well")
    return tools, notes


def make_policy(model: str | None, base_url: str | None = None, api_key_env: str | None = None, timeout: float = 120.0):
    """The embedded llama.cpp policy, or a checked client for a policy server."""
    if base_url:
        from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

        if not re.match(r"^https?://", base_url):
            raise UsageError(f"--base-url must start with http:// or https://, got {base_url!r}")
        policy = OpenAICompatibleChatModel.from_env(base_url, model or "", api_key_env, timeout_s=timeout)
        policy.check_health(wait_s=10.0)
        return policy
    if api_key_env:
        raise UsageError("--api-key-env only makes sense with --base-url")
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    return LlamaCppChatModel(model_path=model or "")


def cmd_cache_report(args: argparse.Namespace, console: Console) -> int:
    import json

    from rich.table import Table

    record_path = args.run_dir / "run.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        cache = record["cache"]
    except FileNotFoundError:
        raise UsageError(f"no run.json in {args.run_dir}") from None
    except (ValueError, KeyError):
        raise UsageError(f"{record_path} has no cache figures (a run from an older version?)") from None
    unit = cache.get("unit", "tokens")
    table = Table(title=f"prefix cache: {args.run_dir}", title_justify="left")
    for column in ("node", "calls", f"prompt {unit}", "replay reused", "replay reuse", "server cached"):
        table.add_column(column, justify="left" if column == "node" else "right")
    for node, row in cache["by_node"].items():
        server = row.get("server_cached_tokens")
        table.add_row(
            node, str(row["calls"]), str(row["replay_prompt_units"]), str(row["replay_reused"]),
            f"{row['replay_reuse_ratio']:.2f}", "—" if server is None else str(server),
        )  # fmt: skip
    out = Console(highlight=False)
    out.print(table)
    server = cache.get("server_cached_tokens")
    out.print(f"replay_reuse_ratio: {cache['replay_reuse_ratio']:.4f}")
    out.print(f"unique_prompt_tokens: {cache['unique_prompt_tokens']} ({unit})")
    out.print(f"server_cached_tokens: {'null (the policy reports none)' if server is None else server}")
    return 0


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    """Exit 1 if any citation is a phantom (points at nothing retrieved), else 0."""
    import json

    from stepresearch.nodes.citation_check import validate_markdown
    from stepresearch.runner import SOURCES_FILE
    from stepresearch.state import Source

    report_path = args.run_dir / "report.md"
    try:
        markdown = report_path.read_text(encoding="utf-8")
        raw = json.loads((args.run_dir / SOURCES_FILE).read_text(encoding="utf-8"))
        sources = [Source(**s) for s in raw]
    except FileNotFoundError as exc:
        raise UsageError(f"{args.run_dir} is not a run folder: {exc.filename} is missing") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{args.run_dir / SOURCES_FILE} is not a valid sources file: {exc}") from None
    result = validate_markdown(markdown, sources)
    stats = result.stats
    out = Console(highlight=False)
    out.print(
        f"citations: {stats.total} total, {stats.valid} valid, {stats.reattributed} re-attributed, "
        f"{stats.removed} removed, {stats.phantom} phantom; {stats.unsupported_sentences} unsupported sentence(s)"
    )
    for sentence in result.unverified:
        out.print(f"  unverified: {escape(sentence)}")
    if args.fix and result.markdown != markdown:
        report_path.write_text(result.markdown, encoding="utf-8")
        out.print(f"repaired: {escape(str(report_path))}")
    return 1 if stats.phantom else 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from stepresearch.serving import launch

    if args.engine == "llama-cpp":
        port = args.port or 8080
        command = launch.llama_cpp_server_command(args.model, port, n_ctx=args.n_ctx)
    elif args.engine == "sglang":
        if not args.model_path:
            raise UsageError("--engine sglang needs --model-path (a Hugging Face id or a local folder)")
        port = args.port or 30000
        command = launch.sglang_command(args.model_path, port, args.tp, args.reasoning_parser, args.tool_call_parser)
    else:
        port = args.port or 30001
        command = launch.router_command(args.worker_urls, port)
    if args.dry_run:
        print(launch.shell_line(command))
        return 0
    if args.engine != "llama-cpp":
        launch.require_module("sglang" if args.engine == "sglang" else "sglang_router", "sglang")
    launch.check_port_free(port)
    console.print(f"serving {args.engine} on http://{launch.HOST}:{port}/v1 (Ctrl-C stops it)")
    launch.run(command)
    return 0  # not reached: run() replaces this process


class Progress:
    """Renders graph events on stderr: the node running, the sub-questions, the sources found."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status = console.status("starting", spinner="dots")
        self.status.start()

    def __call__(self, kind: str, node: str, payload: Any) -> None:
        if kind == "start":
            label = node
            if node == "search" and isinstance(payload, dict) and "sub_question" in payload:
                label = f"search · {payload['sub_question'].text}"
            self.status.update(f"[bold]{escape(label)}[/]")
            return
        update = payload if isinstance(payload, dict) else {}
        if node == "clarify" and update.get("brief"):
            self.console.print(f"[bold]clarify[/] objective: {escape(update['brief'].objective)}")
        elif node == "plan":
            for sq in update.get("sub_questions", []):
                self.console.print(f"[bold]plan[/] {sq.id}: {escape(sq.text)}")
        elif node == "search":
            titles = [s.title for s in update.get("sources", {}).values()]
            found_by = next(iter(update.get("sources", {}).values()), None)
            which = found_by.found_by[0] if found_by else "?"
            shown = ", ".join(titles[:4]) + (" …" if len(titles) > 4 else "")
            self.console.print(f"[bold]search[/] {which}: {len(titles)} source(s): {escape(shown) or 'nothing found'}")
            for note in update.get("notes", []):
                self.console.print(f"[yellow]note:[/] {escape(note)}")
        elif node == "verify":
            verdicts: dict[str, int] = {}
            for claim in update.get("claims", []):
                verdicts[claim.verdict] = verdicts.get(claim.verdict, 0) + 1
            summary = ", ".join(f"{n} {v}" for v, n in verdicts.items()) or "no claims"
            self.console.print(f"[bold]verify[/] {summary}")
        elif node == "reflect":
            if update.get("follow_ups"):
                self.console.print(f"[bold]reflect[/] {len(update['follow_ups'])} gap(s): another round")
            else:
                self.console.print(f"[bold]reflect[/] done: {escape(update.get('stop_reason') or 'no gaps')}")
        elif node == "write" and update.get("report"):
            report = update["report"]
            self.console.print(
                f"[bold]write[/] {len(report.sections)} section(s), {len(report.cited_source_ids)} cited source(s)"
            )

    def finish(self) -> None:
        self.status.stop()


class _Unused:
    """Placeholder policy for commands that only inspect the graph's shape."""


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:8]
    return "-".join(words) or "run"


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
