"""Commands that start a policy server: llama.cpp for CPUs, SGLang for GPUs, the SGLang router beyond one GPU.

Servers bind to 127.0.0.1. Putting one on a network is a deployment decision
(a reverse proxy with TLS and auth), not a flag of ours; so the router fronts
workers on this machine only. Flags after `--` go to the server unchanged,
except the ones this module owns (host, port, model, tensor parallelism).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import socket
import sys
from pathlib import Path

from pydantic import BaseModel

from stepresearch.core.errors import UsageError

from . import sglang_facts
from .model_families import family_of
from .model_files import check_gguf, default_model_path

HOST = "127.0.0.1"
# Worker i of `--workers N` listens on port + i * WORKER_PORT_STEP. SGLang derives ports from its own:
# +13 (DP-attention handshake) and +233..+239 (ZMQ over TCP) in 0.5.23 (srt/server_args.py:728-729,820-843),
# so consecutive ports could collide with a neighbour's derived ones; a step of 10 keeps 8 workers clear of both.
WORKER_PORT_STEP = 10
MAX_WORKERS = 8

# Flags this module sets itself, with the spellings SGLang also accepts; after `--` they are refused.
OWNED_FLAGS = {
    "--host": "--host",
    "--port": "--port",
    "--model-path": "--model-path",
    "--model": "--model-path",
    "--tp": "--tp-size",
    "--tp-size": "--tp-size",
    "--tensor-parallel-size": "--tp-size",
}
# Flags we set with a default the user may replace after `--`: theirs wins and ours is dropped.
OVERRIDABLE_FLAGS = ("--reasoning-parser", "--tool-call-parser", "--default-chat-template-kwargs", "--schedule-policy")


class LaunchPlan(BaseModel):
    """The processes `stepresearch serve` starts: one or more servers, and a router in front of several."""

    servers: list[list[str]]
    router: list[str] | None = None
    notes: list[str] = []

    @property
    def commands(self) -> list[list[str]]:
        return self.servers + ([self.router] if self.router else [])


# The RAM prefix cache's bound, for a user who turns it on (`serve ... -- --cache True`): its byte count
# leaves out each state's logits (n_batch x vocabulary floats, 100 MB for SmolLM2), so 128 MiB of it peaked
# at 1.9 GB in benchmarks/server_memory.py.
LLAMA_CPP_CACHE_BYTES = 128 * 1024**2


def llama_cpp_server_command(
    model: str | None,
    port: int,
    n_ctx: int = 8192,
    n_threads: int | None = None,
    extra_args: list[str] | None = None,
) -> list[str]:
    """llama-cpp-python's OpenAI-compatible server, its memory bounded.

    Its defaults keep every position's logits (`logits_all`), and its RAM prefix cache copies them into each
    saved state outside the cache's byte count: a 2,000-token prompt adds 2,000 x 49,152 floats (393 MB)
    for SmolLM2, so the 2 GiB cache held 4 to 8.7 GB. We ask for no logprobs, so the last position's logits
    are enough, and the RAM cache is off: llama.cpp already reuses the longest prefix a prompt shares with
    the one before it in the context, which is the reuse a research's calls get (they share the run's
    prefix and are served one at a time). benchmarks/server_memory.py measured it: 0.44 to 0.47 GB peak
    without the cache against 1.1 to 3.1 GB with 32 to 512 MiB of it, and no research time won by it.
    `-- --cache True` turns it back on, bounded by `LLAMA_CPP_CACHE_BYTES`."""
    path = check_gguf(model) if model else check_gguf(default_model_path())
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(path),
        "--model_alias", Path(path).stem,
        "--host", HOST,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads or os.cpu_count() or 1),
        "--cache", "False",
        "--cache_type", "ram",
        "--cache_size", str(LLAMA_CPP_CACHE_BYTES),
        "--logits_all", "False",
    ]  # fmt: skip
    return command + _checked_extra(extra_args or [], owned={"--host", "--port", "--model"})


def sglang_plan(
    model_path: str,
    port: int,
    *,
    tp: int = 1,
    workers: int = 1,
    router_port: int | None = None,
    reasoning_parser: str | None = None,
    tool_call_parser: str | None = None,
    extra_args: list[str] | None = None,
    version: tuple[int, ...] | None = None,
) -> LaunchPlan:
    """One SGLang server, or `workers` of them on separate GPUs and ports with the router in front.

    `version` is the installed sglang release (None: not installed here); it decides whether
    `auto` parsers and `--default-chat-template-kwargs` exist.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be between 1 and {MAX_WORKERS}, got {workers}")
    extra = _checked_extra(extra_args or [], owned=set(OWNED_FLAGS))
    if workers > 1 and "--base-gpu-id" in _flag_names(extra):
        raise UsageError("--workers gives each worker its own --base-gpu-id; leave it out of the flags after --")
    notes: list[str] = []
    try:
        gpu_step = int(flag_value(extra, "--gpu-id-step") or 1)
    except ValueError:
        raise UsageError(f"--gpu-id-step must be a whole number, got {flag_value(extra, '--gpu-id-step')!r}") from None
    servers = []
    for i in range(workers):
        command = sglang_command(
            model_path, port + i * WORKER_PORT_STEP, tp=tp, reasoning_parser=reasoning_parser,
            tool_call_parser=tool_call_parser, extra_args=extra, version=version, notes=notes if i == 0 else None,
        )  # fmt: skip
        if workers > 1:
            command += ["--base-gpu-id", str(i * tp * gpu_step)]
        servers.append(command)
    router = None
    if workers > 1:
        urls = [f"http://{HOST}:{port + i * WORKER_PORT_STEP}" for i in range(workers)]
        router = router_command(urls, router_port or port + 1)
    return LaunchPlan(servers=servers, router=router, notes=notes)


