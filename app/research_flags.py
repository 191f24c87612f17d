"""What a research runs with, from the command line: the policy, tool and budget flags that `run` and
`eval run` share, their defaults, and the tools and policy they build.

It sits beside the CLI, not inside it, so that `stepresearch.eval.cli` uses the same flags without
importing `stepresearch.app.cli` (which registers `eval`): the app's modules import one way.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from stepresearch.core.errors import UsageError
from stepresearch.nodes.config import BudgetConfig, ResearchConfig
from stepresearch.serving.server_probe import DEFAULT_WAIT_S


def add_research_flags(parser: argparse.ArgumentParser, branches_flag: str = "--concurrency") -> None:
    """The policy, tool and budget flags of `run`, shared with `eval run` (whose own --concurrency counts
    tasks, so it names the search branches `branches_flag`)."""
    parser.add_argument(
        "--config",
        type=Path,
        help="a JSON file of the research configuration (the fields of stepresearch.nodes.config.ResearchConfig; "
        "a run folder's run_config.json is one); flags given beside it win",
    )
    parser.add_argument("--corpus", type=Path, help="search this folder of .md/.txt/.html files instead of Wikipedia")
    parser.add_argument(
        "--mcp",
        type=Path,
        help='search with the tools of MCP servers too: a JSON file {"mcpServers": {name: {"command": ..., '
        '"args": [...]} or {"url": ...}}}, the shape MCP clients share',
    )
    parser.add_argument(
        "--model", help="a GGUF file for the embedded policy, or with --base-url the served model's name"
    )
    parser.add_argument(
        "--base-url", help="an OpenAI-compatible server (SGLang, vLLM, llama.cpp), e.g. http://127.0.0.1:30000/v1"
    )
    parser.add_argument("--api-key-env", help="environment variable that holds the server's API key")
    # Flags a resume may not silently change default to None here, and to ResearchConfig's defaults when resolved.
    parser.add_argument("--timeout", type=positive_seconds, help="seconds per policy request to a server (default 120)")
    parser.add_argument(
        "--wait",
        type=seconds,
        default=DEFAULT_WAIT_S,
        help=f"seconds to wait for a policy server that is still loading its model (default {DEFAULT_WAIT_S:.0f})",
    )
    parser.add_argument(
        "--thinking",
        choices=["off", "on"],
        help="served thinking models: off (the default) turns thinking off per request; on lets plan and reflect think",
    )
    parser.add_argument("--no-web", action="store_true", default=None, help="ignore TAVILY_API_KEY and stay offline")
    parser.add_argument("--max-rounds", type=positive_int, help="plan/search rounds (default 2)")
    parser.add_argument("--max-sub-questions", type=positive_int, help="per round (default 6)")
    parser.add_argument(
        branches_flag, dest="concurrency", type=positive_int, help="parallel search branches (default 4)"
    )
    parser.add_argument(
        "--max-context",
        type=positive_int,
        metavar="TOKENS",
        help="plan prompts for this context window instead of the policy's own (its n_ctx, or the served model's "
        "maximum length); smaller makes the research log compact sooner",
    )
    parser.add_argument(
        "--reader",
        choices=["lexical", "policy"],
        help="who picks each search branch's passages: lexical matching (the default), or the policy reading each "
        "document (for a capable served policy; its picks are checked against the document)",
    )
    parser.add_argument(
        "--judge",
        choices=["auto", "semantic", "lexical", "policy"],
        help="who decides entailment: semantic (aligned by meaning, decided by anchors), lexical (aligned by shared "
        "words only), the policy with the anchors vetoing conflicts, or auto (the default: the policy only when it "
        "is known capable, by --policy-capable or a short probe at start-up; else semantic)",
    )
    parser.add_argument(
        "--policy-capable",
        action="store_true",
        default=None,
        help="declare the served policy capable of judging, so --judge auto uses it without the probe",
    )


def research_parts(
    args: argparse.Namespace, config: Any, console: Console, *, recorded: Any = None, changes: list[str] | None = None
) -> tuple[Any, list[Any], Any]:
    """The run configuration with its corpus fingerprint, the tools and the policy, for `run` and `eval run`.

    On a resume (`recorded`), a corpus whose files changed is one more of `changes`, and any change is
    refused unless --allow-changes. Tool notes are printed; the policy server is waited for."""
    changes = changes if changes is not None else []
    tools, notes = config.make_tools()
    fingerprint = next((getattr(t, "fingerprint", None) for t in tools if getattr(t, "fingerprint", None)), None)
    if recorded is not None and recorded.corpus_fingerprint and fingerprint != recorded.corpus_fingerprint:
        changes.append("the corpus folder's files (changed since the run began)")
    if changes and not getattr(args, "allow_changes", False):
        raise UsageError(
            "--resume would change " + "; ".join(changes) + ". The run began with the recorded configuration; "
            "pass --allow-changes to resume with the change anyway"
        )
    config = config.model_copy(update={"corpus_fingerprint": fingerprint})
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    policy = make_policy(config, wait=args.wait, console=console)
    return config, tools, policy


def resolve_run_config(args: argparse.Namespace, recorded: Any) -> tuple[ResearchConfig, list[str]]:
    """The configuration to run with, and what the explicit flags change of the recorded one (on resume).

    A fresh run takes `--config FILE` (or the defaults) with the flags given on top. A resume takes what the
    run began with, so that `stepresearch run --resume --out DIR` works as printed; an explicit flag that
    differs is listed as a change.
    """
    explicit: dict[str, Any] = {}
    if args.corpus is not None:
        explicit["corpus"] = str(args.corpus.expanduser().resolve())
    if getattr(args, "mcp", None) is not None:
        explicit["mcp"] = str(args.mcp.expanduser().resolve())
    if args.no_web:
        explicit["web"] = False
    for name in ("model", "base_url", "api_key_env", "timeout", "judge", "thinking", "reader", "policy_capable"):
        if getattr(args, name) is not None:
            explicit[name] = getattr(args, name)
    if args.base_url is not None:
        explicit["policy"] = "served"
    budgets = {n: getattr(args, n) for n in BudgetConfig.model_fields if getattr(args, n, None) is not None}
    config_file = getattr(args, "config", None)
    if recorded is None:
        if config_file is not None:
            base = ResearchConfig.from_file(config_file)
        else:
            base = ResearchConfig(web=bool(os.environ.get("TAVILY_API_KEY")))
        return _with(base, explicit, budgets), []
    if config_file is not None:
        raise UsageError("--config starts a run; --resume continues with the configuration the run began with")
    wanted = _with(recorded, explicit, budgets)
    return wanted, recorded.differences(wanted)


def _with(base: ResearchConfig, explicit: dict[str, Any], budgets: dict[str, Any]) -> ResearchConfig:
    data = {**base.model_dump(), **explicit, "budgets": {**base.budgets.model_dump(), **budgets}}
    try:
        return ResearchConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise UsageError(f"invalid configuration: {'.'.join(str(p) for p in error['loc'])}: {error['msg']}") from None


def make_policy(config: ResearchConfig, *, wait: float = DEFAULT_WAIT_S, console: Console | None = None):
    """`config.make_policy`, with the wait for a policy server shown on the console."""
    if not config.base_url or console is None:
        return config.make_policy(wait)
    base_url = config.base_url
    with console.status(f"waiting for the policy server at {escape(base_url)}") as status:

        def show(why: str, waited: float) -> None:
            status.update(
                f"waiting for the policy server at {escape(base_url)}: {escape(why)} ({waited:.0f} s of {wait:.0f} s)"
            )

        return config.make_policy(wait, on_wait=show)


def positive_seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive, finite number of seconds, got {value!r}")
    return number


def seconds(value: str) -> float:
    """Zero or more seconds (a wait of 0 means: do not wait)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more seconds, got {value!r}")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number
