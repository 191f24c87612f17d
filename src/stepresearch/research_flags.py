"""What a research runs with, from the command line: the policy, tool and budget flags that `run` and
`eval run` share, their defaults, and the tools and policy they build.

It sits beside the CLI, not inside it, so that `stepresearch.eval.cli` uses the same flags without
importing `stepresearch.cli` (which registers `eval`): the app's modules import one way.
"""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from stepresearch.errors import UsageError
from stepresearch.serving.server_probe import DEFAULT_WAIT_S


def add_research_flags(parser: argparse.ArgumentParser, branches_flag: str = "--concurrency") -> None:
    """The policy, tool and budget flags of `run`, shared with `eval run` (whose own --concurrency counts
    tasks, so it names the search branches `branches_flag`)."""
    parser.add_argument("--corpus", type=Path, help="search this folder of .md/.txt/.html files instead of Wikipedia")
    parser.add_argument(
        "--model", help="a GGUF file for the embedded policy, or with --base-url the served model's name"
    )
    parser.add_argument(
        "--base-url", help="an OpenAI-compatible server (SGLang, vLLM, llama.cpp), e.g. http://127.0.0.1:30000/v1"
    )
    parser.add_argument("--api-key-env", help="environment variable that holds the server's API key")
    # Flags a resume may not silently change default to None here, and to RUN_DEFAULTS when resolved.
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


RUN_DEFAULTS: dict[str, Any] = {
    "timeout": 120.0,
    "max_rounds": 2,
    "max_sub_questions": 6,
    "concurrency": 4,
    "max_context": None,
    "judge": "auto",
}


def research_parts(
    args: argparse.Namespace, config: Any, console: Console, *, recorded: Any = None, changes: list[str] | None = None
) -> tuple[Any, list[Any], Any]:
    """The run configuration with its corpus fingerprint, the tools and the policy, for `run` and `eval run`.

    On a resume (`recorded`), a corpus whose files changed is one more of `changes`, and any change is
    refused unless --allow-changes. Tool notes are printed; the policy server is waited for."""
    changes = changes if changes is not None else []
    tools, notes = make_tools(Path(config.corpus) if config.corpus else None, web=config.web)
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
    policy = make_policy(
        config.model, config.base_url, config.api_key_env, config.timeout,
        wait=args.wait, thinking=config.thinking, console=console,
    )  # fmt: skip
    return config, tools, policy


def resolve_run_config(args: argparse.Namespace, recorded: Any) -> tuple[Any, list[str]]:
    """The configuration to run with, and what the explicit flags change of the recorded one (on resume).

    A fresh run takes its flags, with RUN_DEFAULTS for the ones not given. A resume takes what the run
    began with, so that `stepresearch run --resume --out DIR` works as printed; an explicit flag that
    differs is listed as a change.
    """
    from stepresearch.run_folder import RunConfig

    explicit: dict[str, Any] = {}
    if args.corpus is not None:
        explicit["corpus"] = str(args.corpus.expanduser().resolve())
    if args.no_web:
        explicit["web"] = False
    for name in ("model", "base_url", "api_key_env", "timeout", "judge", "thinking", "reader", "policy_capable"):
        if getattr(args, name) is not None:
            explicit[name] = getattr(args, name)
    if args.base_url is not None:
        explicit["policy"] = "served"
    budget_flags = {n: getattr(args, n) for n in ("max_rounds", "max_sub_questions", "concurrency", "max_context")}
    if recorded is None:
        budgets = {n: v if v is not None else RUN_DEFAULTS[n] for n, v in budget_flags.items()}
        config = RunConfig(
            **{"timeout": RUN_DEFAULTS["timeout"], "judge": RUN_DEFAULTS["judge"], **explicit},
            web=explicit.get("web", bool(os.environ.get("TAVILY_API_KEY"))),
            budgets=budgets,
        )
        return config, []
    budgets = {**recorded.budgets, **{n: v for n, v in budget_flags.items() if v is not None}}
    wanted = recorded.model_copy(update={**explicit, "budgets": budgets})
    return wanted, recorded.differences(wanted)


def budgets_from(values: dict[str, Any]):
    from stepresearch.state import Budgets

    try:
        return Budgets(
            max_rounds=values["max_rounds"],
            max_sub_questions=values["max_sub_questions"],
            min_sub_questions=min(3, values["max_sub_questions"]),
            search_concurrency=values["concurrency"],
            max_context_tokens=values.get("max_context"),
        )
    except (ValidationError, KeyError) as exc:
        detail = exc.errors()[0] if isinstance(exc, ValidationError) else {"loc": [str(exc)], "msg": "missing"}
        raise UsageError(f"invalid budget {detail['loc'][0]}: {detail['msg']}") from None


def make_tools(corpus: Path | None, *, web: bool) -> tuple[list[Any], list[str]]:
    from stepresearch.tools import TavilySearchTool, folder_search_tool, wiki_search_tool

    notes = []
    if corpus is not None:
        tool = folder_search_tool(corpus)
        notes += tool.notes  # the run records them too, in the report's "Scope and method" and run.json
        tools: list[Any] = [tool]
    else:
        tools = [wiki_search_tool()]
    if web:
        tavily = TavilySearchTool.from_env()
        if tavily is not None:
            tools.append(tavily)
            notes.append("TAVILY_API_KEY is set: searching the web with Tavily as well")
    return tools, notes


def make_policy(
    model: str | None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    timeout: float = 120.0,
    *,
    wait: float = DEFAULT_WAIT_S,
    thinking: str = "off",
    console: Console | None = None,
):
    """The embedded llama.cpp policy, or a client for a policy server that has answered (waiting up to `wait`)."""
    if base_url:
        from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

        if not re.match(r"^https?://", base_url):
            raise UsageError(f"--base-url must start with http:// or https://, got {base_url!r}")
        policy = OpenAICompatibleChatModel.from_env(
            base_url, model or "", api_key_env, timeout_s=timeout, thinking=thinking
        )
        if console is None:
            policy.check_health(wait_s=wait)
            return policy
        with console.status(f"waiting for the policy server at {escape(base_url)}") as status:

            def show(why: str, waited: float) -> None:
                status.update(
                    f"waiting for the policy server at {escape(base_url)}: {escape(why)} ({waited:.0f} s of {wait:.0f} s)"
                )

            policy.check_health(wait_s=wait, on_wait=show)
        return policy
    if api_key_env:
        raise UsageError("--api-key-env only makes sense with --base-url")
    if thinking == "on":
        raise UsageError("--thinking on needs --base-url: the embedded model does not think")
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    return LlamaCppChatModel(model_path=model or "")


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