def sglang_command(
    model_path: str,
    port: int,
    tp: int = 1,
    reasoning_parser: str | None = None,
    tool_call_parser: str | None = None,
    extra_args: list[str] | None = None,
    version: tuple[int, ...] | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """SGLang with the flags this engine relies on.

    --enable-cache-report puts cached_tokens in every usage block (our cache accounting),
    --enable-metrics exposes sglang:cache_hit_rate on /metrics,
    --schedule-policy lpm serves the longest-prefix-match request first, which keeps
    the shared research-log prefix hot in the radix cache across parallel branches.
    A model that thinks by default is told not to (`--default-chat-template-kwargs`): our
    nodes ask for short JSON replies, and SGLang enforces the schema only after the thinking.
    """
    notes = notes if notes is not None else []
    extra = list(extra_args or [])
    family = family_of(model_path)
    auto = sglang_facts.has(sglang_facts.AUTO_PARSERS_SINCE, version)
    command = [
        sys.executable, "-m", "sglang.launch_server",
        "--model-path", model_path,
        "--host", HOST,
        "--port", str(port),
        "--tp", str(tp),
        "--enable-cache-report",
        "--enable-metrics",
        "--schedule-policy", "lpm",
    ]  # fmt: skip
    reasoning = reasoning_parser or ("auto" if auto else family.reasoning_parser)
    tools = tool_call_parser or ("auto" if auto else family.tool_call_parser)
    if reasoning:
        command += ["--reasoning-parser", reasoning]
    if tools:
        command += ["--tool-call-parser", tools]
    if auto and not (reasoning_parser and tool_call_parser):
        notes.append("parsers: 'auto' (sglang detects them from the chat template)")
    elif family.name != "unknown" and not (reasoning_parser and tool_call_parser):
        why = "sglang is not installed here" if version is None else "this sglang release has no 'auto' parsers"
        notes.append(f"parsers: guessed from the name ({family.name}), because {why}")
    if family.thinking == "always":
        notes.append(
            f"{family.name} always thinks before answering: the client adds a thinking budget to every call "
            "(README, 'Thinking models')"
        )
    if family.switch and family.thinking == "by_default":
        if version is None or sglang_facts.has(sglang_facts.DEFAULT_TEMPLATE_KWARGS_SINCE, version):
            command += ["--default-chat-template-kwargs", json.dumps({family.switch: False})]
        else:
            notes.append(
                f"{family.name} thinks by default and this sglang release has no --default-chat-template-kwargs; "
                "our client still turns thinking off per request"
            )
    return _with_overrides(command, extra)


def router_command(worker_urls: list[str], port: int, extra_args: list[str] | None = None) -> list[str]:
    """sglang-router in front of several SGLang workers, routing by prefix (cache_aware)."""
    if not worker_urls:
        raise UsageError("--engine sglang-router needs --worker-urls URL [URL ...]")
    command = [
        sys.executable, "-m", "sglang_router.launch_router",
        "--worker-urls", *worker_urls,
        "--policy", "cache_aware",
        "--host", HOST,
        "--port", str(port),
    ]  # fmt: skip
    return command + _checked_extra(extra_args or [], owned={"--host", "--port", "--worker-urls"})


def check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no conflict
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise UsageError(f"port {port} on {HOST} is not free: {exc.strerror or exc}") from exc


def require_module(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise UsageError(f"{module} is not installed; install it with: pip install -e '.[{extra}]' (it needs a GPU)")


def shell_line(command: list[str]) -> str:
    return shlex.join(command)


def run(command: list[str]) -> None:
    """Become the server process (exec), so a signal to `stepresearch serve` reaches the server
    itself and no orphaned child keeps the port."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def _checked_extra(extra: list[str], owned: set[str]) -> list[str]:
    for name in _flag_names(extra):
        if name in owned or OWNED_FLAGS.get(name) in owned:
            if name == "--host":
                raise UsageError("servers started by stepresearch bind to 127.0.0.1; --host cannot be passed through")
            raise UsageError(f"{name} is set by `stepresearch serve` itself; use its own option, not `-- {name}`")
    return list(extra)


def _with_overrides(command: list[str], extra: list[str]) -> list[str]:
    """Our defaults, minus the ones the user's flags replace, then the user's flags."""
    replaced = {name for name in _flag_names(extra) if name in OVERRIDABLE_FLAGS}
    kept: list[str] = []
    skip = False
    for i, token in enumerate(command):
        if skip:
            skip = False
            continue
        if token in replaced:
            skip = i + 1 < len(command) and not command[i + 1].startswith("--")
            continue
        kept.append(token)
    return kept + extra


def _flag_names(args: list[str]) -> list[str]:
    return [a.split("=", 1)[0] for a in args if a.startswith("--")]


def flag_value(args: list[str], flag: str) -> str | None:
    """The value after the last `flag` in a command line (argparse keeps the last one too)."""
    value = None
    for i, token in enumerate(args):
        if token == flag and i + 1 < len(args):
            value = args[i + 1]
        elif token.startswith(flag + "="):
            value = token.split("=", 1)[1]
    return value
